"""Events of child_protection: the case aggregate (child_protection.case.v1, key = case id) and the
register of children under watch (child_protection.child.v1, key = child id)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from shared.contracts.base import Contract, FreeText
from shared.contracts.registry import register
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1, CHILD_PROTECTION_CHILD_V1

RiskColour = Literal["red", "yellow", "blue", "green"]


class CaseEvent(Contract):
    """Fields every child-protection case event carries; `work_order_id` links a 12345 work order."""

    TOPIC = CHILD_PROTECTION_CASE_V1

    case_id: uuid.UUID
    case_ref: str
    region_code: str
    occurred_at: datetime
    stage: str | None = None
    work_order_id: uuid.UUID | None = None
    order_no: str | None = None
    child_personkey: str | None = None
    actor: str | None = None


@register
class CaseReported(CaseEvent):
    """A report about a child was registered (发现报告)."""

    EVENT_TYPE = "child_protection.case.reported"

    source: str | None = None
    reporter_type: str | None = None
    urgency: str | None = None
    summary: FreeText | None = None


@register
class CaseReportLinked(CaseEvent):
    """A further report about the same child was linked to this open case instead of opening another."""

    EVENT_TYPE = "child_protection.case.report_linked"

    source: str | None = None
    reporter_type: str | None = None


@register
class CaseAccepted(CaseEvent):
    """A report was accepted (受理) as a case."""

    EVENT_TYPE = "child_protection.case.accepted"


@register
class CaseDeclined(CaseEvent):
    """A report was declined (不予受理) or referred elsewhere (转介), with a reason."""

    EVENT_TYPE = "child_protection.case.declined"

    reason: FreeText
    referred_to: str | None = None


@register
class CaseEmergencyResponded(CaseEvent):
    """An emergency measure was taken (应急处置): on-site visit, safety measure, police, medical care."""

    EVENT_TYPE = "child_protection.case.emergency_responded"

    action: str
    note: FreeText | None = None


@register
class CaseTemporaryGuardianshipStarted(CaseEvent):
    """The minor rescue-and-protection centre took temporary guardianship (临时监护)."""

    EVENT_TYPE = "child_protection.case.temporary_guardianship_started"

    institution: str
    legal_basis: str | None = None


@register
class CaseTemporaryGuardianshipEnded(CaseEvent):
    """Temporary guardianship ended."""

    EVENT_TYPE = "child_protection.case.temporary_guardianship_ended"

    outcome: FreeText


@register
class CaseAssessed(CaseEvent):
    """A structured assessment was recorded (评估: guardianship situation and capacity, risk colour)."""

    EVENT_TYPE = "child_protection.case.assessed"

    risk_colour: RiskColour
    guardianship_capacity: FreeText
    hardship: bool = False


@register
class CaseRiskChanged(CaseEvent):
    """The case's risk colour changed."""

    EVENT_TYPE = "child_protection.case.risk_changed"

    previous: RiskColour | None = None
    current: RiskColour


@register
class CaseServicePlanUpdated(CaseEvent):
    """The service plan (一人一清单) changed."""

    EVENT_TYPE = "child_protection.case.service_plan_updated"

    items: int
    open_items: int


@register
class CaseInterventionRecorded(CaseEvent):
    """A guardianship intervention (监护干预) was recorded with its legal basis."""

    EVENT_TYPE = "child_protection.case.intervention_recorded"

    kind: str
    legal_basis: str


@register
class CaseStageChanged(CaseEvent):
    """The case moved along the response chain (possibly skipping a step with approval)."""

    EVENT_TYPE = "child_protection.case.stage_changed"

    previous: str
    skipped: list[str] = []
    skip_reason: FreeText | None = None
    approved_by: str | None = None


@register
class CaseDeadlineBreached(CaseEvent):
    """A step passed its due time (for 督办 escalation)."""

    EVENT_TYPE = "child_protection.case.deadline_breached"

    step: str
    due_at: datetime
    owner: str | None = None


@register
class CaseReferralRequested(CaseEvent):
    """The family needs social assistance: a referral for the assistance service."""

    EVENT_TYPE = "child_protection.case.referral_requested"

    program: Literal["assistance"] = "assistance"
    reason: FreeText
    household_region: str | None = None


@register
class CaseClosed(CaseEvent):
    """A case was closed with feedback (反馈) to the reporter."""

    EVENT_TYPE = "child_protection.case.closed"

    feedback: FreeText


@register
class CaseReopened(CaseEvent):
    """A closed case was reopened."""

    EVENT_TYPE = "child_protection.case.reopened"

    reason: FreeText


@register
class CaseCrossCountyDuplicateFound(CaseEvent):
    """A report about a child with an open case in another county opened this county's case instead of
    writing into that one; both counties' 审核人 decide the referral (`other_case_id` is that case)."""

    EVENT_TYPE = "child_protection.case.cross_county_duplicate_found"

    other_case_id: uuid.UUID


class ChildEvent(Contract):
    """Fields every register event carries."""

    TOPIC = CHILD_PROTECTION_CHILD_V1

    child_id: uuid.UUID
    personkey: str
    region_code: str
    occurred_at: datetime
    actor: str | None = None


@register
class ChildRegistered(ChildEvent):
    """A child was entered in the register of children under watch (一人一档)."""

    EVENT_TYPE = "child_protection.child.registered"

    categories: list[str]
    risk_colour: RiskColour
    # What needs attention, e.g. "agreement_missing" (a left-behind child without a signed care agreement).
    flags: list[str] = []


@register
class ChildUpdated(ChildEvent):
    """A child's file changed (guardians, caregiver, care agreement, categories)."""

    EVENT_TYPE = "child_protection.child.updated"

    fields: list[str]
    flags: list[str] = []


@register
class ChildRiskChanged(ChildEvent):
    """A child's four-colour risk classification changed."""

    EVENT_TYPE = "child_protection.child.risk_changed"

    previous: RiskColour | None = None
    current: RiskColour
    reason: FreeText | None = None
    # The case that took the report when the risk rose to red or yellow (opened or linked).
    case_id: uuid.UUID | None = None


@register
class ChildVisitScheduled(ChildEvent):
    """A visit to the child was scheduled."""

    EVENT_TYPE = "child_protection.child.visit_scheduled"

    visit_id: uuid.UUID
    due_date: date
    visit_type: str | None = None


@register
class ChildVisitRecorded(ChildEvent):
    """A visit took place."""

    EVENT_TYPE = "child_protection.child.visit_recorded"

    visit_id: uuid.UUID
    risk_raised: bool = False
    visit_type: str | None = None
    # The case that took the report when the visit found a risk (opened or linked).
    case_id: uuid.UUID | None = None


@register
class ChildVisitMissed(ChildEvent):
    """A scheduled visit did not take place in time."""

    EVENT_TYPE = "child_protection.child.visit_missed"

    visit_id: uuid.UUID
    due_date: date
    visit_type: str | None = None
    # The case that took the report the missed visit opened (or was linked to).
    case_id: uuid.UUID | None = None
