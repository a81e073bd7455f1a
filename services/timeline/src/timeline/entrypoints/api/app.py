"""The timeline service's FastAPI app: the JSON API and the pages on the runtime bootstrap builds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from shared.kit.app import create_service_app
from shared.observability.metrics import get_metrics
from timeline.bootstrap import bootstrap
from timeline.entrypoints.api import routes
from timeline.entrypoints.web import person_pages, search_pages, timeline_pages
from timeline.service_layer.monitor import ProjectionMonitor
from timeline.settings import TimelineSettings


def create_app(settings: TimelineSettings | None = None) -> FastAPI:
    """Build the app; nothing is connected until start-up."""
    settings = settings or TimelineSettings()
    monitor = ProjectionMonitor(settings, get_metrics(settings.service_name))
    app = create_service_app(
        settings,
        bootstrap,
        title="timeline · 时间线",
        routers=[routes.router, search_pages.router, timeline_pages.router, person_pages.router],
        extra_checks={"projection": monitor.check},
    )
    app.state.monitor = monitor

    # The lag monitor runs beside the kit's lifespan (engine up first, monitor stopped first).
    kit_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with kit_lifespan(app):
            stop = asyncio.Event()
            task = asyncio.create_task(monitor.run(app.state.engine, stop))
            try:
                yield
            finally:
                stop.set()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(task, 15)

    app.router.lifespan_context = lifespan
    return app
