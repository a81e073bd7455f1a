"""assistance's unit of work: the repositories of one transaction; the kit commits state, outbox and inbox
together."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from assistance.adapters.repository import (
    AbstractApplicationRepository,
    AbstractHouseholdRepository,
    SqlApplicationRepository,
    SqlHouseholdRepository,
)
from assistance.service_layer.outgoing import to_message
from shared.kit.sql import SqlUnitOfWork
from shared.kit.unit_of_work import AbstractUnitOfWork


class AssistanceUnitOfWork(AbstractUnitOfWork):
    """What the handlers may use inside one transaction: applications (and leads) and household files."""

    applications: AbstractApplicationRepository
    households: AbstractHouseholdRepository


class SqlAssistanceUnitOfWork(SqlUnitOfWork, AssistanceUnitOfWork):
    """assistance's unit of work on PostgreSQL."""

    SOURCE = "/services/assistance"
    TO_MESSAGE = to_message

    def bind(self, session: AsyncConnection) -> None:
        self.applications = SqlApplicationRepository(self.tracker, session)
        self.households = SqlHouseholdRepository(self.tracker, session)
