"""A poison message is retried, dead-lettered, the consumer goes on, and a replay after the fix handles it."""

from __future__ import annotations

import asyncio
import sys

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from infra import wait_until
from probe.contracts import TOPIC
from probe_harness import ProbeProcesses
from shared.messaging.dlq_tools import read_dead_letters

pytestmark = pytest.mark.integration


async def test_poison_goes_to_dlq_and_replay_after_fix_handles_it(probe: ProbeProcesses) -> None:
    api = await probe.start_api()
    probe.start_worker()
    bootstrap = probe.stack.kafka.bootstrap
    async with httpx.AsyncClient(base_url=api) as client:
        poison = (await client.post("/items", json={"name": "bad", "poison": True})).json()
        after = (await client.post("/items", json={"name": "after"})).json()

    async def after_handled() -> bool:
        return (
            await probe.db.fetchval("SELECT count(*) FROM probe_effect WHERE event_id=$1", after["event_id"])
            == 1
        )

    assert await wait_until(after_handled, timeout_s=60), "the consumer must go on past the poison message"

    async def poison_dead_lettered() -> bool:
        letters, _ = await read_dead_letters(bootstrap, "probe")
        return any(d.header("ce_id") == poison["event_id"] for d in letters)

    assert await wait_until(poison_dead_lettered, timeout_s=30)
    letters, replayed = await read_dead_letters(bootstrap, "probe")
    letter = next(d for d in letters if d.header("ce_id") == poison["event_id"])
    assert letter.offset >= replayed
    assert letter.header("x-original-topic") == TOPIC
    assert letter.header("x-exception-type") == "ValueError"
    assert "poison" in (letter.header("x-exception-message") or "")
    assert letter.header("x-attempts") == "3"
    assert letter.header("x-consumer-group") == "probe"
    assert (
        await probe.db.fetchval("SELECT count(*) FROM probe_effect WHERE event_id=$1", poison["event_id"])
        == 0
    )

    await probe.db.execute("INSERT INTO probe_poison_fix (id) VALUES ('deployed')")
    replay = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.cli.main",
        "dlq",
        "replay",
        "probe",
        "--bootstrap",
        bootstrap,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(replay.communicate(), 120)
    assert replay.returncode == 0, err.decode()
    assert poison["event_id"] in out.decode()

    async def poison_handled() -> bool:
        return (
            await probe.db.fetchval("SELECT count(*) FROM probe_effect WHERE event_id=$1", poison["event_id"])
            == 1
        )

    assert await wait_until(poison_handled, timeout_s=60)
    _, replayed_after = await read_dead_letters(bootstrap, "probe")
    assert replayed_after > letter.offset


async def test_malformed_record_is_dead_lettered_without_retry(probe: ProbeProcesses) -> None:
    probe.start_worker()
    bootstrap = probe.stack.kafka.bootstrap
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        sent = await producer.send_and_wait(
            TOPIC,
            b"{not json",
            key=b"junk",
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", b"junk-1"),
                ("ce_source", b"/test"),
                ("ce_type", b"probe.item.created"),
            ],
        )
    finally:
        await producer.stop()

    async def dead_lettered() -> bool:
        letters, _ = await read_dead_letters(bootstrap, "probe")
        return any(
            d.header("x-original-offset") == str(sent.offset) and d.header("ce_id") == "junk-1"
            for d in letters
        )

    assert await wait_until(dead_lettered, timeout_s=60)
    letters, _ = await read_dead_letters(bootstrap, "probe")
    letter = next(d for d in letters if d.header("ce_id") == "junk-1")
    assert letter.value == b"{not json"
    assert letter.header("x-exception-type") == "EnvelopeError"
    assert letter.header("x-attempts") == "1"


async def test_poison_in_the_middle_of_a_batch_costs_only_itself(probe: ProbeProcesses) -> None:
    api = await probe.start_api()
    # Posted before the worker starts, so each partition's records arrive as one fetched batch.
    async with httpx.AsyncClient(base_url=api) as client:
        created = [
            (await client.post("/items", json={"name": f"batch-{i}", "poison": i == 15})).json()
            for i in range(30)
        ]
    poison = created[15]
    good = [c["event_id"] for i, c in enumerate(created) if i != 15]
    probe.start_worker()

    async def all_good_handled() -> bool:
        n = await probe.db.fetchval("SELECT count(*) FROM probe_effect WHERE event_id = ANY($1)", good)
        return n == len(good)

    assert await wait_until(all_good_handled, timeout_s=60)

    async def poison_dead_lettered() -> bool:
        letters, _ = await read_dead_letters(probe.stack.kafka.bootstrap, "probe")
        return any(d.header("ce_id") == poison["event_id"] for d in letters)

    assert await wait_until(poison_dead_lettered, timeout_s=30)
    await asyncio.sleep(0.5)
    assert await probe.db.fetchval("SELECT count(*) FROM probe_effect") == len(good)
    assert await probe.db.fetchval("SELECT count(DISTINCT event_id) FROM probe_effect") == len(good)
    # Records of a batch commit in one transaction: their inbox rows share a transaction id.
    transactions = await probe.db.fetchval(
        "SELECT count(DISTINCT xmin::text) FROM inbox_message WHERE consumer = 'probe'"
    )
    assert isinstance(transactions, int) and transactions < len(good) - 5, transactions
