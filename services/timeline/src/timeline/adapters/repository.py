"""timeline's repositories: the ports the handlers use, and their PostgreSQL adapters (never commit)."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from timeline.adapters.tables import person_link, timeline_entry
from timeline.adapters.visibility import visible
from timeline.domain.entry import ProjectedEntry
from timeline.domain.links import LinkRow
from timeline.domain.viewer import Filters, Viewer

Db = AsyncConnection
# Enough regions to decide visibility of a key without reading every entry naming it.
_VISIBILITY_SAMPLE = 100


class AbstractEntryRepository(abc.ABC):
    """Timeline entries: stored once per event, read to decide what a viewer may see."""

    @abc.abstractmethod
    async def add(self, entries: Sequence[ProjectedEntry]) -> None:
        """Store entries; an event already projected is left as it is."""

    @abc.abstractmethod
    async def visible_to(self, key: str, viewer: Viewer) -> bool:
        """Whether the viewer can see at least one entry naming the person key `key`."""


class AbstractLinkRepository(abc.ABC):
    """Person links: rows appended by events and caseworkers, never rewritten."""

    @abc.abstractmethod
    async def add(self, rows: Sequence[LinkRow]) -> None:
        """Store link rows; a row an event declared already is left as it is."""

    @abc.abstractmethod
    async def touching(self, keys: Sequence[str]) -> list[LinkRow]:
        """Every row naming one of `keys`, oldest first."""


class SqlEntryRepository(AbstractEntryRepository):
    """Entries in PostgreSQL: the live table, or the fresh copy a rebuild fills."""

    def __init__(self, db: Db, table: Table = timeline_entry) -> None:
        self.db = db
        self.table = table

    async def add(self, entries: Sequence[ProjectedEntry]) -> None:
        if entries:
            # One statement executed for many rows (executemany): far faster than one huge VALUES list.
            await self.db.execute(
                insert(self.table).on_conflict_do_nothing(index_elements=["event_id"]),
                [e.row() for e in entries],
            )

    async def visible_to(self, key: str, viewer: Viewer) -> bool:
        t = timeline_entry
        regions = await self.db.execute(
            select(t.c.regioncode)
            .where(*visible(t.c.personkeys.overlap([key]), viewer, Filters()))
            .limit(_VISIBILITY_SAMPLE)
        )
        return any(viewer.can_see_region(r) for r in regions.scalars())


def link_row(r: Any) -> LinkRow:
    """A `person_link` row as the domain's LinkRow."""
    return LinkRow(
        r.key_a,
        r.key_b,
        r.action,
        r.at,
        r.event_id,
        r.id,
        actor=r.actor,
        reason=r.reason,
        recorded_at=r.recorded_at,
    )


class SqlLinkRepository(AbstractLinkRepository):
    """Person links in PostgreSQL."""

    def __init__(self, db: Db) -> None:
        self.db = db

    async def add(self, rows: Sequence[LinkRow]) -> None:
        # Rows without a recording time get the database's (one executemany per shape of row).
        for stamped in (True, False):
            values = [_values(r) for r in rows if (r.recorded_at is not None) is stamped]
            if values:
                await self.db.execute(
                    insert(person_link).on_conflict_do_nothing(index_elements=["event_id", "key_a", "key_b"]),
                    values,
                )

    async def touching(self, keys: Sequence[str]) -> list[LinkRow]:
        if not keys:
            return []
        p = person_link
        rows = await self.db.execute(
            select(p).where(or_(p.c.key_a.in_(keys), p.c.key_b.in_(keys))).order_by(p.c.at, p.c.id)
        )
        return [link_row(r) for r in rows]


def _values(row: LinkRow) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key_a": row.key_a,
        "key_b": row.key_b,
        "action": row.action,
        "at": row.at,
        "actor": row.actor,
        "reason": row.reason,
        "event_id": row.event_id,
    }
    if row.recorded_at is not None:
        values["recorded_at"] = row.recorded_at
    return values
