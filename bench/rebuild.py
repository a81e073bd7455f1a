"""Rebuild: events per second replayed into a fresh timeline projection with 100,000 events in the topics.

Synthetic work orders (on intake's topic: received, routed, accepted, replied; on child protection's:
reported, accepted, assessed, closed; 8 events each, the real event shapes) are published to private
copies of the two domain topics on the bench broker, so the services' own consumers never see them.
A fresh timeline database then takes `rebuild` (the code behind `casework timeline rebuild`): replay to
the end offsets captured at its start, checksum comparison, swap. Also measured, on a smaller set: the
live projection's rate (the timeline worker itself: a partition batch per transaction), which bounds the
end-to-end rate.

    .venv/bin/python -m bench.rebuild [--smoke]
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench.common import ROOT, say
from infra import recreate_database
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1, INTAKE_WORK_ORDER_V1, TopicSpec
from shared.db import upgrade_to_head
from shared.kit.worker import run_worker
from shared.messaging.admin import ensure_topics
from shared.messaging.producer import make_producer
from shared.stack.postgres import asyncpg_dsn
from shared.stack.stack import Stack
from timeline.bootstrap import bootstrap
from timeline.entrypoints.worker import worker_spec
from timeline.service_layer.rebuild import rebuild
from timeline.settings import TimelineSettings

EVENTS_PER_WORK_ORDER = 8

T0 = datetime(2026, 11, 23, tzinfo=UTC)


def work_order_events(i: int) -> list[tuple[str, CloudEvent]]:
    wo, case, child = str(uuid.uuid4()), str(uuid.uuid4()), "pp_" + uuid.uuid4().hex
    order_no, start = f"BENCH-{i:07d}", T0 + timedelta(minutes=i)
    subjects = [{"personkey": child, "masked_name": "小*", "age": 8, "is_minor": True}]
    base = {
        "work_order_id": wo,
        "order_no": order_no,
        "region_code": "500154",
        "urgency": "urgent",
        "category_code": "MZ-CP-02",
    }
    case_base = {"case_id": case, "case_ref": f"WB-{i}", "region_code": "500154", "work_order_id": wo}
    out: list[tuple[str, CloudEvent]] = []

    def add(kind: str, data: dict[str, Any], seconds: int, cause: CloudEvent | None = None) -> CloudEvent:
        service = kind.split(".")[0]
        event = CloudEvent(
            type=kind,
            source=f"/services/{service}",
            data=data,
            time=start + timedelta(seconds=seconds),
            subject=case if service == "child_protection" else wo,
            correlationid=wo,
            causationid=cause.id if cause else None,
            personkey=child,
            regioncode="500154",
            traceparent=f"00-{uuid.uuid4().hex}-{'1' * 16}-01",
        )
        out.append((".".join(kind.split(".")[:2]) + ".v1", event))
        return event

    add("intake.work_order.received", {**base, "status": "received", "subjects": subjects}, 0)
    routed = add(
        "intake.work_order.routed",
        {**base, "status": "routed", "routed_to": "child_protection", "responsible_region": "500154"},
        1,
    )
    reported = add("child_protection.case.reported", {**case_base, "source": "12345"}, 2, routed)
    accepted = add("child_protection.case.accepted", {**case_base}, 60, reported)
    add(
        "intake.work_order.accepted",
        {**base, "status": "accepted", "case_ref": f"child_protection/WB-{i}"},
        61,
        accepted,
    )
    add("child_protection.case.assessed", {**case_base, "risk_colour": "yellow"}, 600)
    closed = add("child_protection.case.closed", {**case_base, "feedback": "已照护"}, 900)
    add("intake.work_order.replied", {**base, "status": "replied", "reply_text": "已办结"}, 901, closed)
    return out


async def _fresh_database(stack: Stack, name: str) -> str:
    url = (await recreate_database(stack, name)).url
    await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "timeline" / "alembic.ini", url)
    return url


async def _publish(stack: Stack, prefix: str, work_orders: int) -> tuple[int, float]:
    """Private copies of the two topics, filled with `work_orders` synthetic work orders."""
    topics = [INTAKE_WORK_ORDER_V1, CHILD_PROTECTION_CASE_V1]
    await ensure_topics(stack.kafka.bootstrap, [TopicSpec(f"{prefix}_{t}", 3) for t in topics])
    producer = make_producer(stack.kafka.bootstrap, client_id="bench-rebuild", linger_ms=20)
    await producer.start()
    total, t0 = 0, time.perf_counter()
    try:
        pending = []
        for i in range(work_orders):
            for topic, event in work_order_events(i):
                headers = [(k, v.encode()) for k, v in event.attribute_headers().items()]
                pending.append(
                    await producer.send(
                        f"{prefix}_{topic}",
                        event.value(),
                        key=(event.subject or "").encode(),
                        headers=headers,
                    )
                )
                total += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return total, time.perf_counter() - t0


def _settings(stack: Stack, url: str, prefix: str) -> TimelineSettings:
    return TimelineSettings(
        database_url=url,
        kafka_bootstrap_servers=stack.kafka.bootstrap,
        consumer_group=f"bench-{prefix}-timeline",
        topic_pattern=rf"^{prefix}_[a-z_]+\.[a-z_]+\.v1$",
        log_level="WARNING",
    )


async def _live_rate(stack: Stack, work_orders: int) -> dict[str, Any]:
    """The timeline worker's projection over a backlog: events per second."""
    prefix = "benchlive" + uuid.uuid4().hex[:6]
    total, _ = await _publish(stack, prefix, work_orders)
    url = await _fresh_database(stack, "bench_timeline_live")
    settings = _settings(stack, url, prefix)
    stop = asyncio.Event()
    conn = await asyncpg.connect(asyncpg_dsn(url))
    t0 = time.perf_counter()
    task = asyncio.create_task(run_worker(settings, bootstrap, worker_spec(settings), stop=stop))
    try:
        deadline = time.monotonic() + 600
        while await conn.fetchval("SELECT count(*) FROM timeline_entry") < total:
            if time.monotonic() > deadline or task.done():
                raise RuntimeError("the live projection did not catch up in 10 minutes")
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - t0
    finally:
        stop.set()
        await task
        await conn.close()
    return {"events": total, "seconds": round(seconds, 2), "events_per_s": round(total / seconds, 1)}


async def run(stack: Stack, smoke: bool) -> dict[str, Any]:
    work_orders = 500 if smoke else 12_500  # 8 events each: 100,000 at full size
    prefix = "benchrb" + uuid.uuid4().hex[:6]
    events, publish_s = await _publish(stack, prefix, work_orders)
    say(f"  published {events:,} events in {publish_s:.1f}s")
    url = await _fresh_database(stack, "bench_timeline_rebuild")
    report = await rebuild(_settings(stack, url, prefix), accept_changes=True, say=lambda _: None)
    if report.refused:
        raise RuntimeError(f"rebuild refused: {report.refused}")
    say(
        f"  rebuild: {report.events:,} events in {report.seconds:.2f}s = {report.events_per_second:,.0f} "
        f"events/s; {report.entries:,} entries; swapped={report.swapped}"
    )
    live = await _live_rate(stack, 100 if smoke else 1_000)
    say(f"  live projection: {live['events']:,} events in {live['seconds']}s = {live['events_per_s']:,.0f}/s")
    return {
        "parameters": {"work_orders": work_orders, "events_per_work_order": EVENTS_PER_WORK_ORDER},
        "events_in_topics": events,
        "publish_s": round(publish_s, 2),
        "rebuild_events": report.events,
        "rebuild_entries": report.entries,
        "rebuild_seconds": round(report.seconds, 2),
        "rebuild_events_per_s": round(report.events_per_second, 1),
        "swapped": report.swapped,
        "live_projection": live,
    }


if __name__ == "__main__":
    from bench.run import main_one

    main_one("rebuild")
