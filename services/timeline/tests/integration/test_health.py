"""Health of the projection: lag per topic and entry count on /metrics, lag in /readyz."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from infra import Database, wait_until
from timeline.entrypoints.api.app import create_app

pytestmark = pytest.mark.integration


async def test_lag_and_entries_on_metrics_and_readyz(
    bus: Any, story: Any, tl_db: Database, login: Any, projection: Any
) -> None:
    await bus.topics("intake.work_order.v1", "child_protection.case.v1")
    events = [e for _ in range(3) for e in story().full().events]
    await bus.publish(events)
    intake_topic = f"{bus.prefix}_intake.work_order.v1"
    cp_topic = f"{bus.prefix}_child_protection.case.v1"
    app = create_app(bus.settings(ready_max_lag=10, lag_refresh_s=0.5))
    async with app.router.lifespan_context(app):
        monitor = app.state.monitor
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://tl.test"
        ) as http:
            snap = await monitor.refresh(app.state.engine)
            assert snap.lag_by_topic == {intake_topic: 12, cp_topic: 18} and snap.entries == 0
            ready = await http.get("/readyz")
            assert ready.status_code == 503
            assert (
                ready.json()["checks"]["projection"]
                == "error: RuntimeError: projection 30 events behind (limit 10)"
            )
            metrics = (await http.get("/metrics")).text
            assert f'timeline_consumer_lag{{service="timeline",topic="{intake_topic}"}} 12.0' in metrics
            assert 'timeline_entries{service="timeline"} 0.0' in metrics

            stop = asyncio.Event()
            worker = asyncio.create_task(projection(bus.settings(), stop))
            try:

                async def caught_up() -> bool:
                    s = await monitor.refresh(app.state.engine)
                    return bool(s.total_lag == 0 and s.entries == len(events))

                assert await wait_until(caught_up, timeout_s=60)
            finally:
                stop.set()
                await asyncio.wait_for(worker, 30)
            assert (await http.get("/readyz")).status_code == 200
            metrics = (await http.get("/metrics")).text
            assert f'timeline_consumer_lag{{service="timeline",topic="{cp_topic}"}} 0.0' in metrics
            assert f'timeline_entries{{service="timeline"}} {len(events)}.0' in metrics
            labels = f'group="{bus.prefix}-timeline",partition="0",service="timeline",topic="{cp_topic}"'
            assert f"consumer_lag{{{labels}}} 0.0" in metrics
            state = (await http.get("/api/v1/timeline/projection", headers=login("auditor"))).json()
            assert state["lag"] == 0 and state["entries"] == len(events) and state["last_rebuild"] is None
