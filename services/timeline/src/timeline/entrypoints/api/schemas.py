"""HTTP bodies of the timeline JSON API (documented in OpenAPI)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class EntryOut(BaseModel):
    """One timeline entry."""

    event_id: str
    event_time: str = Field(description="When it happened (CloudEvents `time`), ISO 8601")
    recorded_at: str = Field(description="When the timeline recorded it")
    service: str = Field(description="Producing service")
    type: str = Field(description="CloudEvents type")
    case_ref: str = Field(description="`<service>/<case, work order or child file id>`")
    reference: str | None = Field(
        default=None,
        description="The case's human reference (CP-500154-2026-000005; a 12345 order number for intake)",
    )
    order_no: str | None = Field(default=None, description="12345 order number, when the event names one")
    personkeys: list[str]
    regioncode: str | None
    correlation_id: str | None
    causation_id: str | None
    trace_id: str | None = Field(description="Only shown to auditors and admins")
    sensitivity: Literal["normal", "sensitive"] = Field(description="sensitive = minor-related")
    summary: str = Field(description="Short Simplified-Chinese line")
    excerpt: dict[str, Any] = Field(description="A few small, masked fields of the event")
    link: str | None = Field(description="The case in its own service's UI")


class PageOut(BaseModel):
    """One page of a timeline, in causal order (by event time; a consequence never before its cause)."""

    entries: list[EntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")
    total: int = Field(description="Visible entries of the whole query")
    truncated: bool = Field(description="The query reached the service's maximum and was cut")
    personkeys: list[str] = Field(description="Person timeline: every key merged into this person")


class LookupIn(BaseModel):
    """A 身份证号, sent in the body so it never reaches a URL or an access log."""

    model_config = ConfigDict(extra="forbid")

    id_number: str = Field(min_length=15, max_length=32)


class LookupOut(BaseModel):
    personkey: str


class LinkIn(BaseModel):
    """A caseworker's correction: `from` and `to` are (POST) or are not (DELETE) the same person."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_key: str = Field(alias="from", min_length=1, max_length=100)
    to_key: str = Field(alias="to", min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=500)


class LinkOut(BaseModel):
    """One recorded link or unlink."""

    model_config = ConfigDict(populate_by_name=True)

    from_key: str = Field(alias="from", serialization_alias="from")
    to_key: str = Field(alias="to", serialization_alias="to")
    action: Literal["link", "unlink"]
    at: str
    actor: str
    reason: str | None
    event_id: str | None
    recorded_at: str


class PersonLinksOut(BaseModel):
    personkeys: list[str] = Field(description="The keys currently merged into this person")
    links: list[LinkOut] = Field(description="Every link and unlink touching them, oldest first")


class ProjectionOut(BaseModel):
    measured_at: str | None
    lag: int | None = Field(description="Events not yet projected, all topics")
    lag_by_topic: dict[str, int]
    entries: int | None
    last_rebuild: dict[str, Any] | None
