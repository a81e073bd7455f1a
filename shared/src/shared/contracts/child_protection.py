"""Events of the child_protection case aggregate (topic child_protection.case.v1, key = case id)."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.contracts.base import Contract
from shared.contracts.registry import register
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1


class CaseEvent(Contract):
    """Fields every child-protection case event carries; `work_order_id` links a 12345 work order."""

    TOPIC = CHILD_PROTECTION_CASE_V1

    case_id: uuid.UUID
    case_ref: str
    region_code: str
    occurred_at: datetime
    work_order_id: uuid.UUID | None = None
    order_no: str | None = None


@register
class CaseReported(CaseEvent):
    """A report about a child was registered (发现报告)."""

    EVENT_TYPE = "child_protection.case.reported"


@register
class CaseAccepted(CaseEvent):
    """A report was accepted (受理) as a case."""

    EVENT_TYPE = "child_protection.case.accepted"


@register
class CaseDeclined(CaseEvent):
    """A report was declined or referred elsewhere, with a reason."""

    EVENT_TYPE = "child_protection.case.declined"

    reason: str


@register
class CaseClosed(CaseEvent):
    """A case was closed with feedback (反馈) to the reporter."""

    EVENT_TYPE = "child_protection.case.closed"

    feedback: str


@register
class CaseReopened(CaseEvent):
    """A closed case was reopened."""

    EVENT_TYPE = "child_protection.case.reopened"

    reason: str
