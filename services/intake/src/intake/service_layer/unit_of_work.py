"""Intake's unit of work: the repositories of one transaction; the kit commits state, outbox and inbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.adapters.repository import (
    AbstractHotlineRepository,
    AbstractWorkOrderRepository,
    SqlHotlineRepository,
    SqlWorkOrderRepository,
)
from intake.service_layer.outgoing import to_message
from shared.crypto import FieldCipher
from shared.kit.sql import SqlUnitOfWork
from shared.kit.unit_of_work import AbstractUnitOfWork, Inbound

SOURCE = "/services/intake"


class IntakeUnitOfWork(AbstractUnitOfWork):
    """What intake's handlers may use inside one transaction."""

    work_orders: AbstractWorkOrderRepository
    hotline: AbstractHotlineRepository


class SqlIntakeUnitOfWork(SqlUnitOfWork, IntakeUnitOfWork):
    """Intake's unit of work on PostgreSQL."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], cipher: FieldCipher, inbound: Inbound | None = None
    ) -> None:
        super().__init__(sessions, to_message, source=SOURCE, inbound=inbound)
        self.cipher = cipher

    def bind(self, session: AsyncSession) -> None:
        self.work_orders = SqlWorkOrderRepository(self.tracker, session, self.cipher)
        self.hotline = SqlHotlineRepository(session)
