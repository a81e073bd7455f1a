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

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import make_engine
from timeline.adapters import rebuild_repository as tables
from timeline.adapters.kafka_replay import KafkaReplay
from timeline.adapters.repository import SqlEntryRepository, SqlLinkRepository
from timeline.domain.commands import ProjectEvent
from timeline.domain.links import declared_links
from timeline.service_layer.projection import command_of_record, entry_of
from timeline.settings import TimelineSettings

Say = Callable[[str], None]
BATCH = 5000


class RebuildRefused(RuntimeError):
    """Another rebuild is running."""


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


async def _flush(engine: AsyncEngine, pending: dict[str, ProjectEvent]) -> None:
    commands = list(pending.values())
    pending.clear()
    entries = [entry_of(c) for c in commands]
    async with engine.begin() as conn:
        await SqlEntryRepository(conn, tables.fresh_table).add(entries)
        await SqlLinkRepository(conn).add(
            [row for e, c in zip(entries, commands, strict=True) for row in declared_links(e, c.event.data)]
        )


async def replay(
    settings: TimelineSettings, engine: AsyncEngine, *, say: Say, batch: int = BATCH
) -> RebuildReport:
    """Read every matching topic from the beginning up to its end offsets (captured at start) into the
    fresh table; returns counts and the rate."""
    report = RebuildReport()
    client_id = f"{settings.consumer_group}-rebuild"
    async with KafkaReplay(settings.kafka_bootstrap_servers, client_id, settings.topic_pattern) as source:
        report.topics = source.topics
        if not source.topics:
            return report
        topics = ", ".join(source.topics)
        say(f"replaying {source.records} record(s) from {len(source.topics)} topic(s): {topics}")
        started = time.perf_counter()
        # Keyed by event id: a relay's redelivery in the same batch is projected once.
        pending: dict[str, ProjectEvent] = {}
        async for records in source.batches():
            for record in records:
                report.events += 1
                command = command_of_record(record)
                if command is None:
                    report.skipped += 1
                else:
                    pending[command.event.id] = command
            if len(pending) >= batch:
                await _flush(engine, pending)
        if pending:
            await _flush(engine, pending)
        report.seconds = time.perf_counter() - started
    async with engine.connect() as conn:
        report.entries = await tables.count_fresh(conn)
    report.events_per_second = report.events / report.seconds if report.seconds > 0 else 0.0
    return report


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
            got = await tables.try_lock(lock_conn)
            await lock_conn.commit()
            if not got:
                raise RebuildRefused("another rebuild is running")
            try:
                async with engine.begin() as conn:
                    run_id = await tables.start_run(conn, started_at)
                    await tables.prepare(conn)
                try:
                    report = await _run(settings, engine, started_at, accept_changes, say)
                except BaseException as exc:
                    await _finish(engine, run_id, RebuildReport(refused=repr(exc)[:500]), "failed")
                    raise
                await _finish(engine, run_id, report, "swapped" if report.swapped else "refused")
                return report
            finally:
                await tables.unlock(lock_conn)
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
        compared = await tables.compare(conn, started_at)
    for name, value in asdict(compared).items():
        setattr(report, name, value)
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
            await tables.drop_fresh(conn)
        say(f"not swapped: {report.refused}")
        return report
    async with engine.begin() as conn:
        report.copied_at_swap = await tables.swap(conn)
    report.swapped = True
    async with engine.begin() as conn:
        report.copied_at_swap += await tables.drop_old(conn)
    say(f"swapped: the rebuilt projection is live ({report.copied_at_swap} entries carried over from live)")
    return report


async def _finish(engine: AsyncEngine, run_id: int, report: RebuildReport, outcome: str) -> None:
    detail: dict[str, Any] = {
        k: v for k, v in asdict(report).items() if k not in ("events", "entries", "events_per_second")
    }
    async with engine.begin() as conn:
        await tables.finish_run(
            conn,
            run_id,
            outcome=outcome,
            events=report.events,
            entries=report.entries,
            events_per_second=report.events_per_second,
            detail=detail,
        )
