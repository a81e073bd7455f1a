"""Unit of work: repository + outbox in one transaction; the only place child_protection writes the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from child_protection.adapters.child_repository import ChildRepository
from child_protection.adapters.repository import CaseRepository
from child_protection.domain.deadlines import DEFAULT_RULES, StepRule, due_at
from child_protection.domain.model import Case
from child_protection.service_layer.calendar import is_workday
from child_protection.service_layer.outgoing import child_to_contract, to_contract
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1, CHILD_PROTECTION_CHILD_V1
from shared.crypto import FieldCipher
from shared.messaging.outbox import add_many_to_outbox, make_event

SOURCE = "/services/child_protection"


class UnitOfWork:
    """One transaction: cases changed in it get their step due time and their events staged in the outbox."""

    def __init__(
        self,
        session: AsyncSession,
        cipher: FieldCipher,
        *,
        causation_id: str | None = None,
        correlation_id: str | None = None,
        rules: Mapping[str, Mapping[str, StepRule]] = DEFAULT_RULES,
    ) -> None:
        self.session = session
        self.cases = CaseRepository(session, cipher)
        # The register of children under watch (files and visits); events on child_protection.child.v1.
        self.children = ChildRepository(session, cipher)
        self.causation_id = causation_id
        self.correlation_id = correlation_id
        self.rules = rules

    def schedule(self) -> None:
        """Give each changed case the due time of the step it is in now."""
        for c in self.cases.seen:
            entered = c.stage_entered_at or c.opened_at
            due = due_at(c.stage, c.urgency, entered, is_workday, self.rules) if c.is_open else None
            if due != c.step_due_at:
                c.step_due_at = due
                c.step_breached_at = None

    async def add(self, c: Case) -> None:
        self.cases.seen.append(c)
        self.schedule()
        self.cases.seen.pop()
        await self.cases.add(c)

    async def save(self, c: Case) -> None:
        """Schedule the step's due time, then write the case back."""
        self.schedule()
        await self.cases.save(c)

    async def flush_events(self) -> None:
        staged: list[tuple[CloudEvent, str, str]] = []
        for c in self.cases.seen:
            for domain_event in c.events:
                event = make_event(
                    to_contract(c, domain_event),
                    source=SOURCE,
                    subject=str(c.id),
                    correlationid=self.correlation_id or c.work_order_id or str(c.id),
                    causationid=self.causation_id,
                    personkey=c.child.personkey,
                    regioncode=c.region_code,
                )
                staged.append((event, CHILD_PROTECTION_CASE_V1, str(c.id)))
            c.events.clear()
        for child in self.children.seen:
            for child_event in child.events:
                event = make_event(
                    child_to_contract(child, child_event),
                    source=SOURCE,
                    subject=str(child.id),
                    correlationid=self.correlation_id or str(child.id),
                    causationid=self.causation_id,
                    personkey=child.personkey,
                    regioncode=child.region_code,
                )
                staged.append((event, CHILD_PROTECTION_CHILD_V1, str(child.id)))
            child.events.clear()
        await add_many_to_outbox(self.session, staged)


@asynccontextmanager
async def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher, **options: object
) -> AsyncIterator[UnitOfWork]:
    """A transaction that commits state and outbox together when the block ends without error."""
    async with sessions() as session, session.begin():
        uow = UnitOfWork(session, cipher, **options)  # type: ignore[arg-type]
        yield uow
        await uow.flush_events()
