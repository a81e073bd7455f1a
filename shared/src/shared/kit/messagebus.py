"""The message bus: one handler per command type, each run in a unit of work of its own.

Handlers are plain async functions `handler(command, uow, **dependencies)`; the bus binds the
dependencies a handler names (cosmic's injection by parameter name: `clock`, `settings`, …) once, when
it is built by the service's `bootstrap.py`. The bus opens the unit of work, runs the handler and commits:
a handler that returns normally has its state, events and inbox row written together; one that raises
leaves nothing behind. `handle_batch` runs a partition's worth of consumed commands in one unit of work.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Any, TypeVar

from shared.kit.commands import Command
from shared.kit.unit_of_work import AbstractUnitOfWork, Inbound

C = TypeVar("C", bound=Command)
Handler = Callable[..., Awaitable[Any]]
UnitOfWorkFactory = Callable[[Inbound | None], AbstractUnitOfWork]


class UnknownCommand(LookupError):
    """No handler is registered for this command type."""


class MessageBus:
    """Dispatches commands to their handlers, one unit of work per command."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        handlers: Mapping[type[Command], Handler],
        dependencies: Mapping[str, Any] | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.dependencies = dict(dependencies or {})
        self._handlers = {kind: _inject(fn, self.dependencies) for kind, fn in handlers.items()}

    def handles(self, kind: type[Command]) -> bool:
        return kind in self._handlers

    def _handler(self, command: Command) -> Handler:
        handler = self._handlers.get(type(command))
        if handler is None:
            raise UnknownCommand(type(command).__name__)
        return handler

    async def handle(self, command: Command, *, inbound: Inbound | None = None) -> Any:
        """Run the command's handler in a fresh unit of work and commit it; returns the handler's value."""
        handler = self._handler(command)
        for attempt in (1, 2):
            uow = self.uow_factory(inbound)
            try:
                async with uow:
                    result = await handler(command, uow)
                    await uow.commit()
                return result
            except Exception as exc:
                # A connection the database dropped (a restart) is found on first use, not by a ping
                # before every transaction: the command, rolled back, runs once more on a new one.
                if attempt == 2 or not uow.retryable(exc):
                    raise
        raise AssertionError("unreachable")

    async def handle_batch(
        self,
        items: Sequence[tuple[Command, Inbound]],
        *,
        around: Callable[[int], AbstractContextManager[Any]] | None = None,
    ) -> list[bool]:
        """Run the commands of one partition's records in one unit of work, in order, and commit once.

        The inbox rows of all of them are claimed in one statement; a command whose event was handled
        before (or earlier in this batch) is skipped (False in the result). Any error rolls the whole
        batch back and is raised: the caller then goes record by record. `around(i)` wraps the i-th
        command (its span and log context).
        """
        handlers = [self._handler(command) for command, _ in items]
        done: list[bool] = []
        async with self.uow_factory(None) as uow:
            fresh = await uow.claim([inbound for _, inbound in items])
            for index, ((command, inbound), handler) in enumerate(zip(items, handlers, strict=True)):
                if inbound.event_id not in fresh:
                    done.append(False)
                    continue
                fresh.discard(inbound.event_id)
                uow.inbound = inbound
                with around(index) if around is not None else nullcontext():
                    await handler(command, uow)
                uow.stage()
                done.append(True)
            uow.inbound = None
            await uow.commit()
        return done


def _inject(handler: Handler, dependencies: Mapping[str, Any]) -> Handler:
    params = list(inspect.signature(handler).parameters)[2:]
    missing = [p for p in params if p not in dependencies]
    if missing:
        raise TypeError(f"{handler.__name__} needs {missing}, which bootstrap does not provide")
    return partial(handler, **{p: dependencies[p] for p in params})
