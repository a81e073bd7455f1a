"""The timeline's composition root: the one place that knows the concrete classes."""

from __future__ import annotations

from dataclasses import dataclass

from shared.db import Sessions
from shared.kit.clock import Clock, system_clock
from shared.kit.messagebus import MessageBus, UnitOfWorkFactory
from shared.kit.runtime import Runtime
from shared.kit.unit_of_work import Inbound
from timeline.service_layer.handlers import HANDLERS
from timeline.service_layer.unit_of_work import SqlTimelineUnitOfWork
from timeline.settings import TimelineSettings


@dataclass
class TimelineRuntime(Runtime[TimelineSettings]):
    """The timeline's wiring: the bus that projects events and records link corrections."""


def bootstrap(
    settings: TimelineSettings,
    sessions: Sessions,
    *,
    uow_factory: UnitOfWorkFactory | None = None,
    clock: Clock = system_clock,
) -> TimelineRuntime:
    """The bus with its handlers and their dependencies; tests pass a fake unit of work and a fixed clock."""

    def sql_uow(inbound: Inbound | None) -> SqlTimelineUnitOfWork:
        return SqlTimelineUnitOfWork(sessions, inbound)

    bus = MessageBus(uow_factory or sql_uow, HANDLERS, {"clock": clock})
    return TimelineRuntime(settings, sessions, bus, clock)
