"""Cases: the port the handlers use, and its PostgreSQL adapter (never commits: the unit of work does)."""

from __future__ import annotations

import abc
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncConnection

from child_protection.adapters.tables import case, case_history, case_ref_seq
from child_protection.domain.case_model import Case
from child_protection.domain.stages import TERMINAL
from shared.crypto import FieldCipher
from shared.kit import mapping
from shared.kit.rows import append_history, insert_row, save_versioned
from shared.kit.unit_of_work import Tracker

_COLUMNS = tuple(case.c.keys())
_OPEN = case.c.stage.not_in([s.value for s in TERMINAL])


class AbstractCaseRepository(abc.ABC):
    """Cases by id, by child or by 12345 work order; what it hands out is tracked for the outbox."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def _tracked(self, found: Case | None) -> Case | None:
        if found is not None:
            self.tracker.track(found)
        return found

    async def get(self, case_id: uuid.UUID) -> Case | None:
        return self._tracked(await self._get(case_id))

    async def open_case_for_child(self, personkey: str, since: datetime, within: str) -> Case | None:
        """The newest open case about this person opened since `since` (the duplicate-report window) in
        the region `within` (a county's code): a duplicate check never reaches into another county."""
        return self._tracked(await self._open_for_child(personkey, since, within))

    async def open_case_for_file(self, child_id: uuid.UUID, since: datetime, within: str) -> Case | None:
        """The newest open case opened since `since` in the region `within` that names this register file."""
        return self._tracked(await self._open_for_file(child_id, since, within))

    @abc.abstractmethod
    async def open_elsewhere(self, personkey: str, since: datetime, outside: str) -> uuid.UUID | None:
        """The id of an open case about this person outside the region `outside` (not loaded: the caller's
        county may not read or write it, only ask both counties' 审核人 to decide)."""

    async def for_work_order(self, work_order_id: uuid.UUID) -> Case | None:
        """The newest case opened from this 12345 work order."""
        return self._tracked(await self._for_work_order(work_order_id))

    async def add(self, new: Case) -> None:
        self.tracker.track(new)
        await self._add(new)

    @abc.abstractmethod
    async def next_case_ref(self, region_code: str, year: int) -> str:
        """A readable, unique reference such as CP-500154-2026-000042."""

    @abc.abstractmethod
    async def save(self, changed: Case) -> None:
        """Write back a loaded case (optimistic version check) and append its new history lines."""

    @abc.abstractmethod
    async def _get(self, case_id: uuid.UUID) -> Case | None: ...

    @abc.abstractmethod
    async def _open_for_child(self, personkey: str, since: datetime, within: str) -> Case | None: ...

    @abc.abstractmethod
    async def _open_for_file(self, child_id: uuid.UUID, since: datetime, within: str) -> Case | None: ...

    @abc.abstractmethod
    async def _for_work_order(self, work_order_id: uuid.UUID) -> Case | None: ...

    @abc.abstractmethod
    async def _add(self, new: Case) -> None: ...


class SqlCaseRepository(AbstractCaseRepository):
    """Cases in PostgreSQL; the child's ID number is stored encrypted."""

    def __init__(self, tracker: Tracker, session: AsyncConnection, cipher: FieldCipher) -> None:
        super().__init__(tracker)
        self.session = session
        self.cipher = cipher

    async def next_case_ref(self, region_code: str, year: int) -> str:
        number = await self.session.scalar(select(case_ref_seq.next_value()))
        return f"CP-{region_code[:6]}-{year}-{number:06d}"

    async def _one(self, *where: ColumnElement[bool]) -> Case | None:
        # Row lock: writes to one case serialise, so its events keep their order.
        query = select(case).where(*where).order_by(case.c.opened_at.desc()).limit(1).with_for_update()
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            return None
        child = {**row["child"], "id_number": self.cipher.decrypt(row["child"].get("id_number"))}
        return mapping.load(Case, {**row, "child": child})

    async def _get(self, case_id: uuid.UUID) -> Case | None:
        return await self._one(case.c.id == case_id)

    async def _open_for_child(self, personkey: str, since: datetime, within: str) -> Case | None:
        return await self._one(
            case.c.child_personkey == personkey,
            _OPEN,
            case.c.opened_at >= since,
            case.c.region_code.startswith(within, autoescape=True),
        )

    async def _open_for_file(self, child_id: uuid.UUID, since: datetime, within: str) -> Case | None:
        return await self._one(
            case.c.child_id == child_id,
            _OPEN,
            case.c.opened_at >= since,
            case.c.region_code.startswith(within, autoescape=True),
        )

    async def open_elsewhere(self, personkey: str, since: datetime, outside: str) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.session.scalar(
            select(case.c.id)
            .where(
                case.c.child_personkey == personkey,
                _OPEN,
                case.c.opened_at >= since,
                ~case.c.region_code.startswith(outside, autoescape=True),
            )
            .order_by(case.c.opened_at.desc())
            .limit(1)
        )
        return found

    async def _for_work_order(self, work_order_id: uuid.UUID) -> Case | None:
        return await self._one(case.c.work_order_id == work_order_id)

    def _values(self, c: Case) -> dict[str, Any]:
        child = {**mapping.dump(c.child), "id_number": self.cipher.encrypt(c.child.id_number)}
        return mapping.values(
            c,
            _COLUMNS,
            child=child,
            child_personkey=c.child.personkey,
            child_id=c.child.child_id,
            work_order_id=c.work_order_id,
            order_no=c.order_no,
        )

    async def _add(self, new: Case) -> None:
        new.version = 1
        await insert_row(self.session, case, self._values(new))
        await self._append_history(new)

    async def save(self, changed: Case) -> None:
        values = self._values(changed)
        for fixed in ("id", "case_ref", "opened_at", "version"):
            values.pop(fixed)
        await save_versioned(self.session, case, changed, values, conflict="案件已被其他人修改，请刷新后重试")
        await self._append_history(changed)

    async def _append_history(self, c: Case) -> None:
        await append_history(self.session, case_history, "case_id", c.id, c.history)
