"""Health of the projection: lag behind each topic and the entry count, for /metrics and /readyz.

The API measures every `lag_refresh_s` seconds in the background; /metrics shows the latest
measurement as `timeline_consumer_lag{topic}` (also `consumer_lag{topic,partition,group}`) and
`timeline_entries`; the readiness check `projection` fails when the projection is more than
`ready_max_lag` events behind, or when no measurement succeeded lately.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

import structlog
from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.observability.metrics import Metrics
from timeline.adapters.kafka_lag import LagProbe
from timeline.adapters.tables import timeline_entry
from timeline.settings import TimelineSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Snapshot:
    """One measurement of the projection."""

    measured_at: datetime
    lag_by_topic: dict[str, int]
    entries: int

    @property
    def total_lag(self) -> int:
        return sum(self.lag_by_topic.values())

    def to_json(self) -> dict[str, object]:
        return {
            "measured_at": self.measured_at.isoformat(),
            "lag": self.total_lag,
            "lag_by_topic": dict(sorted(self.lag_by_topic.items())),
            "entries": self.entries,
        }


@dataclass(frozen=True)
class _Gauges:
    lag: Gauge
    entries: Gauge


@cache
def _gauges(metrics: Metrics) -> _Gauges:
    # Once per registry: the process-wide Metrics of the service is shared by every app built in it.
    return _Gauges(
        lag=Gauge(
            "timeline_consumer_lag",
            "Events on a domain topic that the timeline projection has not consumed yet.",
            ["service", "topic"],
            registry=metrics.registry,
        ),
        entries=Gauge(
            "timeline_entries", "Entries in the timeline projection.", ["service"], registry=metrics.registry
        ),
    )


class ProjectionMonitor:
    """Measures lag and entry count; serves the latest measurement to /metrics and /readyz."""

    def __init__(self, settings: TimelineSettings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.gauges = _gauges(metrics)
        self.probe = LagProbe(
            settings.kafka_bootstrap_servers, settings.consumer_group, settings.topic_pattern
        )
        self.snapshot: Snapshot | None = None
        self.last_error: str | None = None
        # The background loop and an explicit refresh share the probe's clients.
        self._lock = asyncio.Lock()

    async def refresh(self, engine: AsyncEngine) -> Snapshot:
        """Measure now and publish the result."""
        async with self._lock:
            return await self._refresh(engine)

    async def _refresh(self, engine: AsyncEngine) -> Snapshot:
        by_partition = await self.probe.measure()
        async with engine.connect() as conn:
            entries = int(await conn.scalar(select(func.count()).select_from(timeline_entry)) or 0)
        by_topic: dict[str, int] = defaultdict(int)
        for tp, lag in by_partition.items():
            by_topic[tp.topic] += lag
            self.metrics.set_consumer_lag(tp.topic, tp.partition, self.settings.consumer_group, lag)
        for topic, lag in by_topic.items():
            self.gauges.lag.labels(self.metrics.service, topic).set(lag)
        self.gauges.entries.labels(self.metrics.service).set(entries)
        self.snapshot = Snapshot(datetime.now(UTC), dict(by_topic), entries)
        self.last_error = None
        return self.snapshot

    async def run(self, engine: AsyncEngine, stop: asyncio.Event) -> None:
        """Refresh every `lag_refresh_s` until `stop`."""
        try:
            while not stop.is_set():
                try:
                    await self.refresh(engine)
                except Exception as exc:
                    self.last_error = repr(exc)
                    log.warning("projection_lag_unmeasured", error=repr(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.lag_refresh_s)
        finally:
            await self.probe.close()

    async def check(self) -> None:
        """Readiness: fails when the projection is far behind or its lag could not be measured lately."""
        snap = self.snapshot
        if snap is None:
            raise RuntimeError(f"projection lag not measured yet ({self.last_error or 'starting'})")
        age = (datetime.now(UTC) - snap.measured_at).total_seconds()
        if age > max(30.0, 6 * self.settings.lag_refresh_s):
            raise RuntimeError(f"projection lag last measured {age:.0f}s ago ({self.last_error})")
        if snap.total_lag > self.settings.ready_max_lag:
            raise RuntimeError(
                f"projection {snap.total_lag} events behind (limit {self.settings.ready_max_lag})"
            )
