"""The message bus: one handler per command type, each run in a unit of work of its own.

Handlers are plain async functions `handler(command, uow, **dependencies)`; the bus binds the
dependencies a handler names (cosmic's injection by parameter name: `clock`, `settings`, …) once, when
it is built by the service's `bootstrap.py`. The bus opens the unit of work, runs the handler and commits:
a handler that returns normally has its state, events and inbox row written together; one that raises
leaves nothing behind.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
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

    async def handle(self, command: Command, *, inbound: Inbound | None = None) -> Any:
        """Run the command's handler in a fresh unit of work and commit it; returns the handler's value."""
        handler = self._handlers.get(type(command))
        if handler is None:
            raise UnknownCommand(type(command).__name__)
        async with self.uow_factory(inbound) as uow:
            result = await handler(command, uow)
            await uow.commit()
        return result


def _inject(handler: Handler, dependencies: Mapping[str, Any]) -> Handler:
    params = list(inspect.signature(handler).parameters)[2:]
    missing = [p for p in params if p not in dependencies]
    if missing:
        raise TypeError(f"{handler.__name__} needs {missing}, which bootstrap does not provide")
    return partial(handler, **{p: dependencies[p] for p in params})
