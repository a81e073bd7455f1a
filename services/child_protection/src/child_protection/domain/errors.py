"""Domain errors of child_protection; `message` is shown to people (Simplified Chinese)."""

from __future__ import annotations


class ChildProtectionError(Exception):
    """Base of the service's domain errors."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(ChildProtectionError):
    """The change is not allowed from the case's current stage."""


class MissingPrerequisite(ChildProtectionError):
    """The step's required record is missing (for example no on-site visit before assessment)."""


class ApprovalRequired(ChildProtectionError):
    """Skipping a step needs a recorded reason and a supervisor's approval."""


class NotFound(ChildProtectionError):
    """No such case or child."""


class Forbidden(ChildProtectionError):
    """The caller may not do this (role or region)."""
