"""Dependencies of the timeline API and pages: the runtime, the projection monitor, the caller's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.auth.principal import Principal
from shared.kit.app import get_runtime
from timeline.bootstrap import TimelineRuntime
from timeline.service_layer.monitor import ProjectionMonitor


def timeline_runtime(request: Request) -> TimelineRuntime:
    runtime = get_runtime(request)
    assert isinstance(runtime, TimelineRuntime)
    return runtime


def get_monitor(request: Request) -> ProjectionMonitor:
    monitor: ProjectionMonitor = request.app.state.monitor
    return monitor


def actor_of(principal: Principal) -> str:
    """How a caseworker is named in what they record: their name (the login only when there is none)."""
    return principal.name or principal.sub


TimelineRuntimeDep = Annotated[TimelineRuntime, Depends(timeline_runtime)]
MonitorDep = Annotated[ProjectionMonitor, Depends(get_monitor)]
