"""First receipt, idempotent repeat, conflict, and the read-back of a work order."""

from __future__ import annotations

import httpx
import pytest

from hotline_client import HotlineClient, work_order
from infra import Database

pytestmark = pytest.mark.integration


async def test_receipt_repeat_conflict_and_get(hotline: HotlineClient, intake_db: Database) -> None:
    body = work_order("GD-SMOKE-1")
    first = await hotline.post_work_order(body)
    assert first.status_code == 202, first.text
    receipt = first.json()
    assert receipt["status"] == "received" and receipt["routed_to"] == "child_protection"
    assert receipt["flags"] == ["minor_involved"]

    again = await hotline.post_work_order(body)
    assert again.status_code == 200 and again.json() == receipt

    changed = await hotline.post_work_order({**body, "content": "不同的内容"})
    assert changed.status_code == 409
    assert changed.headers["content-type"].startswith("application/problem+json")

    got = await hotline.get_work_order("GD-SMOKE-1")
    assert got.status_code == 200
    detail = got.json()
    assert detail["status"] == "routed"
    assert [h["status"] for h in detail["history"]] == ["received", "routed"]
    assert detail["work_order"]["content"] == body["content"]
    assert await intake_db.fetchval("SELECT count(*) FROM work_order") == 1
    assert await intake_db.fetchval("SELECT count(*) FROM outbox_message") == 2


async def test_a_trailing_slash_is_a_problem_not_a_redirect(intake_http: httpx.AsyncClient) -> None:
    response = await intake_http.get("/api/v1/hotline/work-orders/")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
