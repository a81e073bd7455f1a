"""Fakes for handler unit tests: an in-memory unit of work and repository (no database, no broker)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from shared.contracts.envelope import CloudEvent
from shared.kit.unit_of_work import (
    AbstractUnitOfWork,
    DuplicateDelivery,
    Inbound,
    Message,
    ToMessage,
    Tracker,
    envelope,
)

A = TypeVar("A")


class FakeRepository(Generic[A]):
    """Aggregates kept in a dict by key; what it hands out is tracked like the SQL repositories do."""

    def __init__(self, tracker: Tracker, key: Callable[[A], Hashable]) -> None:
        self.tracker = tracker
        self.key = key
        self.items: dict[Hashable, A] = {}

    def put(self, aggregate: A) -> None:
        self.items[self.key(aggregate)] = aggregate
        self.tracker.track(aggregate)

    def get(self, key: Hashable) -> A | None:
        found = self.items.get(key)
        if found is not None:
            self.tracker.track(found)
        return found

    def find(self, predicate: Callable[[A], bool]) -> list[A]:
        """Every stored aggregate matching `predicate`, tracked."""
        found = [a for a in self.items.values() if predicate(a)]
        for a in found:
            self.tracker.track(a)
        return found


class FakeUnitOfWork(AbstractUnitOfWork):
    """Records what a real unit of work would write: `outbox` (messages), `inbox` (event ids), `commits`.

    One instance serves every command of a test (its repositories keep their contents); build the bus
    with `bus_uow_factory(fake)`. State is not rolled back on failure, but nothing reaches the outbox.
    """

    def __init__(self, to_message: ToMessage, *, source: str = "/tests") -> None:
        super().__init__(to_message)
        self.source = source
        self.outbox: list[Message] = []
        self.sent: list[CloudEvent] = []
        self.inbox: set[tuple[str, str]] = set()
        self.commits = 0
        self.rollbacks = 0
        self._claimed: list[tuple[str, str]] = []

    def with_inbound(self, inbound: Inbound | None) -> FakeUnitOfWork:
        self.inbound = inbound
        return self

    async def _begin(self) -> None:
        inbound = self.inbound
        if inbound is not None and (inbound.consumer, inbound.event_id) in self.inbox:
            raise DuplicateDelivery(inbound.event_id)

    async def claim(self, inbounds: Sequence[Inbound]) -> set[str]:
        fresh = {i.event_id for i in inbounds if (i.consumer, i.event_id) not in self.inbox}
        self._claimed = [(i.consumer, i.event_id) for i in inbounds if i.event_id in fresh]
        return fresh

    async def _commit(self, messages: Sequence[tuple[Message, Inbound | None]]) -> None:
        for message, inbound in messages:
            self.outbox.append(message)
            self.sent.append(envelope(message, source=self.source, inbound=inbound))
        if self.inbound is not None:
            self.inbox.add((self.inbound.consumer, self.inbound.event_id))
        self.inbox.update(self._claimed)
        self._claimed = []
        self.commits += 1

    async def rollback(self) -> None:
        self.rollbacks += 1
        self._claimed = []
        # The events of a failed command must not leak into the next one.
        for aggregate in self.tracker.seen:
            aggregate.events.clear()

    def contracts(self, kind: type[Any] | None = None) -> list[Any]:
        """The staged contracts, optionally only those of one class."""
        return [m.contract for m in self.outbox if kind is None or isinstance(m.contract, kind)]


def bus_uow_factory(fake: FakeUnitOfWork) -> Callable[[Inbound | None], AbstractUnitOfWork]:
    """A unit-of-work factory for `MessageBus` that hands out the same fake every time."""
    return fake.with_inbound
