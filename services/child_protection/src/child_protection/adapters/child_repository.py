"""Children's files: the port the handlers use, and its PostgreSQL adapter (never commits)."""

from __future__ import annotations

import abc
import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from child_protection.adapters.tables import child, child_history, child_visit
from child_protection.domain.child_model import ChildFile
from child_protection.domain.child_visits import Visit
from shared.crypto import FieldCipher
from shared.kit import mapping
from shared.kit.rows import append_history, insert_row, save_versioned
from shared.kit.unit_of_work import Tracker

_COLUMNS = tuple(child.c.keys())
_VISIT_COLUMNS = tuple(child_visit.c.keys())


class AbstractChildRepository(abc.ABC):
    """Register files by id; what it hands out is tracked for the outbox."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    async def get(self, child_id: uuid.UUID) -> ChildFile | None:
        found = await self._get(child_id)
        if found is not None:
            self.tracker.track(found)
        return found

    async def add(self, new: ChildFile) -> None:
        self.tracker.track(new)
        await self._add(new)

    @abc.abstractmethod
    async def find_by_personkey(self, personkey: str, county: str) -> tuple[uuid.UUID, str] | None:
        """The person's file in `county` (a 6-digit code), if any: (id, region). Another county's file is
        never found: a look-up does not reach outside the county."""

    @abc.abstractmethod
    async def save(self, changed: ChildFile) -> None:
        """Write back a loaded file (optimistic version check), its visits and new history lines."""

    @abc.abstractmethod
    async def _get(self, child_id: uuid.UUID) -> ChildFile | None: ...

    @abc.abstractmethod
    async def _add(self, new: ChildFile) -> None: ...


def _visit_values(visit: Visit, child_id: uuid.UUID) -> dict[str, Any]:
    return mapping.values(visit, _VISIT_COLUMNS, child_id=child_id)


class SqlChildRepository(AbstractChildRepository):
    """Files in PostgreSQL; the ID number is stored encrypted; visits are rows of their own."""

    def __init__(self, tracker: Tracker, session: AsyncConnection, cipher: FieldCipher) -> None:
        super().__init__(tracker)
        self.session = session
        self.cipher = cipher
        # The visits as loaded, to write only those that changed.
        self._visits: dict[uuid.UUID, dict[uuid.UUID, dict[str, Any]]] = {}

    async def find_by_personkey(self, personkey: str, county: str) -> tuple[uuid.UUID, str] | None:
        query = select(child.c.id, child.c.region_code).where(
            child.c.personkey == personkey, child.c.region_code.startswith(county, autoescape=True)
        )
        row = (await self.session.execute(query)).first()
        return (row[0], row[1]) if row is not None else None

    async def _get(self, child_id: uuid.UUID) -> ChildFile | None:
        query = select(child).where(child.c.id == child_id).with_for_update()
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            return None
        visits = (
            await self.session.execute(
                select(child_visit)
                .where(child_visit.c.child_id == child_id)
                .order_by(child_visit.c.due_date, child_visit.c.scheduled_at)
            )
        ).mappings()
        loaded = [mapping.load(Visit, dict(v)) for v in visits]
        self._visits[child_id] = {v.id: _visit_values(v, child_id) for v in loaded}
        return mapping.load(
            ChildFile, {**row, "id_number": self.cipher.decrypt(row["id_number"]), "visits": loaded}
        )

    def _values(self, c: ChildFile) -> dict[str, Any]:
        return mapping.values(c, _COLUMNS, id_number=self.cipher.encrypt(c.id_number), flags=c.flags)

    async def _add(self, new: ChildFile) -> None:
        new.version = 1
        await insert_row(self.session, child, self._values(new))
        self._visits[new.id] = {}
        await self._write_parts(new)

    async def save(self, changed: ChildFile) -> None:
        values = self._values(changed)
        for fixed in ("id", "registered_at", "version"):
            values.pop(fixed)
        await save_versioned(
            self.session, child, changed, values, conflict="儿童档案已被其他人修改，请刷新后重试"
        )
        await self._write_parts(changed)

    async def _write_parts(self, c: ChildFile) -> None:
        loaded = self._visits.setdefault(c.id, {})
        for visit in c.visits:
            values = _visit_values(visit, c.id)
            if visit.id not in loaded:
                await self.session.execute(insert(child_visit).values(values))
            elif loaded[visit.id] != values:
                await self.session.execute(
                    update(child_visit).where(child_visit.c.id == visit.id).values(values)
                )
            loaded[visit.id] = values
        await append_history(self.session, child_history, "child_id", c.id, c.history)
