"""Kafka records as a consumer fetches them, built from CloudEvents, for tests that drive a consumer loop."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from shared.contracts.envelope import CloudEvent


def record_of(event: CloudEvent | None, topic: str, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    """A fetched record carrying `event` in binary mode (None: a malformed record without a CloudEvent)."""
    value = event.value() if event else b"not a cloud event"
    headers = [(k, v.encode()) for k, v in event.attribute_headers().items()] if event else []
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=value,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=len(value),
        headers=headers,
    )
