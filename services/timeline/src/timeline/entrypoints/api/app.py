"""The timeline service's FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from shared.observability.metrics import get_metrics
from shared.service_app import create_service_app
from timeline.entrypoints.api.routes import router as api_router
from timeline.entrypoints.web.pages import router as pages_router
from timeline.service_layer.monitor import ProjectionMonitor
from timeline.settings import TimelineSettings


def create_app(settings: TimelineSettings | None = None) -> FastAPI:
    """Build the app; nothing is connected until start-up."""
    settings = settings or TimelineSettings()
    monitor = ProjectionMonitor(settings, get_metrics(settings.service_name))
    app = create_service_app(settings, title="timeline · 时间线", extra_checks={"projection": monitor.check})
    app.state.monitor = monitor
    app.include_router(api_router)
    app.include_router(pages_router)

    # The lag monitor runs beside the shared lifespan (engine up first, monitor stopped first).
    shared_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with shared_lifespan(app):
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
