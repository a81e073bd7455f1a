"""assistance's unit of work: the repositories of one transaction; the kit commits state, outbox and inbox
together (the SQL unit of work comes with the adapters)."""

from __future__ import annotations

from assistance.adapters.repository import AbstractApplicationRepository, AbstractHouseholdRepository
from shared.kit.unit_of_work import AbstractUnitOfWork


class AssistanceUnitOfWork(AbstractUnitOfWork):
    """What the handlers may use inside one transaction: applications (and leads) and household files."""

    applications: AbstractApplicationRepository
    households: AbstractHouseholdRepository
