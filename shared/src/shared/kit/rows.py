"""How repositories write aggregates: rows under an optimistic version check, and append-only history
(an aggregate carries the lines recorded since it was loaded; they are appended, never read back)."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from sqlalchemy import Insert, Table, Update, bindparam, func, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.kit import mapping
from shared.kit.errors import ConcurrentChange


async def append_history(
    session: AsyncConnection, table: Table, owner: str, owner_id: uuid.UUID, lines: list[Any]
) -> None:
    """Insert `lines` (dataclasses named like the columns) for the row `owner_id`, then clear them."""
    if not lines:
        return
    columns = table.c.keys()
    await session.execute(
        _insert(table), [{**mapping.values(line, columns), owner: owner_id} for line in lines]
    )
    lines.clear()


async def insert_row(session: AsyncConnection, table: Table, values: dict[str, Any]) -> None:
    """Insert one row through the table's one INSERT (an `updated_at` column takes its default, now())."""
    await session.execute(_insert(table), values)


async def save_versioned(
    session: AsyncConnection, table: Table, aggregate: Any, values: dict[str, Any], *, conflict: str
) -> None:
    """Write `values` to the aggregate's row if nobody changed it since it was loaded (its `version`),
    bumping the version (and `updated_at`, if the table has one); otherwise `ConcurrentChange(conflict)`
    and nothing is written."""
    result = await session.execute(
        _update(table),
        {
            **values,
            "version": aggregate.version + 1,
            "_row_id": aggregate.id,
            "_row_version": aggregate.version,
        },
    )
    if result.rowcount != 1:
        raise ConcurrentChange(conflict)
    aggregate.version += 1


@functools.cache
def _insert(table: Table) -> Insert:
    """One INSERT per table, built once (its cache key is computed once, not per call)."""
    return insert(table)


@functools.cache
def _update(table: Table) -> Update:
    """One versioned UPDATE per table; the SET columns are the keys of each call's values."""
    stmt = update(table).where(
        table.c.id == bindparam("_row_id"), table.c.version == bindparam("_row_version")
    )
    return stmt.values(updated_at=func.now()) if "updated_at" in table.c else stmt
