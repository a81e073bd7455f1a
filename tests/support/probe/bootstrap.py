"""The probe's composition root, like every service's."""

from __future__ import annotations

from probe.handlers import HANDLERS, ProbeUnitOfWork
from probe.settings import ProbeSettings
from shared.db import Sessions
from shared.kit.messagebus import MessageBus
from shared.kit.runtime import Runtime
from shared.kit.unit_of_work import Inbound


def bootstrap(settings: ProbeSettings, sessions: Sessions) -> Runtime[ProbeSettings]:
    def uow(inbound: Inbound | None) -> ProbeUnitOfWork:
        return ProbeUnitOfWork(sessions, inbound)

    bus = MessageBus(uow, HANDLERS, {"handler_delay_s": settings.handler_delay_s})
    return Runtime(settings, sessions, bus)
