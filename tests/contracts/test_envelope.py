"""The CloudEvents binary-mode envelope: round trip, rejection of malformed records, SDK compatibility."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from shared.contracts.envelope import CloudEvent, EnvelopeError


def _event() -> CloudEvent:
    return CloudEvent(
        type="intake.work_order.received",
        source="/services/intake",
        data={"order_no": "GD-1", "content": "反映：儿童无人照看"},
        time=datetime(2026, 11, 23, 8, 30, tzinfo=UTC),
        subject="GD-1",
        correlationid="GD-1",
        personkey="pk_abc",
        regioncode="500154",
    )


def _headers(event: CloudEvent) -> list[tuple[str, bytes]]:
    return [(k, v.encode()) for k, v in event.attribute_headers().items()]


def test_round_trip_keeps_every_attribute() -> None:
    event = _event()
    decoded = CloudEvent.from_kafka(_headers(event), event.value())
    assert decoded == event


def test_headers_are_binary_mode() -> None:
    headers = _event().attribute_headers()
    assert headers["ce_specversion"] == "1.0"
    assert headers["content-type"] == "application/json"
    assert headers["ce_time"] == "2026-11-23T08:30:00Z"
    assert headers["ce_regioncode"] == "500154"
    assert "ce_causationid" not in headers
    assert all(k == "content-type" or (k.startswith("ce_") and k[3:].isalnum()) for k in headers)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda h, v: ([x for x in h if x[0] != "ce_id"], v), "missing"),
        (lambda h, v: (h, b"{broken"), "not JSON"),
        (lambda h, v: (h, b"[1, 2]"), "JSON object"),
        (lambda h, v: ([(k, b"0.3" if k == "ce_specversion" else x) for k, x in h], v), "specversion"),
        (lambda h, v: ([*h, ("ce_schemaversion", b"one")], v), "bad attribute"),
        (lambda h, v: ([(k, b"\xff" if k == "ce_type" else x) for k, x in h], v), "UTF-8"),
    ],
)
def test_malformed_records_are_rejected(mutate: object, message: str) -> None:
    event = _event()
    assert callable(mutate)
    headers, value = mutate(_headers(event), event.value())
    with pytest.raises(EnvelopeError, match=message):
        CloudEvent.from_kafka(headers, value)


def test_official_sdk_reads_our_envelope() -> None:
    event = _event()
    parsed = from_binary(
        KafkaMessage(headers=dict(_headers(event)), key=b"GD-1", value=event.value()), JSONFormat()
    )
    assert parsed.get_id() == event.id
    assert parsed.get_type() == event.type
    assert parsed.get_time() == event.time
    assert parsed.get_extension("regioncode") == "500154"
    assert parsed.get_data() == event.data
