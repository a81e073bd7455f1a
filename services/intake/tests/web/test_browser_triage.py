"""End to end in a real browser: a work order with an unknown category is triaged at the intake desk.

The app runs for real (uvicorn on a TCP port, lifespan on) against the migrated test database; the
12345 side posts a signed work order over HTTP; Debian's chromium, driven by Playwright, logs in
through the development login page, opens the triage queue and routes the work order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from browser import chromium, serve
from hotline_client import HotlineClient, work_order
from infra import Database
from intake.entrypoints.api.app import create_app
from intake.settings import IntakeSettings
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration

PORT = 28301
SCREENSHOT = Path("/tmp/intake_triage.png")


@pytest_asyncio.fixture
async def served_intake(intake_db: Database, stack: Stack) -> AsyncIterator[str]:
    """The intake app served by uvicorn on 127.0.0.1:28301 in this event loop."""
    settings = IntakeSettings(database_url=intake_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    async with serve(create_app(settings), PORT) as url:
        yield url


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium under Playwright; a missing browser fails the test with the fix."""
    async with chromium() as launched:
        yield launched


async def test_triage_one_work_order_in_a_real_browser(served_intake: str, browser: Browser) -> None:
    async with httpx.AsyncClient(base_url=served_intake, timeout=10) as http:
        hotline = HotlineClient(http)
        body = work_order(
            "GD-UI-0001",
            category_code="MZ-ZZ-99",
            category_name="其他民政事项",
            region_code="500154",
            content="群众反映：小区里一名约10岁儿童深夜独自在外游荡，家中长期无人。",
            caller={"name": "赵先生", "phone": "13900139000"},
            subjects=[{"name": "小红", "gender": "female", "age": 10, "is_minor": True}],
        )
        posted = await hotline.post_work_order(body)
        assert posted.status_code == 202, posted.text
        assert posted.json()["routed_to"] == "triage"
        assert "unknown_category" in posted.json()["flags"]

        context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        page.set_default_timeout(15_000)
        try:
            await page.goto(f"{served_intake}/desk/triage")
            await expect(page).to_have_url(f"{served_intake}/dev/login?next=%2Fdesk%2Ftriage")
            await page.get_by_label("姓名").fill("李受理")
            await page.get_by_label("角色").select_option("intake_agent")
            await page.get_by_label("行政区划代码").fill("500154")
            await page.get_by_role("button", name="登录").click()

            await expect(page).to_have_url(f"{served_intake}/desk/triage")
            await expect(page.get_by_role("heading", name="待分拨")).to_be_visible()
            await expect(page.get_by_role("navigation", name="主导航")).to_contain_text(
                "李受理 · 重庆市开州区"
            )
            await page.get_by_role("link", name="GD-UI-0001").click()

            await expect(page.get_by_role("heading", name="工单 GD-UI-0001")).to_be_visible()
            await expect(page.locator("#wo-status")).to_have_text("待分拨")
            await expect(page.locator("#wo-content")).to_have_text(body["content"])
            county = page.get_by_label("承办区县代码（6 位）")
            await expect(county).to_have_value("500154")
            await page.get_by_label("承办业务", exact=True).select_option(label="未成年人保护")
            await page.get_by_role("button", name="派发").click()

            await expect(page).to_have_url(
                f"{served_intake}/desk/work-orders/{posted.json()['intake_id']}?done=routed"
            )
            await expect(page.get_by_role("status")).to_have_text("工单已派发。")
            await expect(page.locator("#wo-status")).to_have_text("已派发")
            history = page.get_by_role("table").filter(has_text="操作人")
            await expect(history).to_contain_text("李受理")
            await page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            await context.close()

        got = await hotline.get_work_order("GD-UI-0001")
        assert got.status_code == 200
        detail = got.json()
        assert detail["status"] == "routed"
        assert detail["routed_to"] == "child_protection"
        assert detail["responsible_region"] == "500154"
        assert detail["history"][-1]["actor"] == "李受理"
    assert (await asyncio.to_thread(SCREENSHOT.stat)).st_size > 10_000
