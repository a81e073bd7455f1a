"""Read a dead-letter topic and replay its records to where they came from."""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.contracts.topics import dlq_topic
from shared.messaging.dlq import DeadLetter
from shared.messaging.producer import make_producer


def replayer_group(group: str) -> str:
    """The consumer group whose committed offset marks how far a DLQ has been replayed."""
    return f"{group}.dlq-replayer"


async def read_dead_letters(
    bootstrap: str, group: str, *, timeout_s: float = 30
) -> tuple[list[DeadLetter], int]:
    """Every record in `<group>.dlq`, and the offset up to which they have been replayed."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=replayer_group(group),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await asyncio.wait_for(consumer.start(), timeout_s)
    try:
        tp = TopicPartition(dlq_topic(group), 0)
        consumer.assign([tp])
        committed = await consumer.committed(tp) or 0
        end = (await consumer.end_offsets([tp]))[tp]
        letters: list[DeadLetter] = []
        consumer.seek(tp, 0)
        deadline = asyncio.get_running_loop().time() + timeout_s
        while end > 0 and (not letters or letters[-1].offset + 1 < end):
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"could not read {dlq_topic(group)} to its end")
            batch = await consumer.getmany(tp, timeout_ms=1000)
            letters += [DeadLetter(r.offset, r.key, r.value, list(r.headers)) for r in batch.get(tp, [])]
        return letters, committed
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.stop(), 10)


async def replay_dead_letters(
    bootstrap: str, group: str, *, offsets: set[int] | None = None, timeout_s: float = 30
) -> list[DeadLetter]:
    """Republish not-yet-replayed dead letters (or exactly `offsets`) to their original topics."""
    letters, replayed_up_to = await read_dead_letters(bootstrap, group, timeout_s=timeout_s)
    chosen = [
        d for d in letters if (d.offset in offsets if offsets is not None else d.offset >= replayed_up_to)
    ]
    producer = make_producer(bootstrap, client_id=f"{group}-dlq-replay")
    await asyncio.wait_for(producer.start(), timeout_s)
    try:
        for letter in chosen:
            topic = letter.header("x-original-topic")
            if topic is None:
                continue
            await asyncio.wait_for(
                producer.send_and_wait(
                    topic, value=letter.value, key=letter.key, headers=letter.original_headers()
                ),
                timeout_s,
            )
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(producer.stop(), 10)
    if offsets is None and letters:
        await _commit(bootstrap, group, letters[-1].offset + 1, timeout_s)
    return chosen


async def _commit(bootstrap: str, group: str, offset: int, timeout_s: float) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=replayer_group(group), enable_auto_commit=False
    )
    await asyncio.wait_for(consumer.start(), timeout_s)
    try:
        tp = TopicPartition(dlq_topic(group), 0)
        consumer.assign([tp])
        await consumer.commit({tp: offset})
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.stop(), 10)
