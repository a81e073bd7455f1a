"""How far a consumer group is behind the end of the topics matching a pattern."""

from __future__ import annotations

import asyncio
import contextlib
import re

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    GroupCoordinatorNotAvailableError,
    GroupLoadInProgressError,
    NotCoordinatorForGroupError,
)
from aiokafka.structs import OffsetAndMetadata

_COORDINATOR_STARTING = (
    GroupCoordinatorNotAvailableError,
    GroupLoadInProgressError,
    NotCoordinatorForGroupError,
)


async def matching_partitions(admin: AIOKafkaAdminClient, pattern: re.Pattern[str]) -> list[TopicPartition]:
    """Every partition of every topic whose name matches `pattern`, from fresh cluster metadata."""
    described = await admin.describe_topics()
    return sorted(
        TopicPartition(d["topic"], p["partition"])
        for d in described
        if pattern.match(d["topic"]) and not d.get("error_code")
        for p in d["partitions"]
    )


class LagProbe:
    """Long-lived clients (one admin, one group-less consumer) that measure the lag per partition."""

    def __init__(self, bootstrap_servers: str, group: str, pattern: str, *, timeout_s: float = 10) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.group = group
        self.pattern = re.compile(pattern)
        self.timeout_s = timeout_s
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers, client_id="timeline-lag")
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap_servers,
                client_id="timeline-lag",
                enable_auto_commit=False,
            )
            try:
                await asyncio.wait_for(admin.start(), self.timeout_s)
                await asyncio.wait_for(consumer.start(), self.timeout_s)
            except BaseException:
                await _close(admin, consumer)
                raise
            self._admin, self._consumer = admin, consumer
        return self._admin, self._consumer

    async def measure(self) -> dict[TopicPartition, int]:
        """Lag per partition: end offset minus the group's committed offset (or the log start)."""
        try:
            return await asyncio.wait_for(self._measure(), self.timeout_s)
        except BaseException:
            await self.close()
            raise

    async def _measure(self) -> dict[TopicPartition, int]:
        admin, consumer = await self._clients()
        partitions = await matching_partitions(admin, self.pattern)
        if not partitions:
            return {}
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        committed = await self._committed(admin, partitions)
        lag: dict[TopicPartition, int] = {}
        for tp in partitions:
            done = committed.get(tp)
            position = done.offset if done is not None and done.offset >= 0 else starts[tp]
            lag[tp] = max(0, ends[tp] - max(position, starts[tp]))
        return lag

    async def _committed(
        self, admin: AIOKafkaAdminClient, partitions: list[TopicPartition]
    ) -> dict[TopicPartition, OffsetAndMetadata]:
        # A fresh broker creates its offsets topic on the first coordinator lookup: retry briefly.
        for attempt in range(10):
            try:
                found: dict[TopicPartition, OffsetAndMetadata] = await admin.list_consumer_group_offsets(
                    self.group, partitions=partitions
                )
                return found
            except _COORDINATOR_STARTING:
                if attempt == 9:
                    raise
                await asyncio.sleep(0.3)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        await _close(admin, consumer)


async def _close(admin: AIOKafkaAdminClient | None, consumer: AIOKafkaConsumer | None) -> None:
    if consumer is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.stop(), 5)
    if admin is not None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(admin.close(), 5)
