"""The unit of work every handler runs in: state, outbox and inbox committed together.

The message bus opens one unit of work per command and commits it after the handler returns; a handler
never commits or stages events itself. On commit the unit of work collects the new domain events of every
aggregate its repositories handed out, maps each to an outgoing `Message` (the service's `outgoing.py`)
and writes them with the state; when the command came from Kafka, the inbox row of the inbound event is
claimed on entry (a duplicate delivery stops before the handler runs) and committed with the rest.

A batch (one partition's records, `MessageBus.handle_batch`) runs several commands in one unit of work:
the inbox rows of all its records are claimed in one statement (`claim`), and after each command its
events are staged under that command's inbound event (`stage`), so each keeps its own causation.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from shared.contracts.base import Contract
from shared.contracts.envelope import CloudEvent, make_event


class Aggregate(Protocol):
    """What the unit of work needs of an aggregate: the domain events it recorded since it was loaded."""

    events: list[Any]


@dataclass(frozen=True)
class Message:
    """One outgoing event: the contract and its envelope attributes (the topic is the contract's)."""

    contract: Contract
    key: str
    subject: str | None = None
    correlationid: str | None = None
    personkey: str | None = None
    regioncode: str | None = None
    # Personal values the producer knows (people's names; addresses, contacts): redacted from the
    # contract's free text before the event is stored (`Contract.redacted`).
    names: tuple[str, ...] = ()
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inbound:
    """The Kafka record a command was translated from: its inbox key and where it was read."""

    consumer: str
    event_id: str
    event_type: str
    topic: str = ""
    partition: int = 0
    offset: int = 0
    correlationid: str | None = None


def envelope(message: Message, *, source: str, inbound: Inbound | None) -> CloudEvent:
    """The CloudEvent of a message: caused by the inbound event, in its correlation by default; free text
    redacted of the personal values the message names."""
    contract = message.contract
    if message.names or message.others:
        contract = contract.redacted(message.names, message.others)
    return make_event(
        contract,
        source=source,
        subject=message.subject or message.key,
        correlationid=message.correlationid or (inbound.correlationid if inbound else None),
        causationid=inbound.event_id if inbound else None,
        personkey=message.personkey,
        regioncode=message.regioncode,
    )


class DuplicateDelivery(Exception):
    """The inbound event was already handled (an earlier or a concurrent delivery holds its inbox row)."""


ToMessage = Callable[[Any, Any], Message | None]


class Tracker:
    """Remembers the aggregates a repository handed out, so their new events reach the outbox."""

    def __init__(self) -> None:
        self.seen: list[Aggregate] = []

    def track(self, aggregate: Any) -> None:
        if not any(aggregate is known for known in self.seen):
            self.seen.append(aggregate)


class AbstractUnitOfWork(abc.ABC):
    """One transaction of one service; subclasses provide the repositories and the storage."""

    inbound: Inbound | None = None
    committed: bool = False

    def __init__(self, to_message: ToMessage) -> None:
        self._to_message = to_message
        self.tracker = Tracker()
        # What must happen only once the transaction is committed (counting a metric): a command that
        # fails, or whose commit fails, leaves nothing done.
        self.after_commit: list[Callable[[], None]] = []
        self.staged: list[tuple[Message, Inbound | None]] = []

    async def __aenter__(self) -> Self:
        self.tracker.seen.clear()
        self.committed = False
        self.after_commit = []
        self.staged = []
        try:
            await self._begin()
        except BaseException:
            # __aexit__ does not run when __aenter__ raises (a duplicate delivery): release here.
            await self.rollback()
            await self._end()
            raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.committed:
            await self.rollback()
        await self._end()

    def collect_new_events(self) -> Iterator[tuple[Any, Any]]:
        """Each aggregate's new events, in the order they were recorded; each event is taken once."""
        for aggregate in self.tracker.seen:
            while aggregate.events:
                yield aggregate, aggregate.events.pop(0)

    def outgoing(self) -> list[Message]:
        """The messages for every new event (events nobody outside needs map to None and are dropped)."""
        return [m for a, e in self.collect_new_events() if (m := self._to_message(a, e)) is not None]

    def stage(self) -> None:
        """Set the new events so far aside as caused by the current inbound event (a batch's record)."""
        self.staged.extend((m, self.inbound) for m in self.outgoing())

    def retryable(self, exc: BaseException) -> bool:
        """Whether the command may run again in a new unit of work (its connection was lost)."""
        return False

    async def claim(self, inbounds: Sequence[Inbound]) -> set[str]:
        """Claim the inbox rows of a batch's events in one go; the ids not handled before."""
        raise NotImplementedError(f"{type(self).__name__} does not handle batches")

    async def commit(self) -> None:
        """Write state, the outgoing messages and the inbox row(s) in one transaction."""
        self.stage()
        staged, self.staged = self.staged, []
        await self._commit(staged)
        self.committed = True
        done, self.after_commit = self.after_commit, []
        for action in done:
            action()

    @abc.abstractmethod
    async def _begin(self) -> None:
        """Start the transaction; claim the inbox row of `inbound` (raise DuplicateDelivery if taken)."""

    @abc.abstractmethod
    async def _commit(self, messages: Sequence[tuple[Message, Inbound | None]]) -> None:
        """Write `messages` (each with the inbound event that caused it) to the outbox and commit."""

    @abc.abstractmethod
    async def rollback(self) -> None:
        """Undo everything since `_begin`."""

    async def _end(self) -> None:  # noqa: B027 (a hook: most units of work hold nothing to release)
        """Release the transaction's resources."""
