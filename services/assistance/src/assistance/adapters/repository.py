"""Applications and household files: the ports the handlers use and their PostgreSQL adapters (which never
commit: the unit of work does)."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import RowMapping, Select, Text, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from assistance.adapters.tables import application, application_history, case_ref_seq, household
from assistance.domain.application_model import Application
from assistance.domain.application_parts import make_case_ref
from assistance.domain.household import Household
from assistance.domain.programmes import Coverage, Programme
from assistance.domain.stages import ACTIVE, Stage
from shared.kit import mapping
from shared.kit.rows import append_history, insert_row, save_versioned
from shared.kit.unit_of_work import Tracker


class AbstractApplicationRepository(abc.ABC):
    """Applications and leads by id, reference or source; what it hands out is tracked for the outbox."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def _tracked(self, found: Application | None) -> Application | None:
        if found is not None:
            self.tracker.track(found)
        return found

    async def get(self, application_id: uuid.UUID) -> Application | None:
        return self._tracked(await self._get(application_id))

    async def get_by_case_ref(self, case_ref: str) -> Application | None:
        return self._tracked(await self._get_by_case_ref(case_ref))

    async def get_by_lead_ref(self, lead_ref: str) -> Application | None:
        """The newest lead opened from this 12345 work order or child-protection case."""
        return self._tracked(await self._get_by_lead_ref(lead_ref))

    async def add(self, new: Application) -> None:
        self.tracker.track(new)
        await self._add(new)

    @abc.abstractmethod
    async def save(self, changed: Application) -> None:
        """Write back a loaded application (optimistic version check) and append its new history lines."""

    @abc.abstractmethod
    async def next_case_ref(self, region_code: str, year: int) -> str:
        """A readable, unique reference such as SA-500154-2026-000042."""

    @abc.abstractmethod
    async def active_for_personkeys(self, personkeys: Iterable[str]) -> list[Coverage]:
        """The coverage of every application (any county) naming one of these people, for the
        cross-programme checks (not loaded: only what `programmes.check_*` reads)."""

    @abc.abstractmethod
    async def temporary_grants(self, household_id: uuid.UUID, year: int) -> list[Coverage]:
        """The household's 临时救助 applications approved in `year` (the yearly limit)."""

    @abc.abstractmethod
    async def _get(self, application_id: uuid.UUID) -> Application | None: ...

    @abc.abstractmethod
    async def _get_by_case_ref(self, case_ref: str) -> Application | None: ...

    @abc.abstractmethod
    async def _get_by_lead_ref(self, lead_ref: str) -> Application | None: ...

    @abc.abstractmethod
    async def _add(self, new: Application) -> None: ...


class AbstractHouseholdRepository(abc.ABC):
    """Household files by id.

    A `Household` records `changes`, which the handlers turn into application steps; its `events` stay
    empty, so the SQL adapter may track it like an application without sending anything.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    @abc.abstractmethod
    async def get(self, household_id: uuid.UUID) -> Household | None: ...

    @abc.abstractmethod
    async def add(self, new: Household) -> None: ...

    @abc.abstractmethod
    async def save(self, changed: Household) -> None:
        """Write back a loaded household file (optimistic version check)."""


# ---- PostgreSQL ----------------------------------------------------------------------------------------
_APPLICATION_COLUMNS = tuple(application.c.keys())
_HOUSEHOLD_COLUMNS = tuple(household.c.keys())
_HOUSEHOLD_LISTS = ("members", "incomes", "assets", "expenditures")
_ACTIVE = [s.value for s in ACTIVE]
# Decimals (amounts in history lines and household files) as exact strings: the engine's orjson writes
# none, and a JSON number would be read back as a float. Loading turns the strings back into Decimals.
_JSON: TypeAdapter[Any] = TypeAdapter(Any)


def _json(value: Any) -> Any:
    return _JSON.dump_python(value, mode="json")


def _locked(*where: Any) -> Select[Any]:
    # Row lock: writes to one application serialise, so its events keep their order.
    return (
        select(application).where(*where).order_by(application.c.opened_at.desc()).limit(1).with_for_update()
    )


# Hot statements, built once (ADR 0006) and executed with their values as parameters.
_BY_ID = _locked(application.c.id == bindparam("id"))
_BY_CASE_REF = _locked(application.c.case_ref == bindparam("case_ref"))
_BY_LEAD_REF = _locked(application.c.lead_ref == bindparam("lead_ref"))
_NEXT_REF = select(case_ref_seq.next_value())
_COVERAGE = select(
    application.c.id,
    application.c.household_id,
    application.c.programme,
    application.c.stage,
    application.c.personkeys,
    application.c.approved_at,
).where(application.c.programme.is_not(None), application.c.household_id.is_not(None))
_ACTIVE_FOR = _COVERAGE.where(
    application.c.personkeys.overlap(bindparam("keys", type_=ARRAY(Text))),
    application.c.stage.in_(_ACTIVE),
)
_TEMPORARY_GRANTS = _COVERAGE.where(
    application.c.household_id == bindparam("household_id"),
    application.c.programme == Programme.TEMPORARY.value,
    application.c.approved_at >= bindparam("since"),
    application.c.approved_at < bindparam("until"),
)
_HOUSEHOLD = select(household).where(household.c.id == bindparam("id")).with_for_update()


def _coverage(row: RowMapping) -> Coverage:
    approved: datetime | None = row["approved_at"]
    return Coverage(
        row["id"],
        row["household_id"],
        Programme(row["programme"]),
        Stage(row["stage"]),
        frozenset(row["personkeys"]),
        approved.date() if approved is not None else None,
    )


class SqlApplicationRepository(AbstractApplicationRepository):
    """Applications and leads in PostgreSQL (person keys only: no ID numbers are stored)."""

    def __init__(self, tracker: Tracker, session: AsyncConnection) -> None:
        super().__init__(tracker)
        self.session = session

    async def next_case_ref(self, region_code: str, year: int) -> str:
        number = (await self.session.execute(_NEXT_REF)).scalar_one()
        return make_case_ref(region_code, year, number)

    async def active_for_personkeys(self, personkeys: Iterable[str]) -> list[Coverage]:
        keys = sorted(set(personkeys))
        if not keys:
            return []
        rows = (await self.session.execute(_ACTIVE_FOR, {"keys": keys})).mappings()
        return [_coverage(r) for r in rows]

    async def temporary_grants(self, household_id: uuid.UUID, year: int) -> list[Coverage]:
        # The year of the approval date as the domain reads it (`approved_at.date()` of a UTC time).
        bounds = {
            "household_id": household_id,
            "since": datetime(year, 1, 1, tzinfo=UTC),
            "until": datetime(year + 1, 1, 1, tzinfo=UTC),
        }
        rows = (await self.session.execute(_TEMPORARY_GRANTS, bounds)).mappings()
        return [_coverage(r) for r in rows]

    async def _load(self, query: Select[Any], params: dict[str, Any]) -> Application | None:
        row = (await self.session.execute(query, params)).mappings().first()
        return None if row is None else mapping.load(Application, row)

    async def _get(self, application_id: uuid.UUID) -> Application | None:
        return await self._load(_BY_ID, {"id": application_id})

    async def _get_by_case_ref(self, case_ref: str) -> Application | None:
        return await self._load(_BY_CASE_REF, {"case_ref": case_ref})

    async def _get_by_lead_ref(self, lead_ref: str) -> Application | None:
        return await self._load(_BY_LEAD_REF, {"lead_ref": lead_ref})

    async def _add(self, new: Application) -> None:
        new.version = 1
        await insert_row(self.session, application, mapping.values(new, _APPLICATION_COLUMNS))
        await self._append_history(new)

    async def save(self, changed: Application) -> None:
        values = mapping.values(changed, _APPLICATION_COLUMNS)
        for fixed in ("id", "case_ref", "opened_at", "version"):
            values.pop(fixed)
        await save_versioned(
            self.session, application, changed, values, conflict="申请已被其他人修改，请刷新后重试"
        )
        await self._append_history(changed)

    async def _append_history(self, a: Application) -> None:
        lines = [replace(h, detail=_json(h.detail)) for h in a.history]
        await append_history(self.session, application_history, "application_id", a.id, lines)
        a.history.clear()


class SqlHouseholdRepository(AbstractHouseholdRepository):
    """Household files in PostgreSQL; tracked like applications (their `events` stay empty)."""

    def __init__(self, tracker: Tracker, session: AsyncConnection) -> None:
        super().__init__(tracker)
        self.session = session

    async def get(self, household_id: uuid.UUID) -> Household | None:
        row = (await self.session.execute(_HOUSEHOLD, {"id": household_id})).mappings().first()
        if row is None:
            return None
        found = mapping.load(Household, dict(row))
        self.tracker.track(found)
        return found

    async def add(self, new: Household) -> None:
        self.tracker.track(new)
        new.version = 1
        await insert_row(self.session, household, self._values(new))

    async def save(self, changed: Household) -> None:
        values = self._values(changed)
        for fixed in ("id", "version"):
            values.pop(fixed)
        await save_versioned(
            self.session, household, changed, values, conflict="家庭档案已被其他人修改，请刷新后重试"
        )

    def _values(self, h: Household) -> dict[str, Any]:
        lists = {name: _json(getattr(h, name)) for name in _HOUSEHOLD_LISTS}
        return mapping.values(h, _HOUSEHOLD_COLUMNS, **lists)
