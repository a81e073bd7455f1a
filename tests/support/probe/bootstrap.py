"""The probe's composition root, like every service's."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from probe.handlers import HANDLERS, ProbeUnitOfWork
from probe.settings import ProbeSettings
from shared.kit.messagebus import MessageBus
from shared.kit.runtime import Runtime
from shared.kit.unit_of_work import Inbound


def bootstrap(settings: ProbeSettings, sessions: async_sessionmaker[AsyncSession]) -> Runtime[ProbeSettings]:
    def uow(inbound: Inbound | None) -> ProbeUnitOfWork:
        return ProbeUnitOfWork(sessions, inbound)

    bus = MessageBus(uow, HANDLERS, {"handler_delay_s": settings.handler_delay_s})
    return Runtime(settings, sessions, bus)
