"""The consumer loop's cheap path: a type the group does not handle touches no database and no broker."""

from __future__ import annotations

from typing import Any

from records import record_of
from shared.contracts.envelope import CloudEvent
from shared.messaging.consumer import ConsumerConfig, ConsumerLoop
from shared.observability.metrics import Metrics


def _forbidden(*_: Any) -> Any:
    raise AssertionError("an ignored event must not open a transaction or a producer")


async def _handler(event: CloudEvent, session: Any) -> None:
    raise AssertionError("not this handler")


async def test_an_unhandled_type_is_ignored_and_counted_without_a_transaction() -> None:
    metrics = Metrics("consumer-routing-test")
    config = ConsumerConfig(bootstrap_servers="127.0.0.1:1", group="g", topics=("t",), service="s")
    handlers = {"intake.work_order.routed": _handler}
    loop = ConsumerLoop(config, handlers, _forbidden, _forbidden, metrics=metrics)
    event = CloudEvent(type="intake.work_order.received", source="/services/intake", data={"x": 1})
    assert await loop.process(record_of(event, "intake.work_order.v1")) == "ignored"
    labels = {
        "service": "consumer-routing-test",
        "event_type": "intake.work_order.received",
        "outcome": "ignored",
    }
    assert metrics.registry.get_sample_value("events_consumed_total", labels) == 1
