"""Domain errors every service raises; each carries the HTTP status it is answered with.

A service's own errors subclass these (for example `WorkOrderNotFound(NotFound)`), so the API, the pages
and the consumer treat every service's refusals alike: `message` is shown to people (Simplified Chinese).
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A refusal by the domain: the request is understood and cannot be carried out as asked."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad Request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """No such record, or none the caller may see (out of scope looks missing)."""

    status = 404
    title = "Not Found"


class Forbidden(DomainError):
    """The caller may see the record but not do this to it."""

    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    """The record's state does not allow it now (a wrong step, a concurrent change, a reused key)."""

    status = 409
    title = "Conflict"


class InvalidTransition(Conflict):
    """The state machine does not allow the change from the current state."""


class ApprovalRequired(Conflict):
    """The change needs a supervisor's approval first."""


class ConcurrentChange(Conflict):
    """Someone else changed the record since it was loaded (optimistic version check)."""


class MissingPrerequisite(DomainError):
    """Something the step needs is missing or empty."""

    status = 422
    title = "Unprocessable Entity"


class InvalidInput(MissingPrerequisite):
    """A value is not acceptable (an unknown code, a date in the future…)."""
