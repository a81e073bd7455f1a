"""End to end in a real browser: a caseworker searches a 12345 work order and reads its timeline.

The app runs for real (uvicorn on a TCP port, lifespan on) against the migrated test database, into which
the projection has written a work order about a child carried from intake into child protection; Debian's
chromium, driven by Playwright, logs in through the development login page as a child-protection
caseworker of 500154, types the order number into the search page and sees every entry, in causal order,
grouped by day, with the service's colour and the 敏感 badge.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect

from browser import chromium, serve
from infra import Database
from shared.stack.stack import Stack
from timeline.entrypoints.api.app import create_app
from timeline.settings import TimelineSettings

pytestmark = pytest.mark.integration

PORT = 28501
SCREENSHOT = Path("/tmp/timeline.png")


@pytest_asyncio.fixture
async def served_timeline(tl_db: Database, stack: Stack) -> AsyncIterator[str]:
    """The timeline app served by uvicorn on 127.0.0.1:28501 in this event loop."""
    settings = TimelineSettings(database_url=tl_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    async with serve(create_app(settings), PORT) as url:
        yield url


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium under Playwright; a missing browser fails the test with the fix."""
    async with chromium() as launched:
        yield launched


async def test_a_caseworker_searches_a_work_order_and_sees_its_timeline(
    served_timeline: str, browser: Browser, tl_db: Database, story: Any, project: Any
) -> None:
    child = story().full()
    await project(tl_db, child.events)
    order, case = child.order_no, child.case_no
    # In causal order: intake's 签收 carries a clock a second earlier than the acceptance that caused it.
    expected = [
        f"收到12345工单 {order}（紧急，MZ-CP-02），涉及未成年人 1 名",
        f"工单 {order}派发至未成年人保护，承办区县：重庆市开州区（自动分拨）",
        f"登记发现报告（来源：12345 热线，紧急），案件 {case}",
        f"案件 {case}已受理，开始调查核实",
        f"工单 {order}已签收，对应未成年人保护案件 {case}",
        "应急处置：上门核查",
        f"案件 {case}由“受理调查”进入“应急处置”",
        "完成评估：风险等级黄色（较高风险），家庭存在经济困难",
        f"案件 {case}已结案，已向报告人反馈",
        f"工单 {order}已办结，办结回复已生成",
    ]

    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    try:
        await page.goto(f"{served_timeline}/")
        await expect(page).to_have_url(f"{served_timeline}/dev/login?next=%2Ftimeline")
        await page.get_by_label("姓名").fill("李社工")
        await page.get_by_label("角色").select_option("caseworker")
        await page.get_by_label("行政区划代码").fill("500154")
        await page.get_by_label("未成年人保护").check()
        await page.get_by_role("button", name="登录").click()
        await expect(page).to_have_url(f"{served_timeline}/timeline")
        await expect(page.get_by_role("heading", name="时间线检索")).to_be_visible()
        await expect(page.get_by_role("navigation", name="主导航")).to_contain_text("李社工 · 重庆市开州区")

        await page.get_by_label("12345 工单编号").fill(child.order_no)
        await page.get_by_role("button", name="查看工单时间线").click()
        await expect(page).to_have_url(f"{served_timeline}/timeline/work-orders/{child.order_no}")
        await expect(page.get_by_role("heading", name="工单时间线")).to_be_visible()

        entries = page.locator("li.entry")
        await expect(entries).to_have_count(10)
        await expect(page.locator("li.entry .summary")).to_have_text(expected)
        await expect(page.locator("#total")).to_contain_text("共 10 条记录")
        # One day (China time), intake's and child protection's colours, every entry sensitive.
        await expect(page.locator("h2.day")).to_have_text(["2026年11月23日 星期一"])
        await expect(page.locator("li.entry.svc-intake")).to_have_count(4)
        await expect(page.locator("li.entry.svc-child_protection")).to_have_count(6)
        await expect(page.locator("li.entry .badge.sensitive")).to_have_count(10)
        await expect(entries.first.locator("time")).to_have_text("09:30:00")
        await expect(page.get_by_text("追踪编号")).to_have_count(0)
        reported = entries.nth(2)
        await expect(reported.locator(".subject")).to_contain_text(f"未成年人保护案件 {case}")
        await expect(reported.get_by_role("link", name="在未成年人保护中打开")).to_have_attribute(
            "href", f"http://127.0.0.1:8003/cases/{child.case_id}"
        )
        await expect(reported.locator(".actor")).to_have_text("经办：李社工")

        # The filter form narrows to one service (a GET form: the URL can be shared).
        await page.get_by_label("业务").select_option(label="未成年人保护")
        await page.get_by_role("button", name="筛选").click()
        await expect(page).to_have_url(re.compile(r"\?service=child_protection(&|$)"))
        await expect(entries).to_have_count(6)
        await expect(page.locator("li.entry .summary")).to_have_text(
            [expected[i] for i in (2, 3, 5, 6, 7, 8)]
        )
        await page.get_by_role("link", name="清除筛选").click()
        await expect(entries).to_have_count(10)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)
    finally:
        await context.close()
