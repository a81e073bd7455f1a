"""Dead-letter records: the original bytes plus headers saying where they came from and why they failed."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from shared.contracts.topics import dlq_topic

ORIGIN_HEADERS = (
    "x-original-topic",
    "x-original-partition",
    "x-original-offset",
    "x-consumer-group",
    "x-exception-type",
    "x-exception-message",
    "x-exception-stacktrace",
    "x-attempts",
    "x-failed-at",
)


def dead_letter_headers(
    record: ConsumerRecord[bytes, bytes], group: str, exc: BaseException, attempts: int
) -> list[tuple[str, bytes]]:
    """The record's own headers with the failure context appended."""
    stack = "".join(traceback.format_exception(exc))[-4000:]
    extra = {
        "x-original-topic": record.topic,
        "x-original-partition": str(record.partition),
        "x-original-offset": str(record.offset),
        "x-consumer-group": group,
        "x-exception-type": type(exc).__qualname__,
        "x-exception-message": str(exc)[:2000],
        "x-exception-stacktrace": stack,
        "x-attempts": str(attempts),
        "x-failed-at": datetime.now(UTC).isoformat(),
    }
    return [*list(record.headers), *((k, v.encode()) for k, v in extra.items())]


async def send_to_dlq(
    producer: AIOKafkaProducer,
    record: ConsumerRecord[bytes, bytes],
    group: str,
    exc: BaseException,
    attempts: int,
) -> None:
    """Publish the failed record to `<group>.dlq` and wait for the broker's acknowledgement."""
    await producer.send_and_wait(
        dlq_topic(group),
        value=record.value,
        key=record.key,
        headers=dead_letter_headers(record, group, exc, attempts),
    )


@dataclass(frozen=True)
class DeadLetter:
    """A record read back from a dead-letter topic."""

    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode("utf-8", "replace")
        return None

    def original_headers(self) -> list[tuple[str, bytes]]:
        """Headers as the record had them before it failed (for replay)."""
        return [(k, v) for k, v in self.headers if k not in ORIGIN_HEADERS]
