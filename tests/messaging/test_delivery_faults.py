"""Delivery under faults: broker outage, worker SIGKILL, duplicate publication."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from infra import wait_until
from probe.contracts import TOPIC, ItemCreated
from probe_harness import ProbeProcesses
from shared.messaging.outbox import make_event

pytestmark = pytest.mark.integration


async def post_items(api: str, n: int, *, prefix: str, concurrency: int = 8) -> list[dict[str, str]]:
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=api, timeout=10) as client:

        async def one(i: int) -> dict[str, str]:
            async with sem:
                r = await client.post("/items", json={"name": f"{prefix}-{i}"})
                assert r.status_code == 201, r.text
                body: dict[str, str] = r.json()
                return body

        return await asyncio.gather(*(one(i) for i in range(n)))


async def effect_stats(probe: ProbeProcesses) -> tuple[int, int]:
    total = await probe.db.fetchval("SELECT count(*) FROM probe_effect")
    distinct = await probe.db.fetchval("SELECT count(DISTINCT event_id) FROM probe_effect")
    assert isinstance(total, int) and isinstance(distinct, int)
    return total, distinct


async def test_broker_outage_delays_but_loses_nothing(probe: ProbeProcesses) -> None:
    api = await probe.start_api()
    probe.start_worker()
    await post_items(api, 20, prefix="before")
    assert await wait_until(lambda: _effects_at_least(probe, 20), timeout_s=60)

    probe.stack.kafka.stop()
    try:
        during = await post_items(api, 60, prefix="during")
        assert len(during) == 60
        backlog = await probe.db.fetchval("SELECT count(*) FROM outbox_message WHERE published_at IS NULL")
        assert backlog == 60
    finally:
        probe.stack.kafka.start()

    assert await wait_until(lambda: _effects_at_least(probe, 80), timeout_s=120)
    await asyncio.sleep(1.0)
    assert await effect_stats(probe) == (80, 80)
    assert await probe.db.fetchval("SELECT count(*) FROM outbox_message WHERE published_at IS NULL") == 0


async def test_worker_sigkill_mid_batch_has_exactly_one_effect_per_event(probe: ProbeProcesses) -> None:
    api = await probe.start_api()
    probe.start_worker(handler_delay_s=0.02)
    created = await post_items(api, 300, prefix="kill")
    assert await wait_until(lambda: _effects_at_least(probe, 40), timeout_s=60, interval_s=0.05)

    probe.kill_worker()
    done_before_restart, _ = await effect_stats(probe)
    assert 0 < done_before_restart < 300, "the kill must land in the middle of the work"

    probe.start_worker()
    assert await wait_until(lambda: _effects_at_least(probe, 300), timeout_s=120)
    await asyncio.sleep(1.0)
    assert await effect_stats(probe) == (300, 300)
    assert {r["event_id"] for r in created} == set(await _effect_event_ids(probe))


async def test_same_event_published_twice_has_one_effect(probe: ProbeProcesses) -> None:
    probe.start_worker()
    contract = ItemCreated(item_id="00000000-0000-4000-8000-000000000001", name="twice")
    event = make_event(contract, source="/probe", subject=str(contract.item_id))
    headers = [(k, v.encode()) for k, v in event.attribute_headers().items()]
    producer = AIOKafkaProducer(bootstrap_servers=probe.stack.kafka.bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        first = await producer.send_and_wait(TOPIC, event.value(), key=b"k", headers=headers)
        second = await producer.send_and_wait(TOPIC, event.value(), key=b"k", headers=headers)
        # A marker after the duplicate on the same partition: once it is handled, so was the duplicate.
        marker = make_event(
            ItemCreated(item_id="00000000-0000-4000-8000-000000000002", name="marker"),
            source="/probe",
            subject="marker",
        )
        await producer.send_and_wait(
            TOPIC,
            marker.value(),
            key=b"k",
            headers=[(k, v.encode()) for k, v in marker.attribute_headers().items()],
        )
    finally:
        await producer.stop()
    assert second.offset > first.offset and second.partition == first.partition

    async def marker_handled() -> bool:
        return (
            await probe.db.fetchval("SELECT count(*) FROM probe_effect WHERE event_id = $1", marker.id) == 1
        )

    assert await wait_until(marker_handled, timeout_s=60)
    assert await probe.db.fetchval("SELECT count(*) FROM probe_effect WHERE event_id = $1", event.id) == 1
    assert (
        await probe.db.fetchval(
            "SELECT count(*) FROM inbox_message WHERE consumer = 'probe' AND event_id = $1", event.id
        )
        == 1
    )


async def _effects_at_least(probe: ProbeProcesses, n: int) -> bool:
    total, _ = await effect_stats(probe)
    return total >= n


async def _effect_event_ids(probe: ProbeProcesses) -> list[object]:
    return await probe.db.fetchcol("SELECT event_id FROM probe_effect")
