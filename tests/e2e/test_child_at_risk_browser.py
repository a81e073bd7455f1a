"""On the real stack, in a real browser: a 12345 work order about a child becomes a case, a caseworker
carries it through every step with the case page's forms, and intake's GET then shows the reply."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from browser import chromium
from hotline_client import HotlineClient, work_order
from infra import recreate_database, wait_until
from shared.messaging.admin import ensure_topics
from shared.stack.services import SERVICES
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration
PORT_OFFSET = 23000
SPECS = [s for s in SERVICES if s.name in ("intake", "child_protection")]
FEEDBACK = "经核实，儿童由姑姑委托照护并签订书面协议，社工每周回访。感谢您的反映。"


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


async def submitted(page: Page, button: str, notice: str) -> None:
    await page.get_by_role("button", name=button, exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(notice)


async def test_browser_caseworker_closes_a_12345_case_and_intake_shows_the_reply(two_services: Stack) -> None:
    intake_url = f"http://127.0.0.1:{two_services.api_port(SPECS[0])}"
    cp_url = f"http://127.0.0.1:{two_services.api_port(SPECS[1])}"
    order_no = f"E2E-UI-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=intake_url, timeout=10) as http:
        hotline = HotlineClient(http)
        posted = await hotline.post_work_order(work_order(order_no, category_code="MZ-CP-02"))
        assert posted.status_code == 202, posted.text

        async with chromium() as browser:
            page = await (await browser.new_context(locale="zh-CN")).new_page()
            page.set_default_timeout(15_000)
            await page.goto(f"{cp_url}/cases")
            await page.get_by_label("姓名").fill("周社工")
            await page.get_by_label("角色").select_option("caseworker")
            await page.get_by_label("行政区划代码").fill("500154")
            await page.get_by_label("未成年人保护").check()
            await page.get_by_role("button", name="登录").click()

            async def case_listed() -> bool:
                await page.goto(f"{cp_url}/cases")
                return await page.get_by_text(order_no).count() > 0

            assert await wait_until(case_listed, timeout_s=30, interval_s=1.0), "no case for the work order"
            await page.get_by_role("row").filter(has_text=order_no).get_by_role("link").first.click()
            stage = page.locator("#case-stage")
            await expect(stage).to_have_text("发现报告（待受理）")

            await submitted(page, "受理", "已受理。请尽快上门核查。")

            async def intake_says(expected: str) -> bool:
                return bool((await hotline.get_work_order(order_no)).json()["status"] == expected)

            assert await wait_until(lambda: intake_says("accepted"), timeout_s=30)

            await page.get_by_label("处置措施").select_option(label="上门核查")
            await page.get_by_label("情况说明").fill("到场核实，儿童独自在家，已联系亲属。")
            await submitted(page, "记录措施", "应急处置措施已记录。")
            await submitted(page, "进入应急处置", "已转入“应急处置”环节。")
            await submitted(page, "进入评估", "已转入“评估”环节。")
            await page.get_by_label("家庭监护状况").fill("父母外出务工，无人照料。")
            await page.get_by_label("监护能力评估").fill("姑姑有能力委托照护。")
            await page.get_by_label("风险等级").select_option(label="黄色（较高风险）")
            await submitted(page, "提交评估", "评估已提交。")
            await submitted(page, "进入帮扶", "已转入“帮扶”环节。")
            await page.get_by_label("服务类型").select_option(label="就学保障")
            await page.get_by_label("服务内容").fill("落实课后照护")
            await page.get_by_label("责任人").fill("王老师")
            await page.get_by_label("责任单位").fill("汉丰街道")
            await page.get_by_label("完成时限").fill("2026-12-31")
            await submitted(page, "加入服务清单", "服务项已加入服务清单。")
            await submitted(page, "进入监护干预", "已转入“监护干预”环节。")
            await page.get_by_label("干预类型").select_option(label="委托照护（签订照护协议）")
            await page.get_by_label("法律依据", exact=True).fill("《未成年人保护法》第二十二条")
            await page.get_by_label("文书").fill("委托照护协议")
            await submitted(page, "记录监护干预", "监护干预已记录。")
            await page.get_by_label("向报告人的反馈").fill(FEEDBACK)
            await submitted(page, "反馈并结案", "已反馈并结案。")
            await expect(stage).to_have_text("已结案（已反馈）")

        assert await wait_until(lambda: intake_says("replied"), timeout_s=30)
        detail = (await hotline.get_work_order(order_no)).json()
        assert detail["reply_text"] == FEEDBACK
        assert detail["case_ref"].startswith("child_protection/CP-500154-")
