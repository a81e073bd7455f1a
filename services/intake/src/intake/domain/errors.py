"""Domain errors of the work-order aggregate."""

from __future__ import annotations


class IntakeError(Exception):
    """Base of intake's domain errors; `message` is shown to people (Simplified Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(IntakeError):
    """The requested change is not allowed from the work order's current status."""


class WorkOrderNotFound(IntakeError):
    """No work order with that number or id."""


class ConflictingRequest(IntakeError):
    """The same idempotency key was used with a different body."""
