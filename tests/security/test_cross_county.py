"""Writes across counties, on the running services: a report about a child with an open case in another
county opens the reporter's own county's case, never joins (or discloses) the other one."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hotline_client import HotlineClient, work_order
from infra import wait_until
from tests.security.conftest import CHILD_ID_NUMBER, PRINCIPALS, Live

pytestmark = pytest.mark.integration


async def test_a_report_from_another_county_opens_its_own_case(live: Live) -> None:
    other, worker = PRINCIPALS["other_county"], PRINCIPALS["worker"]
    assert other is not None and worker is not None
    report = {
        "region_code": "500155",
        "urgency": "urgent",
        "reporter_type": "school",
        "content": "学生自述在家中被打",
        "child": {"name": "小明", "id_number": CHILD_ID_NUMBER},
    }
    async with httpx.AsyncClient(base_url=live.urls["child_protection"], timeout=10) as cp:
        before = (await cp.get(f"/api/v1/cases/{live.params['case']}", headers=worker)).json()
        answer = await cp.post("/api/v1/reports", json=report, headers=other)
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["linked"] is False and body["case_ref"].startswith("CP-500155-")
        assert live.params["case"] not in answer.text
        after = (await cp.get(f"/api/v1/cases/{live.params['case']}", headers=worker)).json()
        assert len(after["reports"]) == len(before["reports"])
        assert after["version"] == before["version"]


async def test_a_12345_order_in_another_county_gets_a_case_there_and_its_loop_moves(live: Live) -> None:
    other = PRINCIPALS["other_county"]
    assert other is not None
    order_no = f"SEC-X-{uuid.uuid4().hex[:8]}"
    body = work_order(order_no, category_code="MZ-CP-01", region_code="500155")
    body["subjects"] = [{"name": "小明", "id_number": CHILD_ID_NUMBER, "gender": "male", "is_minor": True}]
    async with (
        httpx.AsyncClient(base_url=live.urls["intake"], timeout=10) as intake,
        httpx.AsyncClient(base_url=live.urls["child_protection"], timeout=10, headers=other) as cp,
    ):
        hotline = HotlineClient(intake)
        assert (await hotline.post_work_order(body)).status_code == 202

        async def own_case() -> bool:
            items = (await cp.get("/api/v1/cases")).json()["items"]
            return any(i["order_no"] == order_no and i["case_ref"].startswith("CP-500155-") for i in items)

        assert await wait_until(own_case, timeout_s=60), "no case of its own in 500155"
        case = next(i for i in (await cp.get("/api/v1/cases")).json()["items"] if i["order_no"] == order_no)
        assert (await cp.post(f"/api/v1/cases/{case['case_ref']}/accept", json={})).status_code == 200

        async def accepted() -> bool:
            return bool((await hotline.get_work_order(order_no)).json()["status"] == "accepted")

        assert await wait_until(accepted, timeout_s=60), "the 12345 order stayed routed"
        detail = (await hotline.get_work_order(order_no)).json()
        assert detail["case_ref"] == f"child_protection/{case['case_ref']}"
