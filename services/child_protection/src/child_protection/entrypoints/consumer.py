"""What the child_protection worker consumes: 12345 work orders routed here by intake."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from child_protection.adapters.tables import case
from child_protection.domain.errors import ChildProtectionError
from child_protection.domain.model import Child, Report
from child_protection.service_layer import handlers
from child_protection.service_layer.unit_of_work import UnitOfWork
from child_protection.settings import ChildProtectionSettings
from shared.contracts import intake as intake_contracts
from shared.contracts.common import SubjectRef
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import INTAKE_WORK_ORDER_V1
from shared.crypto import FieldCipher
from shared.identity import provisional_personkey
from shared.messaging.consumer import Handler

log = structlog.get_logger(__name__)
TOPICS = (INTAKE_WORK_ORDER_V1,)
ACTOR = "12345"


def _child(subjects: list[SubjectRef]) -> Child:
    """The child the work order is about: the first minor, else the first person named."""
    chosen = next((s for s in subjects if s.is_minor), subjects[0] if subjects else None)
    if chosen is None:
        return Child(personkey=provisional_personkey())
    return Child(personkey=chosen.personkey, name=chosen.masked_name, gender=chosen.gender, age=chosen.age)


def make_handlers(cipher: FieldCipher, settings: ChildProtectionSettings) -> dict[str, Handler]:
    """Handlers keyed by CloudEvents type."""

    async def on_routed(event: CloudEvent, session: AsyncSession) -> None:
        data = intake_contracts.WorkOrderRouted.model_validate(event.data)
        if data.routed_to != "child_protection":
            return
        uow = UnitOfWork(session, cipher, causation_id=event.id, correlation_id=str(data.work_order_id))
        new = handlers.NewReport(
            region_code=data.responsible_region,
            urgency=data.urgency,
            child=_child(data.subjects),
            report=Report(
                id=event.id,
                received_at=data.received_at,
                source="12345",
                reporter_type="hotline_12345",
                content=data.content,
                reporter_name=data.caller_masked_name,
                work_order_id=str(data.work_order_id),
                order_no=data.order_no,
            ),
        )
        await handlers.report(
            uow, new, at=datetime.now(UTC), actor=ACTOR, window_days=settings.duplicate_window_days
        )
        await uow.flush_events()

    async def on_follow_up(event: CloudEvent, session: AsyncSession) -> None:
        """补充 / 催办 / 撤单 from 12345 on a work order this service handles."""
        work_order_id = event.data.get("work_order_id")
        if event.data.get("routed_to") not in (None, "child_protection") or not work_order_id:
            return
        case_id = await session.scalar(
            select(case.c.id)
            .where(case.c.work_order_id == uuid.UUID(str(work_order_id)))
            .order_by(case.c.opened_at.desc())
            .limit(1)
        )
        if case_id is None:
            return
        uow = UnitOfWork(session, cipher, causation_id=event.id, correlation_id=str(work_order_id))
        c = await handlers.load(uow, case_id)
        at, kind = datetime.now(UTC), event.type.rsplit(".", 1)[-1]
        try:
            if kind == "revoked" and c.stage.value == "reported":
                c.decline(at, ACTOR, f"12345 撤单：{event.data.get('reason') or ''}")
            else:
                note = event.data.get("content") or event.data.get("note") or event.data.get("reason")
                c.note_hotline(kind, note, at)
        except ChildProtectionError as exc:
            log.warning("hotline_follow_up_not_applicable", kind=kind, reason=exc.message)
            return
        await uow.save(c)
        await uow.flush_events()

    return {
        intake_contracts.WorkOrderRouted.EVENT_TYPE: on_routed,
        intake_contracts.WorkOrderSupplemented.EVENT_TYPE: on_follow_up,
        intake_contracts.WorkOrderUrged.EVENT_TYPE: on_follow_up,
        intake_contracts.WorkOrderRevoked.EVENT_TYPE: on_follow_up,
    }
