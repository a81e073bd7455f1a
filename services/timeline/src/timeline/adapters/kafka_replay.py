"""Replay of the domain topics: every partition of the topics matching a pattern, from the beginning up
to the end offsets captured at the start (what a rebuild projects; later records are the live one's)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from types import TracebackType
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord

from timeline.adapters.kafka_lag import matching_partitions

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


class KafkaReplay:
    """A group-less consumer assigned every matching partition; `batches()` reads them to their end."""

    def __init__(self, bootstrap_servers: str, client_id: str, pattern: str) -> None:
        self.pattern = re.compile(pattern)
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=client_id)
        self.topics: list[str] = []
        self.records = 0
        self._ends: dict[TopicPartition, int] = {}
        self._remaining: set[TopicPartition] = set()

    async def __aenter__(self) -> KafkaReplay:
        try:
            await asyncio.wait_for(self.admin.start(), 30)
            await asyncio.wait_for(self.consumer.start(), 30)
            partitions = await matching_partitions(self.admin, self.pattern)
            self.topics = sorted({tp.topic for tp in partitions})
            if partitions:
                self.consumer.assign(partitions)
                self._ends = await self.consumer.end_offsets(partitions)
                starts = await self.consumer.beginning_offsets(partitions)
                await self.consumer.seek_to_beginning(*partitions)
                self._remaining = {tp for tp in partitions if self._ends[tp] > starts[tp]}
                self.records = sum(self._ends[tp] - starts[tp] for tp in partitions)
        except BaseException:
            await self._close()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close()

    async def batches(self, max_records: int = 5000) -> AsyncIterator[list[Record]]:
        """The records below the captured end offsets, as fetched (in offset order per partition)."""
        while self._remaining:
            fetched = await self.consumer.getmany(*self._remaining, timeout_ms=1000, max_records=max_records)
            out: list[Record] = []
            for tp, records in fetched.items():
                end = self._ends[tp]
                out.extend(r for r in records if r.offset < end)
                if records and records[-1].offset + 1 >= end:
                    self._remaining.discard(tp)
            for tp in list(self._remaining):
                if await self.consumer.position(tp) >= self._ends[tp]:
                    self._remaining.discard(tp)
            if out:
                yield out

    async def _close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.consumer.stop(), 10)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.admin.close(), 10)
