"""The timeline's refusals (messages are shown to people, in Simplified Chinese)."""

from __future__ import annotations

from shared.kit.errors import Conflict, DomainError, InvalidInput, NotFound


class PersonNotFound(NotFound):
    """No entry of the person that the caller may see (out of scope looks missing)."""


class SamePerson(InvalidInput):
    """A person key cannot be linked to itself."""


class AlreadyLinked(Conflict):
    """The two keys are linked already."""


class NotLinked(Conflict):
    """The two keys are not linked to each other, so there is nothing to unlink."""


class BadCursor(DomainError):
    """A paging cursor this service did not hand out."""
