"""The three services as real processes on the test stack, with one record of each kind in 500154."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from hotline_client import HotlineClient, work_order
from infra import recreate_database, wait_until
from shared.auth.tokens import issue_dev_token
from shared.messaging.admin import ensure_topics
from shared.settings import ServiceSettings
from shared.stack.services import SERVICES
from shared.stack.stack import Stack

PORT_OFFSET = 23000
SPECS = [s for s in SERVICES if s.name in ("intake", "child_protection", "timeline")]
CHILD_BASE = "50015420160501123"
CHILD_ID_NUMBER = CHILD_BASE + ric.calc_check_digit(CHILD_BASE + "0")


def token(roles: list[str], region: str, programs: list[str], sub: str) -> dict[str, str]:
    value = issue_dev_token(
        ServiceSettings(), sub=sub, name="测试", roles=roles, region=region, programs=programs
    )
    return {"Authorization": f"Bearer {value}"}


# Who calls: the caller's roles, region scope and programs.
PRINCIPALS: dict[str, dict[str, str] | None] = {
    "none": None,
    "no_role": token([], "500154", ["child_protection"], "t:none"),
    "wrong_program": token(["caseworker"], "500154", ["assistance"], "t:other-program"),
    "worker": token(["caseworker"], "500154", ["child_protection"], "t:worker"),
    "supervisor": token(["supervisor"], "500154", ["child_protection"], "t:supervisor"),
    "auditor": token(["auditor"], "500154", [], "t:auditor"),
    "other_county": token(["caseworker", "supervisor"], "500155", ["child_protection"], "t:county"),
    "other_city": token(["caseworker", "supervisor"], "510104", ["child_protection"], "t:city"),
}


@dataclass
class Live:
    """The running services and the records the matrix aims at."""

    urls: dict[str, str]
    params: dict[str, str]


def _url(s: Stack, name: str) -> str:
    return f"http://127.0.0.1:{s.api_port(next(x for x in SPECS if x.name == name))}"


async def _seed(urls: dict[str, str]) -> dict[str, str]:
    worker = PRINCIPALS["worker"]
    assert worker is not None
    order_no = f"SEC-{uuid.uuid4().hex[:8]}"
    async with (
        httpx.AsyncClient(base_url=urls["intake"], timeout=10) as intake,
        httpx.AsyncClient(base_url=urls["child_protection"], timeout=10, headers=worker) as cp,
        httpx.AsyncClient(base_url=urls["timeline"], timeout=10, headers=worker) as tl,
    ):
        body = work_order(order_no, category_code="MZ-CP-01", urgency="critical")
        body["subjects"] = [
            {"name": "小明", "id_number": CHILD_ID_NUMBER, "gender": "male", "is_minor": True}
        ]
        assert (await HotlineClient(intake).post_work_order(body)).status_code == 202

        async def case() -> dict[str, Any] | None:
            items = (await cp.get("/api/v1/cases")).json()["items"]
            return next((i for i in items if i["order_no"] == order_no), None)

        assert await wait_until(case, timeout_s=60), "the work order did not become a case"
        found = await case()
        assert found is not None
        case_ref = found["case_ref"]
        assert (await cp.post(f"/api/v1/cases/{case_ref}/accept", json={})).status_code == 200
        child = {
            "name": "张小明",
            "gender": "male",
            "birth_date": "2016-05-01",
            "region_code": "500154",
            "categories": ["left_behind"],
            "risk_colour": "blue",
            "risk_reason": "父母外出务工",
            "guardians": [{"name": "张大山", "relation": "父亲", "is_primary": True}],
        }
        registered = await cp.post("/api/v1/children", json=child)
        assert registered.status_code == 201, registered.text
        child_id = registered.json()["child_id"]
        file = (await cp.get(f"/api/v1/children/{child_id}")).json()
        visits = file["visits"]
        personkey = (await cp.get(f"/api/v1/cases/{case_ref}")).json()["child"]["personkey"]

        async def on_timeline() -> bool:
            r = await tl.get(f"/api/v1/timeline/persons/{personkey}")
            return r.status_code == 200 and r.json()["total"] >= 2

        assert await wait_until(on_timeline, timeout_s=60), "the case did not reach the timeline"
    return {
        "case": case_ref,
        "child_id": child_id,
        "visit_id": visits[0]["id"],
        "item_id": "no-such-item",
        "order_no": order_no,
        "case_service": "child_protection",
        "case_id": case_ref,
        "personkey": personkey,
        # A second person the worker may see (the register file), for link corrections.
        "other_personkey": file["personkey"],
    }


@pytest.fixture(scope="module")
def live(stack: Stack) -> Iterator[Live]:
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
        urls = {spec.name: _url(s, spec.name) for spec in SPECS}
        yield Live(urls, asyncio.run(_seed(urls)))
    finally:
        s.down_services()
