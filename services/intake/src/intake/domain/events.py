"""What happened to a work order (domain events; mapped to contracts in service_layer/outgoing.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Event:
    """Base of the aggregate's events; `status` is the work order's status right after the event."""

    at: datetime
    status: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Received(Event):
    pass


@dataclass(frozen=True)
class Routed(Event):
    by: str


@dataclass(frozen=True)
class TriageRequired(Event):
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Supplemented(Event):
    content: str | None
    subject_count: int


@dataclass(frozen=True)
class Urged(Event):
    note: str | None


@dataclass(frozen=True)
class Revoked(Event):
    reason: str


@dataclass(frozen=True)
class Accepted(Event):
    case_ref: str


@dataclass(frozen=True)
class InProgress(Event):
    pass


@dataclass(frozen=True)
class Replied(Event):
    reply_text: str


@dataclass(frozen=True)
class SatisfactionRecorded(Event):
    score: int
    comment: str | None


@dataclass(frozen=True)
class Reopened(Event):
    reason: str


@dataclass(frozen=True)
class Closed(Event):
    pass
