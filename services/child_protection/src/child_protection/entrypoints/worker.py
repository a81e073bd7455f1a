"""child_protection worker: outbox relay, consumer of intake's work orders, the deadline scanner and the
missed-visit scanner of the register."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import structlog

from child_protection.domain.deadlines import merge_rules
from child_protection.entrypoints.consumer import TOPICS, make_handlers
from child_protection.service_layer.handlers import scan_deadlines
from child_protection.service_layer.register import scan_missed_visits
from child_protection.service_layer.unit_of_work import unit_of_work
from child_protection.settings import ChildProtectionSettings
from shared.crypto import FieldCipher
from shared.db import make_engine, make_session_factory
from shared.messaging.worker import run_worker, serve

log = structlog.get_logger(__name__)


def deadline_scanner(
    settings: ChildProtectionSettings, cipher: FieldCipher
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """A periodic task: every overdue step gets exactly one deadline_breached event."""
    rules = merge_rules(settings.deadlines)

    async def run(stop: asyncio.Event) -> None:
        engine = make_engine(settings.database_url, pool_size=2)
        sessions = make_session_factory(engine)
        try:
            while not stop.is_set():
                try:
                    async with unit_of_work(sessions, cipher, rules=rules) as uow:
                        count = await scan_deadlines(uow, datetime.now(UTC))
                    if count:
                        log.info("deadlines_breached", count=count)
                except Exception as exc:
                    log.warning("deadline_scan_failed", error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), settings.deadline_scan_interval_s)
        finally:
            await engine.dispose()

    return run


def visit_scanner(
    settings: ChildProtectionSettings, cipher: FieldCipher
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """A periodic task: a visit not done by the end of its due day (China time) is marked missed once,
    emits visit_missed and opens (or links) a report from monitoring."""
    rules = merge_rules(settings.deadlines)

    async def run(stop: asyncio.Event) -> None:
        engine = make_engine(settings.database_url, pool_size=2)
        sessions = make_session_factory(engine)
        try:
            while not stop.is_set():
                try:
                    count = await scan_missed_visits(
                        sessions, cipher, datetime.now(UTC), settings=settings, rules=rules
                    )
                    if count:
                        log.info("visits_missed", count=count)
                except Exception as exc:
                    log.warning("visit_scan_failed", error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), settings.visit_scan_interval_s)
        finally:
            await engine.dispose()

    return run


def main() -> None:
    settings = ChildProtectionSettings()
    cipher = FieldCipher(settings.data_key.get_secret_value())
    serve(
        run_worker(
            settings,
            topics=TOPICS,
            handlers=make_handlers(cipher, settings),
            metrics_port=settings.worker_metrics_port,
            extra_tasks=[deadline_scanner(settings, cipher), visit_scanner(settings, cipher)],
        )
    )


if __name__ == "__main__":
    main()
