"""The timeline on the real stack: a 12345 work order about a child is carried through child protection, and
the work order's timeline shows intake's and child protection's entries in causal order within seconds,
to the right people only."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from case_actions import action_path
from hotline_client import HotlineClient, work_order
from infra import recreate_database, wait_until
from shared.auth.tokens import issue_dev_token
from shared.messaging.admin import ensure_topics
from shared.stack.services import SERVICES
from shared.stack.stack import Stack
from timeline.settings import TimelineSettings

pytestmark = pytest.mark.integration
PORT_OFFSET = 22000
SPECS = [s for s in SERVICES if s.name in ("intake", "child_protection", "timeline")]
# Each step's entry must be on the timeline this soon after the call that caused it.
WITHIN_S = 10.0


@pytest.fixture
def three_services(stack: Stack) -> Iterator[Stack]:
    s = Stack(
        stack.paths, stack.kafka_port, stack.kafka_controller_port, services=SPECS, port_offset=PORT_OFFSET
    )
    for spec in SPECS:
        asyncio.run(recreate_database(s, spec.database))
    asyncio.run(ensure_topics(s.kafka.bootstrap, s.topics()))
    try:
        for spec in SPECS:
            s.start_service(spec)
        for spec in SPECS:
            assert s.wait_ready(spec, timeout_s=90), f"{spec.name} not ready; see {s.paths.logs}"
        yield s
    finally:
        s.down_services()


def url(s: Stack, name: str) -> str:
    return f"http://127.0.0.1:{s.api_port(next(x for x in SPECS if x.name == name))}"


def bearer(role: str, region: str, programs: list[str]) -> dict[str, str]:
    token = issue_dev_token(
        TimelineSettings(),
        sub=f"e2e-{role}-{region}",
        name="e2e",
        roles=[role],
        region=region,
        programs=programs,
    )
    return {"Authorization": f"Bearer {token}"}


async def test_a_work_orders_timeline_across_services(three_services: Stack) -> None:
    caseworker = bearer("caseworker", "500154", ["child_protection"])
    order_no = f"E2E-TL-{uuid.uuid4().hex[:8]}"
    async with (
        httpx.AsyncClient(base_url=url(three_services, "intake"), timeout=10) as intake_http,
        httpx.AsyncClient(
            base_url=url(three_services, "child_protection"), timeout=10, headers=caseworker
        ) as cp,
        httpx.AsyncClient(base_url=url(three_services, "timeline"), timeout=10) as tl,
    ):
        latencies: dict[str, float] = {}

        async def timeline(headers: dict[str, str]) -> dict[str, Any]:
            r = await tl.get(
                f"/api/v1/timeline/work-orders/{order_no}", headers=headers, params={"limit": 500}
            )
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            return body

        async def shows(event_type: str, since: float, count: int = 1) -> None:
            async def present() -> bool:
                entries = (await timeline(caseworker))["entries"]
                return sum(e["type"] == event_type for e in entries) >= count

            assert await wait_until(present, timeout_s=30, interval_s=0.1), (
                f"{event_type} not on the timeline"
            )
            latencies[f"{event_type}#{count}"] = time.monotonic() - since

        hotline = HotlineClient(intake_http)
        t = time.monotonic()
        posted = await hotline.post_work_order(
            work_order(order_no, category_code="MZ-CP-01", urgency="critical")
        )
        assert posted.status_code == 202, posted.text
        await shows("intake.work_order.routed", t)
        await shows("child_protection.case.reported", t)
        case = next(i for i in (await cp.get("/api/v1/cases")).json()["items"] if i["order_no"] == order_no)

        async def act(op: str, expected: str, count: int = 1, **params: Any) -> float:
            t = time.monotonic()
            r = await cp.post(action_path(case["case_ref"], op), json=params)
            assert r.status_code == 200, (op, r.text)
            await shows(expected, t, count)
            return t

        accepted_at = await act("accept", "child_protection.case.accepted")
        await shows("intake.work_order.accepted", accepted_at)
        await act(
            "record_emergency",
            "child_protection.case.emergency_responded",
            action="on_site_visit",
            note="到场",
        )
        await act("advance", "child_protection.case.stage_changed", target="emergency_response")
        await act("advance", "child_protection.case.stage_changed", 2, target="assessment")
        await act(
            "assess",
            "child_protection.case.assessed",
            situation="父母外出务工",
            capacity="祖母年迈，监护能力弱",
            risk_colour="yellow",
            findings="",
            hardship=False,
        )
        assert max(latencies.values()) < WITHIN_S, latencies

        body = await timeline(caseworker)
        entries = body["entries"]
        types = [e["type"] for e in entries]
        services = {e["service"] for e in entries}
        assert services == {"intake", "child_protection"}
        assert types[:3] == [
            "intake.work_order.received",
            "intake.work_order.routed",
            "child_protection.case.reported",
        ]
        assert types.index("intake.work_order.accepted") > types.index("child_protection.case.accepted")
        position = {e["event_id"]: i for i, e in enumerate(entries)}
        for i, e in enumerate(entries):
            if e["causation_id"] in position:
                assert position[e["causation_id"]] < i, (e["type"], "before its cause")
        assert all(e["trace_id"] is None for e in entries)
        reported = entries[2]
        assert reported["link"] == f"http://127.0.0.1:8003/cases/{case['id']}"
        assert reported["summary"] == f"登记发现报告（来源：12345 热线，特急），案件 {case['case_ref']}"
        assert "13800138000" not in str(body)

        # Another region sees none of it; without the child-protection program, nothing sensitive.
        assert (await timeline(bearer("caseworker", "510104", ["child_protection"])))["entries"] == []
        agent = await timeline(bearer("intake_agent", "500154", []))
        assert all(e["sensitivity"] == "normal" for e in agent["entries"]) and agent["entries"] == []
        other_program = await timeline(bearer("caseworker", "500154", ["assistance"]))
        assert other_program["entries"] == []
        auditor = await timeline(bearer("auditor", "500000", []))
        assert [e["event_id"] for e in auditor["entries"]] == [e["event_id"] for e in entries]
        assert all(len(e["trace_id"] or "") == 32 for e in auditor["entries"])

        # The case's own timeline, and the child's.
        case_tl = await tl.get(f"/api/v1/timeline/cases/child_protection/{case['id']}", headers=caseworker)
        assert {e["service"] for e in case_tl.json()["entries"]} == {"child_protection"}
        child = reported["personkeys"][0]
        person = await tl.get(f"/api/v1/timeline/persons/{child}", headers=caseworker)
        assert len(person.json()["entries"]) >= len(entries) - 1
        print(f"timeline latency per step (s): { {k: round(v, 2) for k, v in latencies.items()} }")
