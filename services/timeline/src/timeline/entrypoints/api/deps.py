"""Dependencies of the timeline API and pages: the runtime, the projection monitor, the caller's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.auth.deps import CurrentPrincipal
from shared.auth.principal import Principal
from shared.kit.app import get_runtime
from shared.kit.errors import Forbidden
from timeline.bootstrap import TimelineRuntime
from timeline.domain.viewer import Viewer
from timeline.service_layer.monitor import ProjectionMonitor


async def timeline_runtime(request: Request) -> TimelineRuntime:
    runtime = get_runtime(request)
    assert isinstance(runtime, TimelineRuntime)
    return runtime


async def get_monitor(request: Request) -> ProjectionMonitor:
    monitor: ProjectionMonitor = request.app.state.monitor
    return monitor


async def timeline_viewer(principal: CurrentPrincipal) -> Viewer:
    """The caller as the timeline sees them; 403 for someone no service lets read anything."""
    viewer = Viewer.from_principal(principal)
    if not viewer.reads_anything:
        raise Forbidden("当前账号没有查看任何业务记录的角色或业务")
    return viewer


def actor_of(principal: Principal) -> str:
    """How a caseworker is named in what they record: their name (the login only when there is none)."""
    return principal.name or principal.sub


TimelineRuntimeDep = Annotated[TimelineRuntime, Depends(timeline_runtime)]
MonitorDep = Annotated[ProjectionMonitor, Depends(get_monitor)]
ViewerDep = Annotated[Viewer, Depends(timeline_viewer)]
