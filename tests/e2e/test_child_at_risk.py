"""The whole loop on the real stack: a 12345 work order about a child becomes a child-protection case,
is carried to closure, and intake's GET shows the reply."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from case_actions import action_path
from child_protection.settings import ChildProtectionSettings
from hotline_client import HotlineClient, work_order
from infra import recreate_database, wait_until
from shared.auth.tokens import issue_dev_token
from shared.messaging.admin import ensure_topics
from shared.stack.services import SERVICES
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration
PORT_OFFSET = 21000
SPECS = [s for s in SERVICES if s.name in ("intake", "child_protection")]


@pytest.fixture
def two_services(stack: Stack) -> Iterator[Stack]:
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


async def test_work_order_about_a_child_is_handled_to_the_reply(two_services: Stack) -> None:
    token = issue_dev_token(
        ChildProtectionSettings(),
        sub="e2e-worker",
        name="e2e社工",
        roles=["caseworker"],
        region="500154",
        programs=["child_protection"],
    )
    auth = {"Authorization": f"Bearer {token}"}
    order_no = f"E2E-CP-{uuid.uuid4().hex[:8]}"
    async with (
        httpx.AsyncClient(base_url=url(two_services, "intake"), timeout=10) as intake_http,
        httpx.AsyncClient(base_url=url(two_services, "child_protection"), timeout=10, headers=auth) as cp,
    ):
        hotline = HotlineClient(intake_http)
        posted = await hotline.post_work_order(
            work_order(order_no, category_code="MZ-CP-01", urgency="critical")
        )
        assert posted.status_code == 202, posted.text

        async def case_opened() -> bool:
            items = (await cp.get("/api/v1/cases")).json()["items"]
            return any(i["order_no"] == order_no for i in items)

        assert await wait_until(case_opened, timeout_s=30), "the work order did not become a case"
        case = next(i for i in (await cp.get("/api/v1/cases")).json()["items"] if i["order_no"] == order_no)
        assert case["urgency"] == "critical" and case["stage"] == "reported"
        assert (await hotline.get_work_order(order_no)).json()["status"] == "routed"

        async def act(op: str, **params: Any) -> None:
            r = await cp.post(action_path(case["case_ref"], op), json=params)
            assert r.status_code == 200, (op, r.text)

        await act("accept")

        async def intake_status(expected: str) -> bool:
            return bool((await hotline.get_work_order(order_no)).json()["status"] == expected)

        assert await wait_until(lambda: intake_status("accepted"), timeout_s=30)
        detail = (await hotline.get_work_order(order_no)).json()
        assert detail["case_ref"] == f"child_protection/{case['case_ref']}"

        await act("record_emergency", action="on_site_visit", note="2小时内到场，儿童安全")
        await act("advance", target="emergency_response")
        await act("advance", target="assessment")
        await act(
            "assess",
            situation="父母外出务工",
            capacity="祖母年迈，监护能力弱",
            risk_colour="yellow",
            findings="",
            hardship=False,
        )
        await act("advance", target="support")
        await act(
            "add_plan_item",
            kind="schooling",
            description="落实就学和课后照护",
            owner="王老师",
            agency="汉丰街道",
            due_date="2026-12-31",
        )
        await act("advance", target="intervention")
        await act(
            "record_intervention",
            kind="entrusted_care",
            legal_basis="《未成年人保护法》第二十二条",
            documents="委托照护协议",
            note="与姑姑签订书面照护协议",
        )
        feedback = "经核实，儿童已由姑姑委托照护并签订协议，社工每周回访。"
        await act("close", feedback=feedback)

        assert await wait_until(lambda: intake_status("replied"), timeout_s=30)
        detail = (await hotline.get_work_order(order_no)).json()
        assert detail["reply_text"] == feedback
        statuses = [h["status"] for h in detail["history"]]
        assert statuses[:3] == ["received", "routed", "accepted"] and statuses[-1] == "replied"
