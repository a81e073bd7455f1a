"""What the intake worker consumes: the domain services' case events, to close the 12345 loop (闭环)."""

from __future__ import annotations

import uuid

from intake.domain.commands import ApplyCaseEvent
from intake.service_layer.handlers import PROGRESS_KINDS
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1
from shared.kit.worker import Subscription
from shared.messaging.consumer import Route

TOPICS = (CHILD_PROTECTION_CASE_V1,)
_LIFECYCLE = ("reported", "accepted", "declined", "closed", "reopened")


def to_apply_case_event(event: CloudEvent) -> ApplyCaseEvent | None:
    """A case event of a case opened from a 12345 work order; others are none of intake's business."""
    data = event.data
    raw_id = data.get("work_order_id")
    if not raw_id:
        return None
    service, _, kind = event.type.partition(".case.")
    return ApplyCaseEvent(
        work_order_id=uuid.UUID(str(raw_id)),
        service=service,
        kind=kind,
        case_ref=f"{service}/{data.get('case_ref') or data.get('case_id')}",
        reason=data.get("reason"),
        feedback=data.get("feedback"),
        referred_to=data.get("referred_to"),
    )


def _routes() -> dict[str, Route]:
    kinds = (*_LIFECYCLE, *sorted(PROGRESS_KINDS))
    return {f"child_protection.case.{kind}": to_apply_case_event for kind in kinds}


ROUTES = _routes()
SUBSCRIPTION = Subscription(topics=TOPICS, routes=ROUTES)
