"""Events of assistance: the application aggregate (assistance.case.v1, key = application id).

A lead (线索) or an application for 低保, 特困 or 临时救助 from 申请 to 终止. Events carry ids, person keys,
the region code, exact amounts (decimals, serialised as strings) and masked free text: never an ID number,
a phone number or a full name.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from shared.contracts.base import Contract, FreeText
from shared.contracts.registry import register
from shared.contracts.topics import ASSISTANCE_CASE_V1


class ApplicationEvent(Contract):
    """Fields every application event carries; `lead_ref` is the 12345 work order or child-protection case
    a lead came from (`lead_source` says which), `covered_personkeys` whom the application covers."""

    TOPIC = ASSISTANCE_CASE_V1

    application_id: uuid.UUID
    case_ref: str
    region_code: str
    occurred_at: datetime
    stage: str | None = None
    programme: str | None = None
    lead_source: str | None = None
    lead_ref: str | None = None
    applicant_personkey: str | None = None
    covered_personkeys: list[str] = []
    actor: str | None = None


class VerificationItem(BaseModel):
    """One department asked to check one covered person's income and assets."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    personkey: str
    department: str


class VerificationGap(BaseModel):
    """One answer (or its absence) the home visit must make up for."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    personkey: str
    department: str
    status: str


@register
class LeadOpened(ApplicationEvent):
    """A lead (线索) was opened: from 12345, a child-protection referral, discovery or monitoring."""

    EVENT_TYPE = "assistance.case.lead_opened"

    summary: FreeText | None = None


@register
class Applied(ApplicationEvent):
    """An application (申请) was registered, possibly converted from a lead or re-applied."""

    EVENT_TYPE = "assistance.case.applied"

    temporary_kind: str | None = None
    household_id: uuid.UUID | None = None
    previous_id: uuid.UUID | None = None


@register
class Accepted(ApplicationEvent):
    """The application was accepted (受理); `review_level` is where 审核确认 will be done."""

    EVENT_TYPE = "assistance.case.accepted"

    review_level: str | None = None


@register
class Declined(ApplicationEvent):
    """The application was declined (不予受理) with the reason the applicant is told."""

    EVENT_TYPE = "assistance.case.declined"

    reason: FreeText


@register
class CoverageChanged(ApplicationEvent):
    """Whom the application covers changed (the household's members for 低保)."""

    EVENT_TYPE = "assistance.case.coverage_changed"

    reason: FreeText


@register
class VerificationRequested(ApplicationEvent):
    """Income and asset checks (核对) were asked of departments."""

    EVENT_TYPE = "assistance.case.verification_requested"

    requests: list[VerificationItem] = []


@register
class VerificationCompleted(ApplicationEvent):
    """The checks were closed; `gaps` are the answers the home visit must make up for."""

    EVENT_TYPE = "assistance.case.verification_completed"

    answered: int = 0
    gaps: list[VerificationGap] = []


@register
class HomeVisitRecorded(ApplicationEvent):
    """The home visit (入户调查) was recorded."""

    EVENT_TYPE = "assistance.case.home_visit_recorded"

    gaps_noted: bool = False


@register
class AppraisalRecorded(ApplicationEvent):
    """Democratic appraisal (民主评议) was held, or skipped for an uncontested application with a reason."""

    EVENT_TYPE = "assistance.case.appraisal_recorded"

    held: bool
    contested: bool = False
    skip_reason: FreeText | None = None


@register
class ReviewRecorded(ApplicationEvent):
    """审核确认 was recorded at the township or county, recommending approval or not."""

    EVENT_TYPE = "assistance.case.review_recorded"

    level: str
    recommends_approval: bool
    reason: FreeText


@register
class PublicityStarted(ApplicationEvent):
    """公示 started for the given period."""

    EVENT_TYPE = "assistance.case.publicity_started"

    starts_at: datetime
    ends_at: datetime


@register
class ObjectionRecorded(ApplicationEvent):
    """An objection raised during 公示 was recorded; `sent_back` when it sent the application back."""

    EVENT_TYPE = "assistance.case.objection_recorded"

    summary: FreeText
    sent_back: bool = False


@register
class Approved(ApplicationEvent):
    """The application was approved (批准) with the monthly amount (or the one-off sum for 临时救助)."""

    EVENT_TYPE = "assistance.case.approved"

    amount: Decimal
    reason: FreeText


@register
class Rejected(ApplicationEvent):
    """The application was rejected (不予批准) with the reasons the applicant is told."""

    EVENT_TYPE = "assistance.case.rejected"

    reason: FreeText


@register
class PaymentStarted(ApplicationEvent):
    """Payment (发放) started from the given month."""

    EVENT_TYPE = "assistance.case.payment_started"

    amount: Decimal
    first_month: date


@register
class ManagementStarted(ApplicationEvent):
    """Dynamic management (动态管理) started, with the first periodic review's date."""

    EVENT_TYPE = "assistance.case.management_started"

    next_review_on: date


@register
class BenefitChanged(ApplicationEvent):
    """The benefit amount changed (增发、减发), with the reason."""

    EVENT_TYPE = "assistance.case.benefit_changed"

    previous: Decimal | None = None
    amount: Decimal
    reason: FreeText


@register
class ReviewDue(ApplicationEvent):
    """A periodic review (定期复核) fell due."""

    EVENT_TYPE = "assistance.case.review_due"

    due_on: date


@register
class PeriodicReviewRecorded(ApplicationEvent):
    """A periodic review was recorded, with the next one's date."""

    EVENT_TYPE = "assistance.case.periodic_review_recorded"

    next_review_on: date


@register
class AlertRaised(ApplicationEvent):
    """The monitoring platform raised an alert (防错、防漏预警) on the application."""

    EVENT_TYPE = "assistance.case.alert_raised"

    kind: str
    summary: FreeText


@register
class ReferralRequested(ApplicationEvent):
    """The family needs help another agency gives (转介), with the reason."""

    EVENT_TYPE = "assistance.case.referral_requested"

    agency: str
    reason: FreeText


@register
class Suspended(ApplicationEvent):
    """Payment was suspended (暂停发放), with the reason."""

    EVENT_TYPE = "assistance.case.suspended"

    reason: FreeText


@register
class Resumed(ApplicationEvent):
    """A suspended payment resumed (恢复发放), with the reason."""

    EVENT_TYPE = "assistance.case.resumed"

    reason: FreeText


@register
class Ended(ApplicationEvent):
    """The assistance ended (终止), with the reason."""

    EVENT_TYPE = "assistance.case.ended"

    reason: FreeText


@register
class Closed(ApplicationEvent):
    """A lead closed without an application, or an application withdrawn (撤回): `outcome` says which."""

    EVENT_TYPE = "assistance.case.closed"

    outcome: str
    reason: FreeText
