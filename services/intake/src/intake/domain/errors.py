"""Domain errors of the work-order aggregate (the kit's classes say how each is answered)."""

from __future__ import annotations

from shared.kit import errors


class IntakeError(errors.InvalidInput):
    """Base of intake's refusals of input; `message` is shown to people (Simplified Chinese)."""


class InvalidTransition(errors.InvalidTransition):
    """The requested change is not allowed from the work order's current status."""


class WorkOrderNotFound(errors.NotFound):
    """No work order with that number or id."""


class ConflictingRequest(errors.Conflict):
    """The same idempotency key was used with a different body, or the work order changed meanwhile."""


class ReplayedRequest(errors.DomainError):
    """The 12345 call's nonce was already used inside the signature window."""

    status = 401
    title = "Unauthorized"
