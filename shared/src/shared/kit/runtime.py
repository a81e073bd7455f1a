"""What a service's `bootstrap()` builds and every entry point uses: settings, sessions and the bus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.db import Sessions
from shared.kit.clock import Clock, system_clock
from shared.kit.messagebus import MessageBus
from shared.settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


@dataclass
class Runtime(Generic[S]):
    """One service's wiring; a service with more to share (a cipher, rules) subclasses it."""

    settings: S
    sessions: Sessions
    bus: MessageBus
    clock: Clock = system_clock


# `bootstrap(settings, sessions)`: the composition root of one service.
Bootstrap = Callable[[Any, Sessions], "Runtime[Any]"]
