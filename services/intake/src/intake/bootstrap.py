"""Intake's composition root: the one place that knows the concrete classes."""

from __future__ import annotations

from dataclasses import dataclass

from intake.adapters.routing_cache import RoutingCache
from intake.service_layer.handlers import HANDLERS
from intake.service_layer.unit_of_work import SqlIntakeUnitOfWork
from intake.settings import IntakeSettings
from shared.crypto import FieldCipher
from shared.db import Sessions
from shared.kit.clock import Clock, system_clock
from shared.kit.messagebus import MessageBus, UnitOfWorkFactory
from shared.kit.runtime import Runtime
from shared.kit.unit_of_work import Inbound
from shared.ratelimit import RateLimit


@dataclass
class IntakeRuntime(Runtime[IntakeSettings]):
    """Intake's wiring: the bus, and the cipher the read side needs to show ID numbers to the desk."""

    cipher: FieldCipher | None = None
    hotline_calls: RateLimit | None = None


def bootstrap(
    settings: IntakeSettings,
    sessions: Sessions,
    *,
    uow_factory: UnitOfWorkFactory | None = None,
    clock: Clock = system_clock,
) -> IntakeRuntime:
    """The bus with its handlers and their dependencies; tests pass a fake unit of work and a fixed clock."""
    cipher = FieldCipher.from_settings(settings)
    routing = RoutingCache(settings.routing_cache_s)

    def sql_uow(inbound: Inbound | None) -> SqlIntakeUnitOfWork:
        return SqlIntakeUnitOfWork(sessions, inbound, cipher=cipher, routing=routing)

    bus = MessageBus(uow_factory or sql_uow, HANDLERS, {"settings": settings, "clock": clock})
    return IntakeRuntime(settings, sessions, bus, clock, cipher, RateLimit(settings.hotline_rate_limit))
