"""Unit of work: repository + outbox in one transaction; the only place intake writes the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.adapters.repository import WorkOrderRepository
from intake.service_layer.outgoing import to_contract
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import INTAKE_WORK_ORDER_V1
from shared.crypto import FieldCipher
from shared.messaging.outbox import add_many_to_outbox, make_event

SOURCE = "/services/intake"


class UnitOfWork:
    """Holds the session of one transaction; `flush_events` stages every new event in the outbox."""

    def __init__(
        self, session: AsyncSession, cipher: FieldCipher, *, causation_id: str | None = None
    ) -> None:
        self.session = session
        self.work_orders = WorkOrderRepository(session, cipher)
        self.causation_id = causation_id

    async def flush_events(self) -> None:
        staged: list[tuple[CloudEvent, str, str]] = []
        for wo in self.work_orders.seen:
            primary = wo.subjects[0].personkey if wo.subjects else None
            for domain_event in wo.events:
                event = make_event(
                    to_contract(wo, domain_event),
                    source=SOURCE,
                    subject=str(wo.id),
                    correlationid=str(wo.id),
                    causationid=self.causation_id,
                    personkey=primary,
                    regioncode=wo.responsible_region or wo.region_code,
                )
                staged.append((event, INTAKE_WORK_ORDER_V1, str(wo.id)))
            wo.events.clear()
        await add_many_to_outbox(self.session, staged)


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher
) -> AsyncIterator[UnitOfWork]:
    """A transaction that commits state and outbox together when the block ends without error."""
    async with sessions() as session, session.begin():
        uow = UnitOfWork(session, cipher)
        yield uow
        await uow.flush_events()
