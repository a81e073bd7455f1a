"""Events of the intake service's work-order aggregate (topic intake.work_order.v1, key = work order id)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from shared.contracts.base import Contract, FreeText
from shared.contracts.common import SubjectRef
from shared.contracts.registry import register
from shared.contracts.topics import INTAKE_WORK_ORDER_V1

Target = Literal["child_protection", "assistance", "vagrant_rescue", "triage"]
Urgency = Literal["normal", "urgent", "critical"]


class WorkOrderEvent(Contract):
    """Fields every work-order event carries."""

    TOPIC = INTAKE_WORK_ORDER_V1

    work_order_id: uuid.UUID
    order_no: str
    status: str
    occurred_at: datetime


class WorkOrderDetails(WorkOrderEvent):
    """What a domain service needs to open a case: the report, minimised (masked text, no ID numbers)."""

    channel: str
    category_code: str
    category_name: str | None = None
    urgency: Urgency
    region_code: str
    address: FreeText | None = None
    content: FreeText
    received_at: datetime
    deadline_at: datetime | None = None
    subjects: list[SubjectRef] = []
    caller_masked_name: str | None = None
    caller_anonymous: bool = False
    flags: list[str] = []


@register
class WorkOrderReceived(WorkOrderDetails):
    """A 12345 work order was received."""

    EVENT_TYPE = "intake.work_order.received"


@register
class WorkOrderRouted(WorkOrderDetails):
    """A work order was routed to a domain service and a responsible county (地市受理、区县处置)."""

    EVENT_TYPE = "intake.work_order.routed"

    routed_to: Literal["child_protection", "assistance", "vagrant_rescue"]
    responsible_region: str
    routed_by: str


@register
class WorkOrderTriageRequired(WorkOrderEvent):
    """A work order could not be routed automatically and waits in the intake desk's triage queue."""

    EVENT_TYPE = "intake.work_order.triage_required"

    region_code: str
    reasons: list[str]


@register
class WorkOrderSupplemented(WorkOrderEvent):
    """12345 added information (补充) to a work order."""

    EVENT_TYPE = "intake.work_order.supplemented"

    content: FreeText | None = None
    subjects: list[SubjectRef] = []
    routed_to: str | None = None


@register
class WorkOrderUrged(WorkOrderEvent):
    """12345 urged (催办) the handling of a work order."""

    EVENT_TYPE = "intake.work_order.urged"

    note: FreeText | None = None
    urge_count: int
    routed_to: str | None = None
    responsible_region: str | None = None


@register
class WorkOrderRevoked(WorkOrderEvent):
    """12345 withdrew (撤单) a work order."""

    EVENT_TYPE = "intake.work_order.revoked"

    reason: FreeText
    routed_to: str | None = None


@register
class WorkOrderAccepted(WorkOrderEvent):
    """The responsible service accepted (签收) the work order as a case."""

    EVENT_TYPE = "intake.work_order.accepted"

    case_ref: str


@register
class WorkOrderInProgress(WorkOrderEvent):
    """The responsible service is working on the case (办理中)."""

    EVENT_TYPE = "intake.work_order.in_progress"

    case_ref: str | None = None


@register
class WorkOrderReplied(WorkOrderEvent):
    """The case was concluded and the reply (办结回复) for 12345 is ready."""

    EVENT_TYPE = "intake.work_order.replied"

    case_ref: str | None = None
    reply_text: FreeText


@register
class WorkOrderSatisfactionRecorded(WorkOrderEvent):
    """12345 reported the caller's satisfaction (回访)."""

    EVENT_TYPE = "intake.work_order.satisfaction_recorded"

    score: int
    comment: FreeText | None = None


@register
class WorkOrderReopened(WorkOrderEvent):
    """A work order was reopened (low satisfaction, or the case was reopened)."""

    EVENT_TYPE = "intake.work_order.reopened"

    reason: FreeText
    routed_to: str | None = None


@register
class WorkOrderClosed(WorkOrderEvent):
    """A work order was closed."""

    EVENT_TYPE = "intake.work_order.closed"
