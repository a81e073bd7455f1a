"""Domain errors of child_protection (the kit's classes say how each is answered); `message` is shown
to people (Simplified Chinese)."""

from __future__ import annotations

import uuid

from shared.kit import errors


class CaseNotFound(errors.NotFound):
    """No such case, or none the caller may see (out of scope looks missing)."""


class ChildNotFound(errors.NotFound):
    """No such register file, or none the caller may see."""


class NotAllowed(errors.Forbidden):
    """The caller may see the record but not change it (an auditor, another role)."""


class InvalidTransition(errors.InvalidTransition):
    """The change is not allowed from the case's current stage (or the visit's status)."""


class ApprovalRequired(errors.ApprovalRequired):
    """Skipping a step needs a recorded reason and the approval of a 审核人."""


class MissingPrerequisite(errors.MissingPrerequisite):
    """The step's required record or input is missing (for example no on-site visit before assessment)."""


class InvalidChildData(errors.InvalidInput):
    """A value of the child's file is not acceptable (a bad date, an unknown category…)."""


class ConcurrentChange(errors.ConcurrentChange):
    """Someone else changed the case or the file since it was loaded."""


class AlreadyRegistered(errors.Conflict):
    """One file per child: the child (same person key) already has a file."""

    def __init__(self, message: str, child_id: uuid.UUID, region_code: str) -> None:
        super().__init__(message)
        self.child_id = child_id
        self.region_code = region_code
