"""Intake's unit of work: the repositories of one transaction; the kit commits state, outbox and inbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.repository import (
    AbstractHotlineRepository,
    AbstractWorkOrderRepository,
    SqlHotlineRepository,
    SqlWorkOrderRepository,
)
from intake.adapters.routing_cache import RoutingCache
from intake.service_layer.outgoing import to_message
from shared.crypto import FieldCipher
from shared.db import Sessions
from shared.kit.sql import SqlUnitOfWork
from shared.kit.unit_of_work import AbstractUnitOfWork, Inbound


class IntakeUnitOfWork(AbstractUnitOfWork):
    """What intake's handlers may use inside one transaction."""

    work_orders: AbstractWorkOrderRepository
    hotline: AbstractHotlineRepository


class SqlIntakeUnitOfWork(SqlUnitOfWork, IntakeUnitOfWork):
    """Intake's unit of work on PostgreSQL."""

    SOURCE = "/services/intake"
    TO_MESSAGE = to_message

    def __init__(
        self,
        sessions: Sessions,
        inbound: Inbound | None = None,
        *,
        cipher: FieldCipher | None = None,
        routing: RoutingCache | None = None,
    ) -> None:
        super().__init__(sessions, inbound, cipher=cipher)
        self.routing = routing

    def bind(self, session: AsyncConnection) -> None:
        assert self.cipher is not None
        self.work_orders = SqlWorkOrderRepository(self.tracker, session, self.cipher)
        self.hotline = SqlHotlineRepository(session, self.routing, self.after_commit)
