"""What the intake worker consumes: domain services' case events, to close the 12345 loop (闭环)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from intake.domain.errors import InvalidTransition
from intake.domain.model import Status
from intake.service_layer.unit_of_work import UnitOfWork
from shared.contracts import child_protection as cp
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1
from shared.crypto import FieldCipher
from shared.messaging.consumer import Handler

log = structlog.get_logger(__name__)

TOPICS = (CHILD_PROTECTION_CASE_V1,)
# Every case event that means "someone is working on it" moves an accepted work order to in_progress.
PROGRESS_SUFFIXES = (
    "emergency_responded",
    "temporary_guardianship_started",
    "assessed",
    "risk_changed",
    "service_plan_updated",
    "intervention_recorded",
)


def make_handlers(cipher: FieldCipher) -> dict[str, Handler]:
    """Handlers keyed by CloudEvents type."""

    async def on_case_event(event: CloudEvent, session: AsyncSession) -> None:
        await apply_case_event(event, session, cipher)

    types: list[type[cp.CaseEvent]] = [
        cp.CaseReported,
        cp.CaseAccepted,
        cp.CaseDeclined,
        cp.CaseClosed,
        cp.CaseReopened,
    ]
    handlers: dict[str, Handler] = {t.EVENT_TYPE: on_case_event for t in types}
    handlers.update({f"child_protection.case.{suffix}": on_case_event for suffix in PROGRESS_SUFFIXES})
    return handlers


async def apply_case_event(event: CloudEvent, session: AsyncSession, cipher: FieldCipher) -> None:
    """Move the work order a case came from; events of cases not opened from 12345 are ignored."""
    raw_id = event.data.get("work_order_id")
    if not raw_id:
        return
    service, _, kind = event.type.partition(".case.")
    uow = UnitOfWork(session, cipher, causation_id=event.id)
    wo = await uow.work_orders.get(uuid.UUID(str(raw_id)))
    if wo is None:
        log.warning("case_event_for_unknown_work_order", work_order_id=str(raw_id))
        return
    at = datetime.now(UTC)
    case_ref = f"{service}/{event.data.get('case_ref') or event.data.get('case_id')}"
    if not wo.is_open and kind not in ("reopened", "closed"):
        log.info("case_event_after_work_order_ended", status=wo.status.value, case_event=event.type)
        return
    if kind not in ("reported", "accepted", "declined", "closed", "reopened") and wo.status not in (
        Status.ACCEPTED,
        Status.REOPENED,
        Status.ROUTED,
    ):
        return
    try:
        if kind == "reported":
            wo.case_ref = wo.case_ref or case_ref
        elif kind == "accepted":
            wo.accept(at, case_ref, service)
        elif kind == "declined":
            wo.decline(at, str(event.data.get("reason") or "承办部门退回"), service)
        elif kind == "closed":
            wo.case_ref = wo.case_ref or case_ref
            wo.reply(at, str(event.data.get("feedback") or ""), service)
        elif kind == "reopened":
            wo.reopen(at, str(event.data.get("reason") or "案件重启"), service)
        else:
            wo.mark_in_progress(at, service)
    except InvalidTransition as exc:
        # A late or out-of-order case event (for example after 12345 revoked the order) changes nothing.
        log.warning(
            "case_event_not_applicable", status=wo.status.value, case_event=event.type, reason=exc.message
        )
        return
    await uow.work_orders.save(wo)
    await uow.flush_events()
