"""Base class of every event contract: a frozen, tolerant pydantic model with its type, version and topic.

Free text written by people (a report's content, a reason, a reply) is typed `FreeText`: the contract
masks ID and phone numbers in it whenever it is built, and the unit of work redacts the names and
addresses the producing service knows before the event is stored in the outbox (`redacted`).
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.masking import mask_text, redact


class _FreeTextMarker:
    """Metadata that tags a contract field as free text (in the JSON schema: `"x-pii": "free-text"`)."""


FREE_TEXT = _FreeTextMarker()
FreeText = Annotated[
    str, FREE_TEXT, AfterValidator(mask_text), Field(json_schema_extra={"x-pii": "free-text"})
]


class Contract(BaseModel):
    """The data of one event type; consumers ignore fields they do not know (tolerant reader)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    EVENT_TYPE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str]

    @classmethod
    def free_text_fields(cls) -> tuple[str, ...]:
        """The names of the fields typed `FreeText` (optional ones included)."""
        return tuple(
            name
            for name, field in cls.model_fields.items()
            if any(m is FREE_TEXT for m in field.metadata) or _is_free_text(field.annotation)
        )

    def redacted(self, names: tuple[str, ...] = (), others: tuple[str, ...] = ()) -> Contract:
        """A copy whose free text no longer holds the given names (masked) or other known values (hidden)."""
        changes = {
            name: redact(value, names=names, others=others)
            for name in self.free_text_fields()
            if isinstance(value := getattr(self, name), str)
        }
        return self.model_copy(update={k: v for k, v in changes.items() if v != getattr(self, k)})


def _is_free_text(annotation: Any) -> bool:
    if typing.get_origin(annotation) is Annotated:
        return any(m is FREE_TEXT for m in annotation.__metadata__)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_free_text(arg) for arg in typing.get_args(annotation))
    return False
