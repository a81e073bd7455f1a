"""child_protection's unit of work: the repositories of one transaction; the kit commits state, outbox and
inbox together."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from child_protection.adapters.case_repository import AbstractCaseRepository, SqlCaseRepository
from child_protection.adapters.child_repository import AbstractChildRepository, SqlChildRepository
from child_protection.service_layer.outgoing import to_message
from shared.kit.sql import SqlUnitOfWork
from shared.kit.unit_of_work import AbstractUnitOfWork


class ChildProtectionUnitOfWork(AbstractUnitOfWork):
    """What the handlers may use inside one transaction: cases and register files."""

    cases: AbstractCaseRepository
    children: AbstractChildRepository


class SqlChildProtectionUnitOfWork(SqlUnitOfWork, ChildProtectionUnitOfWork):
    """child_protection's unit of work on PostgreSQL."""

    SOURCE = "/services/child_protection"
    TO_MESSAGE = to_message

    def bind(self, session: AsyncConnection) -> None:
        assert self.cipher is not None
        self.cases = SqlCaseRepository(self.tracker, session, self.cipher)
        self.children = SqlChildRepository(self.tracker, session, self.cipher)
