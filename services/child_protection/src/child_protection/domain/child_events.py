"""What happened to a child's file (domain events; mapped to child_protection.child.v1 in
service_layer/outgoing.py)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

RiskColour = Literal["red", "yellow", "blue", "green"]


@dataclass(frozen=True)
class ChildEvent:
    at: datetime
    actor: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Registered(ChildEvent):
    pass


@dataclass(frozen=True)
class Updated(ChildEvent):
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RiskChanged(ChildEvent):
    previous: RiskColour | None
    current: RiskColour
    reason: str
    alert: bool = False
    case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class VisitScheduled(ChildEvent):
    visit_id: uuid.UUID
    due_date: date
    visit_type: str


@dataclass(frozen=True)
class VisitRecorded(ChildEvent):
    visit_id: uuid.UUID
    visit_type: str
    risk_raised: bool
    alert: bool = False
    case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class VisitMissed(ChildEvent):
    visit_id: uuid.UUID
    due_date: date
    alert: bool = True
    case_id: uuid.UUID | None = None
