"""In-memory assistance for handler tests: fake repositories and unit of work, the real bus and handlers
on them, and the household of the worked examples (no database, no broker)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from assistance.adapters.repository import AbstractApplicationRepository, AbstractHouseholdRepository
from assistance.data import load_seed_standards
from assistance.domain import commands as c
from assistance.domain.application_events import Event
from assistance.domain.application_model import Application
from assistance.domain.application_parts import Actor, HistoryEntry, make_case_ref
from assistance.domain.household import Household
from assistance.domain.household_parts import (
    Expenditure,
    ExpenditureKind,
    IncomeItem,
    IncomeSource,
    Member,
    Relation,
)
from assistance.domain.programmes import Coverage, Programme
from assistance.domain.stages import ACTIVE
from assistance.service_layer.handlers import HANDLERS
from assistance.service_layer.outgoing import to_message
from assistance.service_layer.unit_of_work import AssistanceUnitOfWork
from shared.kit.clock import FixedClock
from shared.kit.commands import Command
from shared.kit.messagebus import MessageBus
from shared.kit.testing import FakeUnitOfWork, bus_uow_factory
from shared.kit.unit_of_work import Message, Tracker

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COUNTY = "500154"
TOWNSHIP = "500154101"
CASEWORKER = Actor("u-li", "李社工", "caseworker")
FEBRUARY = date(2026, 2, 1)


class FakeApplicationRepository(AbstractApplicationRepository):
    """Applications in a dict; the history lines each save appends are kept in `saved_history`."""

    def __init__(self, tracker: Tracker) -> None:
        super().__init__(tracker)
        self.items: dict[uuid.UUID, Application] = {}
        self.saved_history: dict[uuid.UUID, list[HistoryEntry]] = {}
        self._numbers: dict[tuple[str, int], int] = {}

    async def next_case_ref(self, region_code: str, year: int) -> str:
        number = self._numbers[(region_code, year)] = self._numbers.get((region_code, year), 0) + 1
        return make_case_ref(region_code, year, number)

    async def active_for_personkeys(self, personkeys: Iterable[str]) -> list[Coverage]:
        people = set(personkeys)
        found = (a.coverage() for a in self.items.values())
        return [cov for cov in found if cov and cov.stage in ACTIVE and cov.personkeys & people]

    async def temporary_grants(self, household_id: uuid.UUID, year: int) -> list[Coverage]:
        found = (a.coverage() for a in self.items.values())
        return [
            cov
            for cov in found
            if cov
            and cov.household_id == household_id
            and cov.programme == Programme.TEMPORARY
            and cov.approved_on is not None
            and cov.approved_on.year == year
        ]

    async def _get(self, application_id: uuid.UUID) -> Application | None:
        return self.items.get(application_id)

    async def _get_by_case_ref(self, case_ref: str) -> Application | None:
        return next((a for a in self.items.values() if a.case_ref == case_ref), None)

    async def _get_by_lead_ref(self, lead_ref: str) -> Application | None:
        found = [a for a in self.items.values() if a.lead_ref == lead_ref]
        return max(found, key=lambda a: a.opened_at) if found else None

    async def _add(self, new: Application) -> None:
        new.version = 1
        self.items[new.id] = new
        self._keep_history(new)

    async def save(self, changed: Application) -> None:
        changed.version += 1
        self._keep_history(changed)

    def _keep_history(self, a: Application) -> None:
        self.saved_history.setdefault(a.id, []).extend(a.history)
        a.history.clear()

    def actions(self, application_id: uuid.UUID) -> list[str]:
        """The history lines of an application, as the SQL repository would have appended them."""
        return [h.action for h in self.saved_history.get(application_id, [])]


class FakeHouseholdRepository(AbstractHouseholdRepository):
    """Household files in a dict."""

    def __init__(self, tracker: Tracker) -> None:
        super().__init__(tracker)
        self.items: dict[uuid.UUID, Household] = {}

    async def get(self, household_id: uuid.UUID) -> Household | None:
        return self.items.get(household_id)

    async def add(self, new: Household) -> None:
        new.version = 1
        self.items[new.id] = new

    async def save(self, changed: Household) -> None:
        changed.version += 1


class FakeAssistanceUnitOfWork(FakeUnitOfWork, AssistanceUnitOfWork):
    """The fake unit of work: a commit stages the real messages (`outbox`), and the domain events they were
    mapped from are kept as they are in `staged_events`."""

    def __init__(self) -> None:
        self.staged_events: list[Event] = []
        super().__init__(self._keep, source="/services/assistance")
        self.applications: FakeApplicationRepository = FakeApplicationRepository(self.tracker)
        self.households: FakeHouseholdRepository = FakeHouseholdRepository(self.tracker)

    def _keep(self, aggregate: Any, event: Any) -> Message | None:
        self.staged_events.append(event)
        return to_message(aggregate, event)

    def event_types(self) -> list[str]:
        return [e.EVENT_TYPE for e in self.staged_events]


class Service:
    """The real bus and handlers on the fake unit of work, with a clock the test moves."""

    def __init__(self) -> None:
        self.clock = FixedClock(AT)
        self.uow = FakeAssistanceUnitOfWork()
        dependencies = {"clock": self.clock, "standards": load_seed_standards()}
        self.bus = MessageBus(bus_uow_factory(self.uow), HANDLERS, dependencies)

    async def handle(self, cmd: Command) -> Any:
        return await self.bus.handle(cmd)


def wang_members() -> tuple[Member, ...]:
    """An urban family of three: the applicant, his spouse with a grade-3 disability, their son."""
    return (
        Member("m1", Relation.APPLICANT, "pk-wang-1", "王大明", date(1981, 5, 10)),
        Member("m2", Relation.SPOUSE, "pk-wang-2", "刘小芳", date(1984, 8, 20), disability_grade=3),
        Member("m3", Relation.CHILD, "pk-wang-3", "王小宝", date(2014, 1, 15)),
    )


def register(programme: Programme = Programme.DIBAO, **changes: Any) -> c.RegisterApplication:
    """The window's form for the Wang household: February wage 600, disability costs 90."""
    fields: dict[str, Any] = {
        "actor": CASEWORKER,
        "region_code": COUNTY,
        "programme": programme,
        "township_code": TOWNSHIP,
        "hukou_code": COUNTY,
        "residence_code": COUNTY,
        "members": wang_members(),
        "incomes": (IncomeItem("i1", "m1", IncomeSource.WAGE, FEBRUARY, Decimal("600")),),
        "expenditures": (
            Expenditure("e1", ExpenditureKind.DISABILITY, FEBRUARY, Decimal("90"), member_id="m2"),
        ),
    }
    fields.update(changes)
    return c.RegisterApplication(**fields)
