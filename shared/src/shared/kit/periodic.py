"""Periodic tasks of a worker (deadline scans, missed-visit scans): run, log, wait, until stopped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog

from shared.kit.runtime import Runtime

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Periodic:
    """Call `run(runtime)` every `interval_s` seconds; it returns how many things it did (logged when > 0)."""

    name: str
    interval_s: float
    run: Callable[[Any], Awaitable[int]]

    async def loop(self, runtime: Runtime[Any], stop: asyncio.Event) -> None:
        """Until `stop`: a failing round is logged and retried at the next interval, never fatal."""
        while not stop.is_set():
            try:
                done = await self.run(runtime)
                if done:
                    log.info("periodic_task_done", task=self.name, count=done)
            except Exception as exc:
                log.warning("periodic_task_failed", task=self.name, error=repr(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
