"""The PostgreSQL adapters of assistance on a freshly migrated database: applications with their history
and version check, leads by source, the cross-programme queries, household files, and the unit of work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import pytest

from assistance.adapters.repository import SqlApplicationRepository, SqlHouseholdRepository
from assistance.data import load_seed_standards
from assistance.domain import commands as c
from assistance.domain.application_model import Application
from assistance.domain.application_parts import SYSTEM, LeadSource, ReviewLevel
from assistance.domain.household import Household
from assistance.domain.household_parts import (
    Asset,
    AssetKind,
    Expenditure,
    ExpenditureKind,
    IncomeItem,
    IncomeSource,
)
from assistance.domain.programmes import Programme, TemporaryKind
from assistance.domain.stages import Stage
from assistance.service_layer.handlers import HANDLERS
from assistance.service_layer.unit_of_work import SqlAssistanceUnitOfWork
from infra import Database
from services.assistance.tests.fakes import AT, CASEWORKER, COUNTY, FEBRUARY, TOWNSHIP, wang_members
from shared.db import Sessions
from shared.kit.clock import FixedClock
from shared.kit.errors import ConcurrentChange
from shared.kit.messagebus import MessageBus
from shared.kit.unit_of_work import Tracker

pytestmark = pytest.mark.integration

T = TypeVar("T")
Repos = tuple[SqlApplicationRepository, SqlHouseholdRepository]


@asynccontextmanager
async def transaction(sessions: Sessions) -> AsyncIterator[Repos]:
    """Both repositories on one connection, committed when the block ends without error."""
    async with sessions() as s, s.begin():
        tracker = Tracker()
        yield SqlApplicationRepository(tracker, s), SqlHouseholdRepository(tracker, s)


async def run(sessions: Sessions, work: Callable[[SqlApplicationRepository], Awaitable[T]]) -> T:
    async with transaction(sessions) as (applications, _):
        return await work(applications)


def wang_household(**changes: object) -> Household:
    fields: dict[str, object] = {
        "members": list(wang_members()),
        # Amounts a float would not keep exactly.
        "incomes": [
            IncomeItem("i1", "m1", IncomeSource.WAGE, FEBRUARY, Decimal("600.10")),
            IncomeItem("i2", "m2", IncomeSource.TRANSFER, FEBRUARY, Decimal("0.3")),
        ],
        "assets": [Asset("a1", AssetKind.DEPOSIT, Decimal("12345678901234.56789"))],
        "expenditures": [
            Expenditure("e1", ExpenditureKind.DISABILITY, FEBRUARY, Decimal("90.00"), member_id="m2")
        ],
    }
    fields.update(changes)
    return Household(uuid.uuid4(), COUNTY, TOWNSHIP, COUNTY, COUNTY, **fields)  # type: ignore[arg-type]


async def new_application(
    sessions: Sessions,
    programme: Programme = Programme.DIBAO,
    *,
    household: Household | None = None,
    personkeys: tuple[str, ...] = ("pk-wang-1", "pk-wang-2", "pk-wang-3"),
) -> Application:
    """An application for a new household file, both stored in one transaction."""
    home = household or wang_household()
    async with transaction(sessions) as (applications, households):
        await households.add(home)
        application = Application.apply(
            uuid.uuid4(),
            await applications.next_case_ref(COUNTY, AT.year),
            COUNTY,
            programme,
            home.id,
            personkeys[0],
            personkeys,
            AT,
            CASEWORKER,
            temporary_kind=TemporaryKind.URGENT if programme == Programme.TEMPORARY else None,
        )
        await applications.add(application)
    return application


async def test_an_application_round_trips_with_its_history_and_version(
    sessions: Sessions, assistance_db: Database
) -> None:
    created = await new_application(sessions)
    assert created.version == 1 and created.history == []
    assert created.case_ref.startswith(f"SA-{COUNTY}-{AT.year}-")

    async with transaction(sessions) as (applications, _):
        loaded = await applications.get(created.id)
        assert loaded is not None
        assert loaded.stage == Stage.APPLIED and loaded.personkeys == created.personkeys
        assert loaded.programme == Programme.DIBAO and loaded.household_id == created.household_id
        loaded.accept(ReviewLevel.TOWNSHIP, AT + timedelta(hours=1), CASEWORKER)
        await applications.save(loaded)
        assert loaded.version == 2

    async with transaction(sessions) as (applications, _):
        again = await applications.get_by_case_ref(created.case_ref)
    assert again is not None
    assert again.stage == Stage.ACCEPTED and again.review_level == ReviewLevel.TOWNSHIP and again.version == 2
    assert again.decisions == loaded.decisions and again.decisions[-1].who == CASEWORKER
    actions = await assistance_db.fetchcol(
        "SELECT action FROM assistance_application_history WHERE application_id = $1 ORDER BY id", created.id
    )
    assert actions == ["applied", "accepted"]


async def test_a_stale_save_is_refused_and_writes_nothing(
    sessions: Sessions, assistance_db: Database
) -> None:
    created = await new_application(sessions)
    async with transaction(sessions) as (applications, _):
        first = await applications.get(created.id)
        assert first is not None
        first.accept(ReviewLevel.COUNTY, AT, CASEWORKER)
        await applications.save(first)

    # A copy loaded before that save still carries version 1.
    stale = replace(created, history=[], events=[])
    stale.decline("材料不全", AT, CASEWORKER)
    with pytest.raises(ConcurrentChange):
        await run(sessions, lambda applications: applications.save(stale))
    assert await assistance_db.fetchval("SELECT stage FROM assistance_application") == "accepted"
    assert await assistance_db.fetchval("SELECT count(*) FROM assistance_application_history") == 2


async def test_a_lead_is_found_by_its_source_and_an_open_duplicate_is_refused(sessions: Sessions) -> None:
    def lead(at: datetime) -> Application:
        return Application.open_lead(
            uuid.uuid4(), f"SA-{COUNTY}-2026-{at.minute:06d}", COUNTY, LeadSource.CHILD_PROTECTION,
            "转介", at, SYSTEM, source_ref="case-1", personkeys=("pk-a",),
        )  # fmt: skip

    first = lead(AT)
    await run(sessions, lambda applications: applications.add(first))
    found = await run(sessions, lambda applications: applications.get_by_lead_ref("case-1"))
    assert found is not None and found.id == first.id and found.lead_source == LeadSource.CHILD_PROTECTION
    assert await run(sessions, lambda applications: applications.get_by_lead_ref("case-2")) is None

    # The unique index holds while the lead is open ...
    with pytest.raises(Exception, match="uq_assistance_application_open_lead_ref"):
        await run(sessions, lambda applications: applications.add(lead(AT + timedelta(minutes=1))))

    # ... and a case referred again after its lead was closed opens a new one, found first.
    found.close_lead("不符合条件", AT + timedelta(minutes=2), CASEWORKER)
    await run(sessions, lambda applications: applications.save(found))
    second = lead(AT + timedelta(minutes=3))
    await run(sessions, lambda applications: applications.add(second))
    newest = await run(sessions, lambda applications: applications.get_by_lead_ref("case-1"))
    assert newest is not None and newest.id == second.id


async def test_active_applications_naming_any_of_the_people(sessions: Sessions) -> None:
    dibao = await new_application(sessions)
    tekun = await new_application(sessions, Programme.TEKUN, personkeys=("pk-li-1",))
    withdrawn = await new_application(sessions, personkeys=("pk-wang-3", "pk-zhao-1"))
    async with transaction(sessions) as (applications, _):
        loaded = await applications.get(withdrawn.id)
        assert loaded is not None
        loaded.withdraw("申请人撤回", AT, CASEWORKER)
        await applications.save(loaded)

    found = await run(sessions, lambda a: a.active_for_personkeys(["pk-wang-3", "pk-li-1", "pk-nobody"]))
    assert {cov.application_id for cov in found} == {dibao.id, tekun.id}
    by_id = {cov.application_id: cov for cov in found}
    assert by_id[dibao.id].personkeys == frozenset({"pk-wang-1", "pk-wang-2", "pk-wang-3"})
    assert by_id[tekun.id].programme == Programme.TEKUN and by_id[tekun.id].stage == Stage.APPLIED
    assert await run(sessions, lambda a: a.active_for_personkeys(["pk-zhao-1"])) == []
    assert await run(sessions, lambda a: a.active_for_personkeys([])) == []


async def test_temporary_grants_of_a_household_in_a_year(sessions: Sessions, assistance_db: Database) -> None:
    home = wang_household()
    granted = await new_application(sessions, Programme.TEMPORARY, household=home)
    last_year = await new_application(sessions, Programme.TEMPORARY, household=replace(home, id=uuid.uuid4()))
    pending = await new_application(sessions, Programme.TEMPORARY, household=replace(home, id=uuid.uuid4()))
    # Approval moves through many steps; the queries read only the stored columns, so set them directly.
    await assistance_db.execute(
        "UPDATE assistance_application SET household_id = $1, stage = 'approved', approved_at = $2,"
        " amount = $3 WHERE id = $4",
        home.id, datetime(2026, 12, 31, 23, 59, tzinfo=UTC), Decimal("1234.50"), granted.id,
    )  # fmt: skip
    await assistance_db.execute(
        "UPDATE assistance_application SET household_id = $1, stage = 'approved', approved_at = $2"
        " WHERE id = $3",
        home.id, datetime(2025, 12, 31, 23, 59, tzinfo=UTC), last_year.id,
    )  # fmt: skip
    await assistance_db.execute(
        "UPDATE assistance_application SET household_id = $1 WHERE id = $2", home.id, pending.id
    )

    grants = await run(sessions, lambda a: a.temporary_grants(home.id, 2026))
    assert [(g.application_id, g.approved_on) for g in grants] == [(granted.id, date(2026, 12, 31))]
    assert [g.application_id for g in await run(sessions, lambda a: a.temporary_grants(home.id, 2025))] == [
        last_year.id
    ]
    loaded = await run(sessions, lambda a: a.get(granted.id))
    assert loaded is not None and loaded.amount == Decimal("1234.50") and str(loaded.amount) == "1234.50"


async def test_a_household_file_round_trips_with_exact_amounts(sessions: Sessions) -> None:
    home = wang_household(rural=True, landless=True)
    async with transaction(sessions) as (_, households):
        await households.add(home)
    assert home.version == 1

    async with transaction(sessions) as (_, households):
        loaded = await households.get(home.id)
        assert loaded is not None
        assert loaded.members == home.members and loaded.incomes == home.incomes
        assert loaded.assets == home.assets and loaded.expenditures == home.expenditures
        assert [str(i.amount) for i in loaded.incomes] == ["600.10", "0.3"]
        assert str(loaded.assets[0].value) == "12345678901234.56789"
        assert loaded.income_in(FEBRUARY) == Decimal("600.40")
        assert loaded.rural and loaded.landless and not loaded.only_child
        cent = IncomeItem("i3", "m3", IncomeSource.OTHER, FEBRUARY, Decimal("0.01"))
        loaded.record_income(cent, AT, "u-li")
        await households.save(loaded)
        assert loaded.version == 2

    async with transaction(sessions) as (_, households):
        again = await households.get(home.id)
    assert again is not None and again.version == 2
    assert again.income_in(FEBRUARY) == Decimal("600.41")

    stale = replace(home, incomes=[])
    with pytest.raises(ConcurrentChange):
        async with transaction(sessions) as (_, households):
            await households.save(stale)


async def test_a_hotline_lead_opened_twice_through_the_unit_of_work_is_one_row(
    sessions: Sessions, assistance_db: Database
) -> None:
    bus = MessageBus(
        lambda inbound: SqlAssistanceUnitOfWork(sessions, inbound),
        HANDLERS,
        {"clock": FixedClock(AT), "standards": load_seed_standards()},
    )
    order = c.OpenLeadFromHotline(
        work_order_id=uuid.UUID("00000000-0000-0000-0000-000000012345"),
        order_no="GD20260302001",
        category_code="1203",
        region_code=TOWNSHIP,
        urgency="normal",
        summary="家中困难，请求救助",
        personkeys=("pk-wang-1",),
    )
    first = await bus.handle(order)
    second = await bus.handle(order)
    assert first.id == second.id and second.stage == Stage.LEAD and second.region_code == COUNTY
    assert await assistance_db.fetchval("SELECT count(*) FROM assistance_application") == 1
    assert await assistance_db.fetchval("SELECT lead_ref FROM assistance_application") == str(
        order.work_order_id
    )
    assert await assistance_db.fetchcol("SELECT action FROM assistance_application_history") == [
        "lead_opened"
    ]
    # The lead's one event reaches the outbox once, on assistance.case.v1.
    assert await assistance_db.fetchcol("SELECT type FROM outbox_message") == ["assistance.case.lead_opened"]
