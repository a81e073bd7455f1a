"""The live projection on real Kafka (pattern subscription) and the rebuild: replayed while the live one
serves, checked, swapped atomically; the rebuilt projection equals the live one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from infra import Database, wait_until
from shared.contracts.envelope import CloudEvent
from timeline.domain import renderers
from timeline.service_layer.rebuild import rebuild

pytestmark = pytest.mark.integration
TRACE = "0af7651916cd43dd8448eb211c80319c"


async def table(db: Database) -> list[object]:
    return await db.fetchcol("SELECT row(timeline_entry.*)::text FROM timeline_entry ORDER BY event_id")


async def count(db: Database) -> int:
    return int(await db.fetchval("SELECT count(*) FROM timeline_entry"))  # type: ignore[call-overload]


class Live:
    """The worker's projection consumer, running in this process until the test ends."""

    def __init__(self, bus: Any, projection: Any) -> None:
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(projection(bus.settings(), self.stop))

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


@pytest.fixture
async def live(bus: Any, projection: Any) -> AsyncIterator[Live]:
    await bus.topics("intake.work_order.v1", "child_protection.case.v1", "newservice.case.v1")
    running = Live(bus, projection)
    yield running
    await running.close()


def unknown_events(n: int) -> list[CloudEvent]:
    return [
        CloudEvent(
            type="newservice.case.noted",
            source="/services/newservice",
            data={"case_id": f"n-{i}", "region_code": "500154"},
            subject=f"n-{i}",
            regioncode="500154",
        )
        for i in range(n)
    ]


async def test_live_projection_reads_every_matching_topic(
    bus: Any, live: Live, story: Any, tl_db: Database
) -> None:
    s = story().full()
    await bus.publish(s.events[:5], traceparent=f"00-{TRACE}-{'2' * 16}-01")
    await bus.publish([*s.events[5:], *unknown_events(3)])
    await bus.publish_raw("intake.work_order.v1", b"not a cloudevent")
    assert await wait_until(lambda: _has(tl_db, 13), timeout_s=60), await count(tl_db)
    rows = await tl_db.fetchcol(
        "SELECT topic || ' ' || coalesce(trace_id, '-') FROM timeline_entry ORDER BY event_time"
    )
    assert {r.split()[0] for r in rows} == {
        f"{bus.prefix}_{t}"
        for t in ("intake.work_order.v1", "child_protection.case.v1", "newservice.case.v1")
    }  # type: ignore[union-attr]
    traced = await tl_db.fetchval(f"SELECT count(*) FROM timeline_entry WHERE trace_id = '{TRACE}'")
    assert traced == 5
    # Delivered again (a relay retry), nothing changes.
    before = await table(tl_db)
    await bus.publish(s.events[5:])
    await asyncio.sleep(2)
    assert await table(tl_db) == before


async def _has(db: Database, n: int) -> bool:
    return await count(db) >= n


async def test_rebuild_equals_live_and_swaps_while_events_keep_arriving(
    bus: Any, live: Live, story: Any, tl_db: Database
) -> None:
    first = [e for _ in range(20) for e in story().full().events] + unknown_events(5)
    await bus.publish(first, traceparent=f"00-{TRACE}-{'3' * 16}-01")
    await bus.publish_raw("child_protection.case.v1", b"{}")
    assert await wait_until(lambda: _has(tl_db, len(first)), timeout_s=60)
    live_before = await table(tl_db)

    during = [e for _ in range(10) for e in story(region="510104").full().events]
    sends: list[asyncio.Task[int]] = []
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if line.startswith("replaying"):
            # The end offsets are captured: these arrive while the rebuild runs; the live consumer takes them.
            sends.append(asyncio.get_running_loop().create_task(bus.publish(during)))

    report = await rebuild(bus.settings(), say=say)
    assert report.swapped and report.matches, lines
    assert report.events == len(first) + 1 and report.skipped == 1 and report.entries == len(first)
    assert report.common == len(first) and report.differing == 0 and report.only_live_before_start == 0
    assert report.events_per_second > 0 and any("events/s" in line for line in lines)
    await asyncio.gather(*sends)

    total = len(first) + len(during)
    assert await wait_until(lambda: _has(tl_db, total), timeout_s=60)
    after = await table(tl_db)
    assert len(after) == total
    # The rebuilt table holds exactly the live rows it replaced (recorded times included).
    assert set(live_before) <= set(after)

    # Nothing arriving now: a second rebuild reproduces the whole live table.
    again = await rebuild(bus.settings(), say=lines.append)
    assert again.swapped and again.matches and again.common == total and again.only_rebuilt == 0
    assert await table(tl_db) == after
    assert await tl_db.fetchcol("SELECT outcome FROM rebuild_run ORDER BY id") == ["swapped", "swapped"]
    indexes = await tl_db.fetchcol(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'timeline_entry' ORDER BY 1"
    )
    assert indexes == [
        "ix_timeline_entry_case_ref",
        "ix_timeline_entry_correlation_id",
        "ix_timeline_entry_event_time",
        "ix_timeline_entry_order_no",
        "ix_timeline_entry_personkeys",
        "ix_timeline_entry_reference",
        "pk_timeline_entry",
    ]
    assert await tl_db.fetchval("SELECT to_regclass('timeline_entry_rebuild')") is None
    assert await tl_db.fetchval("SELECT to_regclass('timeline_entry_old')") is None


async def test_a_rebuild_that_differs_is_refused_unless_accepted(
    bus: Any, live: Live, story: Any, tl_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = [e for _ in range(3) for e in story().full().events]
    await bus.publish(events)
    assert await wait_until(lambda: _has(tl_db, len(events)), timeout_s=60)
    before = await table(tl_db)
    monkeypatch.setitem(renderers.RENDERERS, "intake.work_order.received", lambda d: "新的摘要")
    lines: list[str] = []
    refused = await rebuild(bus.settings(), say=lines.append)
    assert not refused.swapped and refused.differing == 3 and "--accept-changes" in (refused.refused or "")
    assert await table(tl_db) == before
    assert await tl_db.fetchval("SELECT to_regclass('timeline_entry_rebuild')") is None
    accepted = await rebuild(bus.settings(), accept_changes=True, say=lines.append)
    assert accepted.swapped
    summaries = await tl_db.fetchcol(
        "SELECT DISTINCT summary FROM timeline_entry WHERE type = 'intake.work_order.received'"
    )
    assert summaries == ["新的摘要"]
    assert await tl_db.fetchcol("SELECT outcome FROM rebuild_run ORDER BY id") == ["refused", "swapped"]


async def test_the_casework_command_rebuilds_and_prints_the_rate(
    bus: Any, live: Live, story: Any, tl_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from shared.cli.main import app

    events = story().full().events
    await bus.publish(events)
    assert await wait_until(lambda: _has(tl_db, len(events)), timeout_s=60)
    before = await table(tl_db)
    monkeypatch.setenv("TIMELINE_TOPIC_PATTERN", bus.pattern)
    monkeypatch.setenv("TIMELINE_CONSUMER_GROUP", bus.settings().consumer_group)
    args = ["timeline", "rebuild", "--database-url", tl_db.url, "--bootstrap", bus.stack.kafka.bootstrap]
    # The command runs its own event loop, so it runs in a thread here.
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    assert "events/s" in result.output and "swapped" in result.output
    assert await table(tl_db) == before
