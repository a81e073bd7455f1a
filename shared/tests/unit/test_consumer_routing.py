"""The consumer loop's routing: a type the group does not handle touches no database and no broker; a
routed event becomes one command handled with its inbox key; a refusal is not retried."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from records import record_of
from shared.contracts.envelope import CloudEvent
from shared.kit.commands import Command
from shared.kit.errors import InvalidTransition
from shared.kit.messagebus import MessageBus
from shared.kit.testing import FakeUnitOfWork, bus_uow_factory
from shared.messaging.consumer import ConsumerConfig, ConsumerLoop
from shared.observability.metrics import Metrics

CONFIG = ConsumerConfig(
    bootstrap_servers="127.0.0.1:1", group="g", topics=("t",), service="s", max_attempts=2
)


@dataclass(frozen=True, kw_only=True)
class Note(Command):
    text: str


def _forbidden(*_: Any) -> Any:
    raise AssertionError("an ignored event must not open a transaction or a producer")


def _event(event_type: str, **data: Any) -> CloudEvent:
    return CloudEvent(type=event_type, source="/services/intake", data=data)


async def test_an_unhandled_type_is_ignored_and_counted_without_a_transaction() -> None:
    metrics = Metrics("consumer-routing-test")
    bus = MessageBus(_forbidden, {})
    loop = ConsumerLoop(CONFIG, {"intake.work_order.routed": _forbidden}, bus, _forbidden, metrics=metrics)
    assert (
        await loop.process(record_of(_event("intake.work_order.received", x=1), "intake.work_order.v1"))
        == "ignored"
    )
    labels = {
        "service": "consumer-routing-test",
        "event_type": "intake.work_order.received",
        "outcome": "ignored",
    }
    assert metrics.registry.get_sample_value("events_consumed_total", labels) == 1


async def test_a_routed_event_is_one_command_with_its_inbox_key_and_a_redelivery_is_a_duplicate() -> None:
    fake = FakeUnitOfWork(lambda aggregate, event: None)
    seen: list[tuple[str, str | None]] = []

    async def note(cmd: Note, uow: FakeUnitOfWork) -> None:
        seen.append((cmd.text, uow.inbound.event_id if uow.inbound else None))

    bus = MessageBus(bus_uow_factory(fake), {Note: note})
    routes = {"intake.work_order.urged": lambda e: Note(text=str(e.data["note"]))}
    loop = ConsumerLoop(CONFIG, routes, bus, _forbidden)
    event = _event("intake.work_order.urged", note="请尽快")
    record = record_of(event, "intake.work_order.v1")
    assert await loop.process(record) == "handled"
    assert await loop.process(record) == "duplicate"
    assert seen == [("请尽快", event.id)]
    assert fake.inbox == {("g", event.id)}
    assert fake.commits == 1


async def test_a_route_answering_none_is_ignored_and_a_domain_refusal_is_rejected_once() -> None:
    fake = FakeUnitOfWork(lambda aggregate, event: None)
    calls: list[str] = []

    async def refuse(cmd: Note, uow: FakeUnitOfWork) -> None:
        calls.append(cmd.text)
        raise InvalidTransition("工单已撤单")

    bus = MessageBus(bus_uow_factory(fake), {Note: refuse})
    routes = {
        "a.b.kept": lambda e: Note(text="x"),
        "a.b.skipped": lambda e: None,
    }
    loop = ConsumerLoop(CONFIG, routes, bus, _forbidden)
    assert await loop.process(record_of(_event("a.b.skipped"), "t")) == "ignored"
    assert await loop.process(record_of(_event("a.b.kept"), "t")) == "rejected"
    assert calls == ["x"]
    assert fake.commits == 0 and fake.rollbacks == 1
