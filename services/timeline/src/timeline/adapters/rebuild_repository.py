"""The tables of a rebuild: the fresh copy, its comparison with the live table, the atomic swap, the runs.

Every function runs in the caller's transaction (an AsyncConnection); the rebuild decides when to commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from timeline.adapters.tables import (
    ENTRY_INDEX_SUFFIXES,
    ENTRY_TABLE,
    OLD_TABLE,
    REBUILD_TABLE,
    entry_table_named,
    rebuild_run,
    timeline_entry,
)

fresh_table = entry_table_named(REBUILD_TABLE)
_COLUMNS = ", ".join(c.name for c in timeline_entry.columns)
_LOCK_KEY = "timeline-rebuild"

# Every projected column, as text, in a fixed order: equal rows give equal hashes.
_ROW_TEXT = (
    "concat_ws('|', {t}.event_id, {t}.type, {t}.source, coalesce({t}.topic, ''), {t}.case_ref, "
    "coalesce({t}.reference, ''), coalesce({t}.order_no, ''), {t}.personkeys::text, "
    "coalesce({t}.regioncode, ''), coalesce({t}.correlation_id, ''), coalesce({t}.causation_id, ''), "
    "coalesce({t}.trace_id, ''), {t}.sensitivity, {t}.summary, {t}.excerpt::text, "
    "(extract(epoch FROM {t}.event_time) * 1000000)::bigint::text)"
)


def _row_hash(alias: str) -> str:
    return f"md5({_ROW_TEXT.format(t=alias)})"


def _checksum(alias: str) -> str:
    # An order-independent sum of 60-bit slices of each row's md5.
    return f"coalesce(sum(('x' || substr({_row_hash(alias)}, 1, 15))::bit(60)::bigint), 0)::text"


@dataclass(frozen=True)
class Comparison:
    """The fresh table against the live one, over the events both hold (and those only one holds)."""

    common: int
    checksum_live: str
    checksum_rebuilt: str
    differing: int
    only_rebuilt: int
    only_live_before_start: int


async def try_lock(conn: AsyncConnection) -> bool:
    """The session lock one rebuild holds at a time."""
    return bool(await conn.scalar(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": _LOCK_KEY}))


async def unlock(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": _LOCK_KEY})


async def prepare(conn: AsyncConnection) -> None:
    """An empty fresh table (leftovers of an interrupted rebuild dropped)."""
    await conn.execute(text(f"DROP TABLE IF EXISTS {REBUILD_TABLE}"))
    await conn.execute(text(f"DROP TABLE IF EXISTS {OLD_TABLE}"))
    await conn.run_sync(lambda sync: fresh_table.create(sync))


async def drop_fresh(conn: AsyncConnection) -> None:
    await conn.execute(text(f"DROP TABLE IF EXISTS {REBUILD_TABLE}"))


async def count_fresh(conn: AsyncConnection) -> int:
    return int(await conn.scalar(text(f"SELECT count(*) FROM {REBUILD_TABLE}")) or 0)


async def _count(conn: AsyncConnection, sql: str, **params: Any) -> int:
    return int(await conn.scalar(text(sql), params) or 0)


async def compare(conn: AsyncConnection, started_at: datetime) -> Comparison:
    """Compare the fresh table with the live one over the events both hold."""
    # The time the live projection recorded an event is kept, so equal projections are equal rows.
    await conn.execute(
        text(
            f"UPDATE {REBUILD_TABLE} r SET recorded_at = l.recorded_at FROM {ENTRY_TABLE} l "
            "WHERE r.event_id = l.event_id"
        )
    )
    row = (
        await conn.execute(
            text(
                f"SELECT count(*) AS n, {_checksum('l')} AS live, "
                f"(SELECT {_checksum('r')} FROM {REBUILD_TABLE} r "
                f" WHERE EXISTS (SELECT 1 FROM {ENTRY_TABLE} x WHERE x.event_id = r.event_id)) AS rebuilt "
                f"FROM {ENTRY_TABLE} l "
                f"WHERE EXISTS (SELECT 1 FROM {REBUILD_TABLE} y WHERE y.event_id = l.event_id)"
            )
        )
    ).one()
    return Comparison(
        common=int(row.n),
        checksum_live=str(row.live),
        checksum_rebuilt=str(row.rebuilt),
        differing=await _count(
            conn,
            f"SELECT count(*) FROM {ENTRY_TABLE} l JOIN {REBUILD_TABLE} r USING (event_id) "
            f"WHERE {_row_hash('l')} <> {_row_hash('r')}",
        ),
        only_rebuilt=await _count(
            conn,
            f"SELECT count(*) FROM {REBUILD_TABLE} r "
            f"WHERE NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} l WHERE l.event_id = r.event_id)",
        ),
        only_live_before_start=await _count(
            conn,
            f"SELECT count(*) FROM {ENTRY_TABLE} l WHERE l.recorded_at < :started "
            f"AND NOT EXISTS (SELECT 1 FROM {REBUILD_TABLE} r WHERE r.event_id = l.event_id)",
            started=started_at,
        ),
    )


async def swap(conn: AsyncConnection) -> int:
    """Catch up, then exchange the tables (indexes and primary key too); returns the rows copied over."""
    await conn.execute(text("SET LOCAL lock_timeout = '15s'"))
    await conn.execute(text(f"LOCK TABLE {ENTRY_TABLE} IN ACCESS EXCLUSIVE MODE"))
    copied = await conn.execute(
        text(
            f"INSERT INTO {REBUILD_TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {ENTRY_TABLE} l "
            f"WHERE NOT EXISTS (SELECT 1 FROM {REBUILD_TABLE} r WHERE r.event_id = l.event_id)"
        )
    )
    for suffix in ENTRY_INDEX_SUFFIXES:
        await conn.execute(text(f"ALTER INDEX ix_{ENTRY_TABLE}_{suffix} RENAME TO ix_{OLD_TABLE}_{suffix}"))
        await conn.execute(
            text(f"ALTER INDEX ix_{REBUILD_TABLE}_{suffix} RENAME TO ix_{ENTRY_TABLE}_{suffix}")
        )
    await conn.execute(
        text(f"ALTER TABLE {ENTRY_TABLE} RENAME CONSTRAINT pk_{ENTRY_TABLE} TO pk_{OLD_TABLE}")
    )
    await conn.execute(
        text(f"ALTER TABLE {REBUILD_TABLE} RENAME CONSTRAINT pk_{REBUILD_TABLE} TO pk_{ENTRY_TABLE}")
    )
    await conn.execute(text(f"ALTER TABLE {ENTRY_TABLE} RENAME TO {OLD_TABLE}"))
    await conn.execute(text(f"ALTER TABLE {REBUILD_TABLE} RENAME TO {ENTRY_TABLE}"))
    return int(copied.rowcount or 0)


async def drop_old(conn: AsyncConnection) -> int:
    """A last catch-up copy from the replaced table, then drop it; returns the rows copied."""
    await conn.execute(text(f"LOCK TABLE {OLD_TABLE} IN ACCESS EXCLUSIVE MODE"))
    late = await conn.execute(
        text(
            f"INSERT INTO {ENTRY_TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {OLD_TABLE} o "
            f"WHERE NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} l WHERE l.event_id = o.event_id)"
        )
    )
    await conn.execute(text(f"DROP TABLE {OLD_TABLE}"))
    return int(late.rowcount or 0)


async def start_run(conn: AsyncConnection, started_at: datetime) -> int:
    run_id = await conn.scalar(
        insert(rebuild_run).values(started_at=started_at, outcome="running").returning(rebuild_run.c.id)
    )
    return int(run_id or 0)


async def finish_run(
    conn: AsyncConnection,
    run_id: int,
    *,
    outcome: str,
    events: int,
    entries: int,
    events_per_second: float,
    detail: dict[str, Any],
) -> None:
    await conn.execute(
        update(rebuild_run)
        .where(rebuild_run.c.id == run_id)
        .values(
            finished_at=datetime.now(UTC),
            outcome=outcome,
            events=events,
            entries=entries,
            events_per_second=events_per_second,
            detail=detail,
        )
    )
