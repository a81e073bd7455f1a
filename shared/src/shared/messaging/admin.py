"""Topic administration: topics are created explicitly, never by the broker on first use."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.contracts.topics import TopicSpec


async def ensure_topics(
    bootstrap_servers: str, specs: Iterable[TopicSpec], *, timeout_s: float = 30
) -> list[str]:
    """Create the topics that do not exist yet; returns the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="casework-admin")
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        existing = set(await asyncio.wait_for(admin.list_topics(), timeout_s))
        missing = [s for s in {s.name: s for s in specs}.values() if s.name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await asyncio.wait_for(
                    admin.create_topics(
                        [NewTopic(s.name, num_partitions=s.partitions, replication_factor=1) for s in missing]
                    ),
                    timeout_s,
                )
        return [s.name for s in missing]
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(admin.close(), 5)


async def describe_topics(bootstrap_servers: str, *, timeout_s: float = 30) -> dict[str, int]:
    """Every non-internal topic with its partition count."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="casework-admin")
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        names = [n for n in await admin.list_topics() if not n.startswith("__")]
        described = await asyncio.wait_for(admin.describe_topics(names), timeout_s)
        return {d["topic"]: len(d["partitions"]) for d in described}
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(admin.close(), 5)
