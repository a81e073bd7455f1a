"""Dependencies of the timeline API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from timeline.service_layer.monitor import ProjectionMonitor
from timeline.settings import TimelineSettings


def get_settings(request: Request) -> TimelineSettings:
    settings: TimelineSettings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


def get_monitor(request: Request) -> ProjectionMonitor:
    monitor: ProjectionMonitor = request.app.state.monitor
    return monitor


SettingsDep = Annotated[TimelineSettings, Depends(get_settings)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
MonitorDep = Annotated[ProjectionMonitor, Depends(get_monitor)]
