"""Raw Kafka: 1 KiB messages through the bench broker with the platform's producer and consumer settings.

The reference ceiling for the pipeline: idempotent producer with acks=all (shared.messaging.producer),
a consumer group that commits after every batch like the services' consumer loop, and the round-trip
delay of single messages sent at a low rate.

    .venv/bin/python -m bench.raw_kafka [--smoke]
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer

from bench.common import quantiles, say
from shared.contracts.topics import TopicSpec
from shared.messaging.admin import ensure_topics
from shared.messaging.producer import make_producer
from shared.stack.stack import Stack

MESSAGE_BYTES = 1024
PARTITIONS = 3  # as every domain topic


async def _produce(bootstrap: str, topic: str, count: int, payload: bytes) -> float:
    producer = make_producer(bootstrap, client_id="bench-raw-producer")
    await producer.start()
    try:
        t0 = time.perf_counter()
        pending = []
        for i in range(count):
            pending.append(await producer.send(topic, payload, key=str(i % 1000).encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        return time.perf_counter() - t0
    finally:
        await producer.stop()


async def _consume(bootstrap: str, topic: str, count: int, timeout_s: float) -> tuple[int, float]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        seen, deadline = 0, time.monotonic() + timeout_s
        t0: float | None = None  # from the first record: joining the group is not reading
        while seen < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=200)
            for tp, records in batch.items():
                if t0 is None:
                    t0 = time.perf_counter()
                seen += len(records)
                await consumer.commit({tp: records[-1].offset + 1})
        return seen, time.perf_counter() - (t0 or time.perf_counter())
    finally:
        await consumer.stop()


async def _round_trip(bootstrap: str, topic: str, count: int, interval_s: float) -> list[float]:
    """Send one message every `interval_s`; the delay until a subscribed consumer has it."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-rt-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="latest",
    )
    producer = make_producer(bootstrap, client_id="bench-rt-producer")
    await consumer.start()
    await producer.start()
    delays: list[float] = []
    try:
        # Only messages sent after the assignment count: wait for it.
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=200)
        for tp in consumer.assignment():
            await consumer.seek_to_end(tp)

        async def receive() -> None:
            while len(delays) < count:
                batch = await consumer.getmany(timeout_ms=500)
                now = time.perf_counter()
                for records in batch.values():
                    delays.extend(now - float(r.value.decode()) for r in records if r.value)

        receiver = asyncio.create_task(receive())
        for _ in range(count):
            await producer.send(topic, str(time.perf_counter()).encode())
            await asyncio.sleep(interval_s)
        await asyncio.wait_for(receiver, 30)
        return delays
    finally:
        await producer.stop()
        await consumer.stop()


async def run(stack: Stack, smoke: bool) -> dict[str, Any]:
    count = 5_000 if smoke else 200_000
    round_trips = 50 if smoke else 500
    topic = f"bench.raw_kafka.{uuid.uuid4().hex[:6]}"
    bootstrap = stack.kafka.bootstrap
    await ensure_topics(bootstrap, [TopicSpec(topic, PARTITIONS), TopicSpec(f"{topic}.rt", PARTITIONS)])
    payload = os.urandom(MESSAGE_BYTES)
    produce_s = await _produce(bootstrap, topic, count, payload)
    say(f"  produce: {count} x 1 KiB in {produce_s:.2f}s = {count / produce_s:,.0f} msg/s")
    consumed, consume_s = await _consume(bootstrap, topic, count, timeout_s=120)
    say(f"  consume: {consumed} in {consume_s:.2f}s = {consumed / max(consume_s, 1e-9):,.0f} msg/s")
    delays = await _round_trip(bootstrap, f"{topic}.rt", round_trips, interval_s=0.01)
    rt = quantiles(delays)
    say(f"  round trip (one message every 10 ms): p50 {rt['p50']} ms, p99 {rt['p99']} ms")
    return {
        "parameters": {
            "messages": count,
            "message_bytes": MESSAGE_BYTES,
            "partitions": PARTITIONS,
            "producer": "shared.messaging.producer.make_producer (idempotent, acks=all, linger 5 ms)",
            "consumer": "group, manual commit after every batch of up to 200",
            "round_trip_messages": round_trips,
        },
        "produce_msgs_per_s": round(count / produce_s, 1),
        "produce_mib_per_s": round(count * MESSAGE_BYTES / produce_s / 2**20, 2),
        "consume_msgs_per_s": round(consumed / consume_s, 1) if consume_s else 0.0,
        "consumed": consumed,
        "round_trip_ms": rt,
    }


if __name__ == "__main__":
    from bench.run import main_one

    main_one("raw_kafka")
