"""Rebuild the projection from Kafka while the live one keeps serving, check it, swap it in atomically.

1. Replay: a group-less consumer assigns every partition of every topic matching the pattern, captures
   the end offsets, reads from the beginning up to them, and projects each record into a fresh table
   with the same pure function the live consumer uses.
2. Check: for the events both tables hold, the row count and a checksum over every projected column
   (event id, type, summary, excerpt, keys, …) must agree; `accept_changes` swaps anyway (after a
   renderer changed, differences are the point). Live entries the replay did not produce are
   reported: those recorded before the rebuild started are events Kafka no longer holds.
3. Swap, in one transaction: lock the live table, copy over what the live consumer projected meanwhile
   (and anything Kafka no longer holds), rename live → old and fresh → live (indexes and primary key
   too). A consumer insert waiting on the lock is re-planned against the new table. Then the old table
   is dropped, after a last catch-up copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db import make_engine, make_metadata
from timeline.adapters.kafka_lag import matching_partitions
from timeline.adapters.tables import (
    ENTRY_INDEX_SUFFIXES,
    ENTRY_TABLE,
    OLD_TABLE,
    REBUILD_TABLE,
    entry_table,
    rebuild_run,
)
from timeline.domain.entry import ProjectedEntry
from timeline.service_layer.projection import project_record, store
from timeline.settings import TimelineSettings

log = structlog.get_logger(__name__)
Say = Callable[[str], None]

BATCH = 5000
_COLUMNS = ", ".join(c.name for c in entry_table(ENTRY_TABLE, make_metadata()).columns)
_LOCK_KEY = "timeline-rebuild"

# Every projected column, as text, in a fixed order: equal rows give equal hashes.
_ROW_TEXT = (
    "concat_ws('|', {t}.event_id, {t}.type, {t}.source, coalesce({t}.topic, ''), {t}.case_ref, "
    "coalesce({t}.order_no, ''), {t}.personkeys::text, coalesce({t}.regioncode, ''), "
    "coalesce({t}.correlation_id, ''), coalesce({t}.causation_id, ''), coalesce({t}.trace_id, ''), "
    "{t}.sensitivity, {t}.summary, {t}.excerpt::text, "
    "(extract(epoch FROM {t}.event_time) * 1000000)::bigint::text)"
)


def _row_hash(alias: str) -> str:
    return f"md5({_ROW_TEXT.format(t=alias)})"


def _checksum(alias: str) -> str:
    # An order-independent sum of 60-bit slices of each row's md5.
    return f"coalesce(sum(('x' || substr({_row_hash(alias)}, 1, 15))::bit(60)::bigint), 0)::text"


class RebuildRefused(RuntimeError):
    """The rebuilt projection did not pass its check (or another rebuild is running)."""


@dataclass
class RebuildReport:
    """What a rebuild did."""

    topics: list[str] = field(default_factory=list)
    events: int = 0
    entries: int = 0
    skipped: int = 0
    seconds: float = 0.0
    events_per_second: float = 0.0
    common: int = 0
    checksum_live: str = "0"
    checksum_rebuilt: str = "0"
    differing: int = 0
    only_rebuilt: int = 0
    only_live_before_start: int = 0
    copied_at_swap: int = 0
    swapped: bool = False
    refused: str | None = None

    @property
    def matches(self) -> bool:
        return self.checksum_live == self.checksum_rebuilt and self.differing == 0


async def replay(
    settings: TimelineSettings, conn_engine: AsyncEngine, *, say: Say, batch: int = BATCH
) -> RebuildReport:
    """Read every matching topic from the beginning up to its end offsets (captured at start) into the
    fresh table; returns counts and the rate."""
    report = RebuildReport()
    pattern = re.compile(settings.topic_pattern)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.consumer_group}-rebuild",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, client_id=f"{settings.consumer_group}-rebuild"
    )
    fresh = entry_table(REBUILD_TABLE, make_metadata())
    try:
        await asyncio.wait_for(admin.start(), 30)
        await asyncio.wait_for(consumer.start(), 30)
        partitions = await matching_partitions(admin, pattern)
        report.topics = sorted({tp.topic for tp in partitions})
        if not partitions:
            return report
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        remaining = {tp for tp in partitions if ends[tp] > starts[tp]}
        say(
            f"replaying {sum(ends[tp] - starts[tp] for tp in partitions)} record(s) from "
            f"{len(report.topics)} topic(s): {', '.join(report.topics)}"
        )
        started = time.perf_counter()
        pending: dict[str, tuple[ProjectedEntry, dict[str, Any]]] = {}
        while remaining:
            fetched = await consumer.getmany(*remaining, timeout_ms=1000, max_records=5000)
            for tp, records in fetched.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    report.events += 1
                    projected = project_record(record)
                    if projected is None:
                        report.skipped += 1
                    else:
                        pending[projected[0].event_id] = projected
                if records and records[-1].offset + 1 >= ends[tp]:
                    remaining.discard(tp)
            if len(pending) >= batch:
                await _flush(conn_engine, fresh, pending)
            for tp in list(remaining):
                if await consumer.position(tp) >= ends[tp]:
                    remaining.discard(tp)
        if pending:
            await _flush(conn_engine, fresh, pending)
        report.seconds = time.perf_counter() - started
        async with conn_engine.connect() as conn:
            report.entries = int(await conn.scalar(text(f"SELECT count(*) FROM {REBUILD_TABLE}")) or 0)
        report.events_per_second = report.events / report.seconds if report.seconds > 0 else 0.0
        return report
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.stop(), 10)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(admin.close(), 10)


async def _flush(
    engine: AsyncEngine, table: Any, pending: dict[str, tuple[ProjectedEntry, dict[str, Any]]]
) -> None:
    items = list(pending.values())
    pending.clear()
    async with engine.begin() as conn:
        await store(conn, [e for e, _ in items], [d for _, d in items], table=table)


async def _prepare(conn: AsyncConnection) -> None:
    await conn.execute(text(f"DROP TABLE IF EXISTS {REBUILD_TABLE}"))
    await conn.execute(text(f"DROP TABLE IF EXISTS {OLD_TABLE}"))
    await conn.run_sync(lambda sync: entry_table(REBUILD_TABLE, make_metadata()).create(sync))


async def check(conn: AsyncConnection, report: RebuildReport, started_at: datetime) -> None:
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
    report.common, report.checksum_live, report.checksum_rebuilt = int(row.n), str(row.live), str(row.rebuilt)
    report.differing = int(
        await conn.scalar(
            text(
                f"SELECT count(*) FROM {ENTRY_TABLE} l JOIN {REBUILD_TABLE} r USING (event_id) "
                f"WHERE {_row_hash('l')} <> {_row_hash('r')}"
            )
        )
        or 0
    )
    report.only_rebuilt = int(
        await conn.scalar(
            text(
                f"SELECT count(*) FROM {REBUILD_TABLE} r "
                f"WHERE NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} l WHERE l.event_id = r.event_id)"
            )
        )
        or 0
    )
    report.only_live_before_start = int(
        await conn.scalar(
            text(
                f"SELECT count(*) FROM {ENTRY_TABLE} l WHERE l.recorded_at < :started "
                f"AND NOT EXISTS (SELECT 1 FROM {REBUILD_TABLE} r WHERE r.event_id = l.event_id)"
            ),
            {"started": started_at},
        )
        or 0
    )


async def swap(conn: AsyncConnection) -> int:
    """In the caller's transaction: catch up, then exchange the tables; returns the rows copied over."""
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


async def _drop_old(conn: AsyncConnection) -> int:
    await conn.execute(text(f"LOCK TABLE {OLD_TABLE} IN ACCESS EXCLUSIVE MODE"))
    late = await conn.execute(
        text(
            f"INSERT INTO {ENTRY_TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM {OLD_TABLE} o "
            f"WHERE NOT EXISTS (SELECT 1 FROM {ENTRY_TABLE} l WHERE l.event_id = o.event_id)"
        )
    )
    await conn.execute(text(f"DROP TABLE {OLD_TABLE}"))
    return int(late.rowcount or 0)


async def rebuild(
    settings: TimelineSettings,
    *,
    accept_changes: bool = False,
    say: Say = print,
    engine: AsyncEngine | None = None,
) -> RebuildReport:
    """Replay, check and swap. A failed check leaves the live table alone (`report.refused` says why);
    RebuildRefused when another rebuild holds the lock."""
    own_engine = engine is None
    engine = engine or make_engine(settings.database_url, pool_size=2)
    started_at = datetime.now(UTC)
    try:
        async with engine.connect() as lock_conn:
            got = await lock_conn.scalar(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": _LOCK_KEY})
            await lock_conn.commit()
            if not got:
                raise RebuildRefused("another rebuild is running")
            try:
                async with engine.begin() as conn:
                    run_id = await conn.scalar(
                        insert(rebuild_run)
                        .values(started_at=started_at, outcome="running")
                        .returning(rebuild_run.c.id)
                    )
                    await _prepare(conn)
                try:
                    report = await _run(settings, engine, started_at, accept_changes, say)
                except BaseException as exc:
                    await _finish(engine, run_id, RebuildReport(refused=repr(exc)[:500]), "failed")
                    raise
                await _finish(engine, run_id, report, "swapped" if report.swapped else "refused")
                return report
            finally:
                await lock_conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": _LOCK_KEY})
                await lock_conn.commit()
    finally:
        if own_engine:
            await engine.dispose()


async def _run(
    settings: TimelineSettings, engine: AsyncEngine, started_at: datetime, accept_changes: bool, say: Say
) -> RebuildReport:
    report = await replay(settings, engine, say=say)
    say(
        f"replayed {report.events} event(s) in {report.seconds:.2f}s: "
        f"{report.events_per_second:.0f} events/s ({report.entries} entries, {report.skipped} skipped)"
    )
    async with engine.begin() as conn:
        await check(conn, report, started_at)
    say(
        f"check: {report.common} event(s) in both tables, checksum live {report.checksum_live} / rebuilt "
        f"{report.checksum_rebuilt}, {report.differing} differing; {report.only_rebuilt} only in the rebuild "
        f"(live still behind), {report.only_live_before_start} only in live (no longer in Kafka; kept)"
    )
    if not report.matches and not accept_changes:
        report.refused = (
            f"{report.differing} entries differ from the live projection; "
            "rerun with --accept-changes to swap anyway (expected after a renderer changed)"
        )
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP TABLE IF EXISTS {REBUILD_TABLE}"))
        say(f"not swapped: {report.refused}")
        return report
    async with engine.begin() as conn:
        report.copied_at_swap = await swap(conn)
    report.swapped = True
    async with engine.begin() as conn:
        report.copied_at_swap += await _drop_old(conn)
    say(f"swapped: the rebuilt projection is live ({report.copied_at_swap} entries carried over from live)")
    return report


async def _finish(engine: AsyncEngine, run_id: Any, report: RebuildReport, outcome: str) -> None:
    detail = {k: v for k, v in asdict(report).items() if k not in ("events", "entries", "events_per_second")}
    async with engine.begin() as conn:
        await conn.execute(
            update(rebuild_run)
            .where(rebuild_run.c.id == run_id)
            .values(
                finished_at=datetime.now(UTC),
                outcome=outcome,
                events=report.events,
                entries=report.entries,
                events_per_second=report.events_per_second,
                detail=detail,
            )
        )


async def last_runs(engine: AsyncEngine, limit: int = 5) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(rebuild_run).order_by(rebuild_run.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]
