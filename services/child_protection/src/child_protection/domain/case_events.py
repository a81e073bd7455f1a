"""What happened to a case (domain events; mapped to contracts in service_layer/outgoing.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Event:
    """Base of the case's events; `stage` is the case's stage right after the event."""

    at: datetime
    actor: str = field(default="", kw_only=True)
    stage: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Reported(Event):
    report_id: str


@dataclass(frozen=True)
class ReportLinked(Event):
    report_id: str


@dataclass(frozen=True)
class Accepted(Event):
    pass


@dataclass(frozen=True)
class Declined(Event):
    reason: str
    referred_to: str | None


@dataclass(frozen=True)
class StageChanged(Event):
    previous: str
    skipped: tuple[str, ...] = ()
    skip_reason: str | None = None
    approved_by: str | None = None


@dataclass(frozen=True)
class EmergencyResponded(Event):
    action: str
    note: str | None


@dataclass(frozen=True)
class TemporaryGuardianshipStarted(Event):
    institution: str
    legal_basis: str


@dataclass(frozen=True)
class TemporaryGuardianshipEnded(Event):
    outcome: str


@dataclass(frozen=True)
class Assessed(Event):
    risk_colour: str
    capacity: str
    hardship: bool


@dataclass(frozen=True)
class RiskChanged(Event):
    previous: str | None
    current: str


@dataclass(frozen=True)
class ReferralRequested(Event):
    reason: str


@dataclass(frozen=True)
class ServicePlanUpdated(Event):
    items: int
    open_items: int


@dataclass(frozen=True)
class InterventionRecorded(Event):
    kind: str
    legal_basis: str


@dataclass(frozen=True)
class DeadlineBreached(Event):
    step: str
    due_at: datetime
    owner: str | None


@dataclass(frozen=True)
class Closed(Event):
    feedback: str


@dataclass(frozen=True)
class Reopened(Event):
    reason: str


@dataclass(frozen=True)
class CrossCountyDuplicateFound(Event):
    other_case_id: str
