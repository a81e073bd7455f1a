"""Measure the timeline projection: live consumer rate and `rebuild` rate, on a private test stack.

    CASEWORK_TEST_INSTANCE=test-tl CASEWORK_TEST_KAFKA_PORT=29592 \\
        .venv/bin/python services/timeline/scripts/bench_rebuild.py --work-orders 2000

Starts (and afterwards stops) the test stack's Kafka and PostgreSQL for that instance, publishes
synthetic work orders (received, routed, accepted, replied on intake's topic shape; reported, accepted,
assessed, closed on child_protection's) to private topics, lets the live projection consume them, then
rebuilds and prints both rates.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import string
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "support"))

import asyncpg  # noqa: E402

from infra import recreate_database, start_infra, stop_infra, test_stack  # noqa: E402
from shared.contracts.envelope import CloudEvent  # noqa: E402
from shared.contracts.topics import TopicSpec  # noqa: E402
from shared.db import upgrade_to_head  # noqa: E402
from shared.messaging.admin import ensure_topics  # noqa: E402
from shared.messaging.producer import make_producer  # noqa: E402
from shared.stack.postgres import asyncpg_dsn  # noqa: E402
from timeline.entrypoints.consumer import projection_task  # noqa: E402
from timeline.service_layer.rebuild import rebuild  # noqa: E402
from timeline.settings import TimelineSettings  # noqa: E402

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


async def main(work_orders: int) -> None:
    stack = test_stack()
    start_infra(stack)
    try:
        db = await recreate_database(stack, "timeline_bench")
        await asyncio.to_thread(upgrade_to_head, ROOT / "services" / "timeline" / "alembic.ini", db.url)
        prefix = "bench" + "".join(random.choice(string.ascii_lowercase) for _ in range(6))
        settings = TimelineSettings(
            database_url=db.url,
            kafka_bootstrap_servers=stack.kafka.bootstrap,
            consumer_group=f"{prefix}-timeline",
            topic_pattern=rf"^{prefix}_[a-z_]+\.[a-z_]+\.v1$",
            log_level="WARNING",
        )
        topics = ["intake.work_order.v1", "child_protection.case.v1"]
        await ensure_topics(stack.kafka.bootstrap, [TopicSpec(f"{prefix}_{t}", 3) for t in topics])
        producer = make_producer(stack.kafka.bootstrap, client_id="bench", linger_ms=20)
        await producer.start()
        total = 0
        t = time.perf_counter()
        for i in range(work_orders):
            for topic, event in work_order_events(i):
                headers = [(k, v.encode()) for k, v in event.attribute_headers().items()]
                await producer.send(
                    f"{prefix}_{topic}", event.value(), key=(event.subject or "").encode(), headers=headers
                )
                total += 1
        await producer.flush()
        await producer.stop()
        print(f"published {total} events in {time.perf_counter() - t:.1f}s")

        stop = asyncio.Event()
        t = time.perf_counter()
        task = asyncio.create_task(projection_task(settings)(stop))
        conn = await asyncpg.connect(asyncpg_dsn(db.url))
        while await conn.fetchval("SELECT count(*) FROM timeline_entry") < total:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        live_s = time.perf_counter() - t
        print(
            f"live projection: {total} events in {live_s:.1f}s = {total / live_s:.0f} events/s (with inbox)"
        )
        stop.set()
        await task
        report = await rebuild(settings, say=print)
        print(
            f"REBUILD: {report.events} events in {report.seconds:.2f}s = "
            f"{report.events_per_second:.0f} events/s; swapped={report.swapped} matches={report.matches}"
        )
        await conn.close()
    finally:
        stop_infra(stack)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work-orders", type=int, default=2000, help="8 events each")
    asyncio.run(main(parser.parse_args().work_orders))
