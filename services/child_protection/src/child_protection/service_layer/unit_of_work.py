"""child_protection's unit of work: the repositories of one transaction; the kit commits state, outbox and
inbox together."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from child_protection.adapters.case_repository import AbstractCaseRepository, SqlCaseRepository
from child_protection.adapters.child_repository import AbstractChildRepository, SqlChildRepository
from child_protection.service_layer.outgoing import to_message
from shared.crypto import FieldCipher
from shared.kit.sql import SqlUnitOfWork
from shared.kit.unit_of_work import AbstractUnitOfWork, Inbound

SOURCE = "/services/child_protection"


class ChildProtectionUnitOfWork(AbstractUnitOfWork):
    """What the handlers may use inside one transaction: cases and register files."""

    cases: AbstractCaseRepository
    children: AbstractChildRepository


class SqlChildProtectionUnitOfWork(SqlUnitOfWork, ChildProtectionUnitOfWork):
    """child_protection's unit of work on PostgreSQL."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher, inbound: Inbound | None = None
    ) -> None:
        super().__init__(sessions, to_message, source=SOURCE, inbound=inbound)
        self.cipher = cipher

    def bind(self, session: AsyncSession) -> None:
        self.cases = SqlCaseRepository(self.tracker, session, self.cipher)
        self.children = SqlChildRepository(self.tracker, session, self.cipher)
