"""What happened to an application (domain events for the topic assistance.case.v1, key = application id).

They carry ids, personkeys, the region code and masked free text: never an ID number, a phone number or a
full name; `actor` is the actor's stable id. `EVENT_TYPE` is the planned contract name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar


@dataclass(frozen=True)
class Event:
    """Base of the application's events; `stage` is the application's stage right after the event."""

    EVENT_TYPE: ClassVar[str] = ""

    at: datetime
    actor: str = field(default="", kw_only=True)
    application_id: str = field(default="", kw_only=True)
    region_code: str = field(default="", kw_only=True)
    stage: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class LeadOpened(Event):
    EVENT_TYPE = "case.lead_opened"

    source: str
    source_ref: str | None
    summary: str
    personkeys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Applied(Event):
    EVENT_TYPE = "case.applied"

    programme: str
    temporary_kind: str | None
    household_id: str
    applicant_personkey: str
    personkeys: tuple[str, ...]
    previous_id: str | None = None
    lead_source: str | None = None


@dataclass(frozen=True)
class Accepted(Event):
    EVENT_TYPE = "case.accepted"

    review_level: str


@dataclass(frozen=True)
class Declined(Event):
    EVENT_TYPE = "case.declined"

    reason: str


@dataclass(frozen=True)
class CoverageChanged(Event):
    EVENT_TYPE = "case.coverage_changed"

    personkeys: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class VerificationRequested(Event):
    EVENT_TYPE = "case.verification_requested"

    # (personkey, department) pairs newly asked.
    requests: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class VerificationCompleted(Event):
    EVENT_TYPE = "case.verification_completed"

    answered: int
    # (personkey, department, status) of every answer the home visit must make up for.
    gaps: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class HomeVisitRecorded(Event):
    EVENT_TYPE = "case.home_visit_recorded"

    gaps_noted: bool


@dataclass(frozen=True)
class AppraisalRecorded(Event):
    EVENT_TYPE = "case.appraisal_recorded"

    held: bool
    contested: bool
    skip_reason: str | None = None


@dataclass(frozen=True)
class ReviewRecorded(Event):
    EVENT_TYPE = "case.review_recorded"

    level: str
    recommends_approval: bool
    reason: str


@dataclass(frozen=True)
class PublicityStarted(Event):
    EVENT_TYPE = "case.publicity_started"

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ObjectionRecorded(Event):
    EVENT_TYPE = "case.objection_recorded"

    summary: str
    sent_back: bool


@dataclass(frozen=True)
class Approved(Event):
    EVENT_TYPE = "case.approved"

    programme: str
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class Rejected(Event):
    EVENT_TYPE = "case.rejected"

    reason: str


@dataclass(frozen=True)
class PaymentStarted(Event):
    EVENT_TYPE = "case.payment_started"

    amount: Decimal
    first_month: date


@dataclass(frozen=True)
class ManagementStarted(Event):
    EVENT_TYPE = "case.management_started"

    next_review_on: date


@dataclass(frozen=True)
class BenefitChanged(Event):
    EVENT_TYPE = "case.benefit_changed"

    previous: Decimal | None
    amount: Decimal
    reason: str


@dataclass(frozen=True)
class ReviewDue(Event):
    EVENT_TYPE = "case.review_due"

    due_on: date


@dataclass(frozen=True)
class PeriodicReviewRecorded(Event):
    EVENT_TYPE = "case.periodic_review_recorded"

    next_review_on: date


@dataclass(frozen=True)
class AlertRaised(Event):
    EVENT_TYPE = "case.alert_raised"

    kind: str
    summary: str


@dataclass(frozen=True)
class ReferralRequested(Event):
    EVENT_TYPE = "case.referral_requested"

    agency: str
    reason: str


@dataclass(frozen=True)
class Suspended(Event):
    EVENT_TYPE = "case.suspended"

    reason: str


@dataclass(frozen=True)
class Resumed(Event):
    EVENT_TYPE = "case.resumed"

    reason: str


@dataclass(frozen=True)
class Ended(Event):
    EVENT_TYPE = "case.ended"

    reason: str


@dataclass(frozen=True)
class Closed(Event):
    """A lead closed without an application, or an application withdrawn (撤回)."""

    EVENT_TYPE = "case.closed"

    outcome: str
    reason: str
