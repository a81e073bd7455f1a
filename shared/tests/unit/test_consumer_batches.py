"""A partition's records handled as one batch by the bus: one commit, the inbox claimed for all, each
outgoing event caused by its own record; a failing record sends the batch record by record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from records import record_of
from shared.contracts.base import Contract
from shared.contracts.envelope import CloudEvent
from shared.kit.commands import Command
from shared.kit.errors import InvalidTransition
from shared.kit.messagebus import MessageBus
from shared.kit.testing import FakeUnitOfWork, bus_uow_factory
from shared.kit.unit_of_work import Message
from shared.messaging.consumer import ConsumerConfig, ConsumerLoop

CONFIG = ConsumerConfig(
    bootstrap_servers="127.0.0.1:1", group="g", topics=("t",), service="s", max_attempts=1
)


class Noted(Contract):
    """What the test's handler emits for each note."""

    EVENT_TYPE = "test.noted"
    SCHEMA_VERSION = 1
    TOPIC = "test.noted.v1"

    text: str


@dataclass(frozen=True, kw_only=True)
class Note(Command):
    text: str


@dataclass
class Board:
    events: list[Any] = field(default_factory=list)


def _to_message(board: Board, event: Noted) -> Message:
    return Message(contract=event, key=event.text)


def _no_producer() -> Any:
    raise AssertionError("nothing may be dead-lettered here")


def _records(*texts: str) -> tuple[list[CloudEvent], list[Any]]:
    events = [CloudEvent(type="test.note", source="/tests", data={"text": t}) for t in texts]
    return events, [record_of(e, "t", offset=i) for i, e in enumerate(events)]


def _loop(fake: FakeUnitOfWork, calls: list[str], refuse: str | None = None) -> ConsumerLoop:
    board = Board()

    async def note(cmd: Note, uow: FakeUnitOfWork) -> None:
        calls.append(cmd.text)
        if cmd.text == refuse:
            raise InvalidTransition("已结案")
        uow.tracker.track(board)
        board.events.append(Noted(text=cmd.text))

    bus = MessageBus(bus_uow_factory(fake), {Note: note})
    return ConsumerLoop(CONFIG, {"test.note": lambda e: Note(text=e.data["text"])}, bus, _no_producer)


async def test_a_batch_is_one_commit_with_every_inbox_row_and_each_event_caused_by_its_record() -> None:
    fake = FakeUnitOfWork(_to_message)
    calls: list[str] = []
    events, records = _records("a", "b", "c")
    assert await _loop(fake, calls).handle_records(records) == 2
    assert calls == ["a", "b", "c"]
    assert fake.commits == 1
    assert fake.inbox == {("g", e.id) for e in events}
    assert [(e.data["text"], e.causationid) for e in fake.sent] == [
        ("a", events[0].id),
        ("b", events[1].id),
        ("c", events[2].id),
    ]


async def test_a_redelivered_batch_and_a_repeat_inside_one_batch_are_duplicates() -> None:
    fake = FakeUnitOfWork(_to_message)
    calls: list[str] = []
    loop = _loop(fake, calls)
    events, records = _records("a", "b")
    repeat = record_of(events[0], "t", offset=2)
    assert await loop.handle_records([*records, repeat]) == 2
    assert calls == ["a", "b"]
    assert await loop.handle_records(records) == 1
    assert calls == ["a", "b"] and fake.commits == 2 and len(fake.sent) == 2


async def test_a_refused_record_in_the_middle_sends_the_batch_record_by_record() -> None:
    fake = FakeUnitOfWork(_to_message)
    calls: list[str] = []
    events, records = _records("a", "bad", "c")
    assert await _loop(fake, calls, refuse="bad").handle_records(records) == 2
    # The batch ran up to the refusal and was rolled back; then each record alone.
    assert calls == ["a", "bad", "a", "bad", "c"]
    assert [e.data["text"] for e in fake.sent] == ["a", "c"]
    assert fake.inbox == {("g", events[0].id), ("g", events[2].id)}


async def test_a_malformed_record_is_never_batched() -> None:
    fake = FakeUnitOfWork(_to_message)
    calls: list[str] = []
    sent: list[Any] = []
    _, records = _records("a")
    loop = _loop(fake, calls)

    async def dead_letter(record: Any, exc: BaseException, attempts: int) -> None:
        sent.append(record.offset)

    loop._dead_letter = dead_letter  # type: ignore[method-assign]
    assert await loop.handle_records([records[0], record_of(None, "t", offset=1)]) == 1
    assert calls == ["a"] and sent == [1] and fake.commits == 1


class _LostConnection(Exception):
    """Stands for a connection PostgreSQL dropped (SqlUnitOfWork.retryable answers True for those)."""


class _RetryingFake(FakeUnitOfWork):
    def retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, _LostConnection)


async def test_a_command_whose_connection_was_lost_runs_once_more_and_other_errors_do_not() -> None:
    fake = _RetryingFake(_to_message)
    failures = [_LostConnection(), _LostConnection(), ValueError("bad")]
    calls: list[str] = []

    async def flaky(cmd: Note, uow: FakeUnitOfWork) -> str:
        calls.append(cmd.text)
        if cmd.text == "lost" and failures:
            raise failures.pop(0)
        return cmd.text

    bus = MessageBus(bus_uow_factory(fake), {Note: flaky})
    assert await bus.handle(Note(text="ok")) == "ok"
    # Lost twice in a row: retried once, then raised.
    with pytest.raises(_LostConnection):
        await bus.handle(Note(text="lost"))
    assert calls == ["ok", "lost", "lost"]
    with pytest.raises(ValueError, match="bad"):
        await bus.handle(Note(text="lost"))
    assert calls == ["ok", "lost", "lost", "lost"] and fake.commits == 1
