"""End to end in a real browser: a caseworker carries a report through every step of the chain to closure.

The app runs for real (uvicorn on a TCP port, lifespan on) against the migrated test database; Debian's
chromium, driven by Playwright, logs in through the development login page, registers a report with the
report form and then uses only the case page's forms: accept, on-site visit, emergency response (with
temporary guardianship), assessment, a service-plan item, an intervention, feedback and closure.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from browser import chromium, serve
from child_protection.entrypoints.api.app import create_app
from child_protection.settings import ChildProtectionSettings
from infra import Database
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration

PORT = 28401
SCREENSHOT = Path("/tmp/cp_case.png")
FEEDBACK = "经核实，儿童已安全，继父接受家庭教育指导，学校持续关注。感谢您的报告。"


@pytest_asyncio.fixture
async def served_cp(cp_db: Database, stack: Stack) -> AsyncIterator[str]:
    """The child_protection app served by uvicorn on 127.0.0.1:28401 in this event loop."""
    settings = ChildProtectionSettings(database_url=cp_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    async with serve(create_app(settings), PORT) as url:
        yield url


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium under Playwright; a missing browser fails the test with the fix."""
    async with chromium() as launched:
        yield launched


async def submitted(page: Page, button: str, notice: str, *, exact: bool = True) -> None:
    """Click a form's button and wait for the case page to come back with the success notice."""
    await page.get_by_role("button", name=button, exact=exact).click()
    await expect(page.get_by_role("status")).to_have_text(notice)


async def test_a_caseworker_takes_a_report_to_closure_in_a_real_browser(
    served_cp: str, browser: Browser
) -> None:
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(15_000)
    stage = page.locator("#case-stage")
    try:
        # Log in through the development login page.
        await page.goto(f"{served_cp}/cases")
        await expect(page).to_have_url(f"{served_cp}/dev/login?next=%2Fcases")
        await page.get_by_label("姓名").fill("李社工")
        await page.get_by_label("角色").select_option("caseworker")
        await page.get_by_label("行政区划代码").fill("500154")
        await page.get_by_label("未成年人保护").check()
        await page.get_by_role("button", name="登录").click()
        await expect(page).to_have_url(f"{served_cp}/cases")
        await expect(page.get_by_role("heading", name="案件工作台")).to_be_visible()
        await expect(page.get_by_role("navigation", name="主导航")).to_contain_text("李社工 · 重庆市开州区")

        # 发现报告: a school's mandatory report (强制报告), through the form.
        await page.get_by_role("navigation", name="主导航").get_by_role("link", name="登记报告").click()
        await expect(page.get_by_role("heading", name="登记报告", exact=True)).to_be_visible()
        await expect(page.get_by_label("行政区划代码（必填，6、9 或 12 位）")).to_have_value("500154")
        await page.get_by_label("报告人类型（必填）").select_option(label="学校")
        await page.get_by_label("报告人姓名或单位").fill("陈老师（某小学）")
        await page.get_by_label("报告人联系方式").fill("13800138000")
        await page.get_by_label("紧急程度").select_option(label="紧急")
        await page.get_by_label("报告内容（必填）").fill("学生身上多处淤青，自述被继父打骂，放学后不敢回家。")
        await page.get_by_label("儿童姓名").fill("小红")
        await page.get_by_label("儿童性别").select_option(label="女")
        await page.get_by_label("儿童年龄（周岁）").fill("9")
        await page.get_by_role("button", name="提交报告").click()
        await expect(page).to_have_url(
            re.compile(rf"{re.escape(served_cp)}/cases/CP-500154-[0-9]{{4}}-[0-9]{{6}}\?done=reported")
        )
        await expect(page.get_by_role("status")).to_have_text("报告已登记，案件已建立。")
        await expect(stage).to_have_text("发现报告（待受理）")
        await expect(page.locator(".report-content")).to_have_text(
            "学生身上多处淤青，自述被继父打骂，放学后不敢回家。"
        )
        await expect(page.get_by_role("heading", name="报告（1）")).to_be_visible()
        case_url = page.url.split("?")[0]

        # 受理, then the on-site visit (调查核实).
        await submitted(page, "受理", "已受理。请尽快上门核查。")
        await expect(stage).to_have_text("已受理（调查核实）")
        await page.get_by_label("处置措施").select_option(label="上门核查")
        await page.get_by_label("情况说明").fill("已上门核实，儿童背部有淤青，暂住祖母家。")
        await submitted(page, "记录措施", "应急处置措施已记录。")
        await submitted(page, "进入应急处置", "已转入“应急处置”环节。")
        await expect(stage).to_have_text("应急处置")

        # 应急处置: police, and temporary guardianship started and ended.
        await page.get_by_label("处置措施").select_option(label="公安介入")
        await page.get_by_label("情况说明").fill("派出所已出警并固定证据。")
        await submitted(page, "记录措施", "应急处置措施已记录。")
        await page.get_by_label("临时监护机构").fill("区未成年人救助保护中心")
        await submitted(page, "启动临时监护", "临时监护已启动。")
        await expect(page.locator("#tg-state")).to_contain_text("临时监护中")
        await page.get_by_label("结束情况（如：返回家庭、委托照护、转长期监护）").fill(
            "委托祖母照护，签订照护协议"
        )
        await submitted(page, "结束临时监护", "临时监护已结束。")
        await expect(page.locator("#tg-state")).to_contain_text("当前未实施临时监护")
        await submitted(page, "进入评估", "已转入“评估”环节。")
        await expect(stage).to_have_text("评估")

        # 评估: the structured assessment with the risk colour and a hardship referral.
        await page.get_by_label("家庭监护状况").fill("继父有暴力行为，母亲长期外出务工。")
        await page.get_by_label("监护能力评估").fill("母亲监护能力不足，祖母可临时照护。")
        await page.get_by_label("风险等级").select_option(label="红色（高风险）")
        await page.get_by_label("评估发现").fill("家庭收入低，需社会救助。")
        await page.get_by_label("家庭经济困难，需转介社会救助").check()
        await submitted(page, "提交评估", "评估已提交。")
        await expect(page.locator("#case-risk")).to_have_text("红色（高风险）")
        await submitted(page, "进入帮扶", "已转入“帮扶”环节。")
        await expect(stage).to_have_text("帮扶（服务清单）")

        # 帮扶: one line of the service plan, then done.
        await page.get_by_label("服务类型").select_option(label="心理疏导")
        await page.get_by_label("服务内容").fill("每周一次心理疏导")
        await page.get_by_label("责任人").fill("王社工")
        await page.get_by_label("责任单位").fill("区未成年人救助保护中心")
        await page.get_by_label("完成时限").fill("2026-12-31")
        await submitted(page, "加入服务清单", "服务项已加入服务清单。")
        await expect(page.locator("#plan")).to_contain_text("每周一次心理疏导")
        await submitted(page, "标记完成", "服务项状态已更新。", exact=False)
        await expect(page.locator("#plan")).to_contain_text("已完成")
        await submitted(page, "进入监护干预", "已转入“监护干预”环节。")
        await expect(stage).to_have_text("监护干预")

        # 监护干预 with its legal basis and documents, then feedback and closure.
        await page.get_by_label("干预类型").select_option(label="强制亲职教育")
        await page.get_by_label("法律依据", exact=True).fill("《家庭教育促进法》第四十九条")
        await page.get_by_label("文书").fill("家庭教育指导令")
        await page.get_by_label("干预说明").fill("责令继父接受家庭教育指导。")
        await submitted(page, "记录监护干预", "监护干预已记录。")
        await page.get_by_label("向报告人的反馈").fill(FEEDBACK)
        await submitted(page, "反馈并结案", "已反馈并结案。")

        await expect(stage).to_have_text("已结案（已反馈）")
        await expect(page.locator("#case-feedback")).to_have_text(FEEDBACK)
        await expect(page.get_by_role("heading", name="向报告人的反馈")).to_be_visible()
        await expect(page.locator("ol.stepper li.step-done")).to_have_count(7)
        history = page.locator("#history")
        for action in ("受理", "应急处置措施", "启动临时监护", "提交评估", "新增服务项", "记录监护干预"):
            await expect(history).to_contain_text(action)
        await expect(page.get_by_role("button", name="重新办理")).to_be_visible()
        await expect(page.locator(".report-source")).to_have_text("强制报告")
        assert page.url.startswith(case_url)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

        # The closed case is in the queue's 已结案 filter.
        await page.goto(f"{served_cp}/cases?stage=closed")
        await expect(page.get_by_role("table")).to_contain_text("已结案")
    finally:
        await context.close()
    assert (await asyncio.to_thread(SCREENSHOT.stat)).st_size > 10_000
