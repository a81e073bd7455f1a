"""The pages' words, in the seeds' terms and the platform's: 强制报告 / 群众报告 by reporter type, 审核人
(not 督导), 重新办理, 已结案, 走访, region names, and people shown by their name."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from child_protection.domain import commands as c
from child_protection.entrypoints.api.app import create_app
from child_protection.settings import ChildProtectionSettings
from infra import Database
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration

ORIGIN = {"Origin": "http://cp.test"}
REPORT_FORM = {
    "reporter_type": "school",
    "reporter_name": "陈老师",
    "urgency": "urgent",
    "region_code": "500154",
    "child_name": "小红",
    "child_gender": "female",
    "child_age": "9",
    "content": "学生身上多处淤青。",
}


async def report(http: httpx.AsyncClient, headers: dict[str, str], **fields: str) -> str:
    response = await http.post("/cases/new", data={**REPORT_FORM, **fields}, headers={**headers, **ORIGIN})
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/cases/(CP-[0-9-]+)\?done=\w+", response.headers["location"])
    assert match
    return match.group(1)


async def post(http: httpx.AsyncClient, headers: dict[str, str], path: str, **fields: str) -> httpx.Response:
    response = await http.post(path, data=fields, headers={**headers, **ORIGIN})
    assert response.status_code == 303, response.text
    return response


def source_cells(html: str) -> list[str]:
    return re.findall(r'<td class="report-source">([^<]*)</td>', html)


@pytest.mark.parametrize(
    ("reporter_type", "source"),
    [("school", "强制报告"), ("child_director", "强制报告"), ("family", "群众报告"), ("public", "群众报告")],
)
async def test_a_report_is_mandatory_only_from_those_bound_to_report(
    cp_http: httpx.AsyncClient, login: Any, reporter_type: str, source: str
) -> None:
    worker = login("caseworker")
    ref = await report(cp_http, worker, reporter_type=reporter_type)
    assert source_cells((await cp_http.get(f"/cases/{ref}", headers=worker)).text) == [source]


async def test_the_report_form_tells_mandatory_from_public_reports(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    form = (await cp_http.get("/cases/new", headers=login("caseworker"))).text
    assert "<h1>登记报告</h1>" in form and "登记报告（强制报告）" not in form
    assert '<optgroup label="强制报告">' in form and '<optgroup label="群众报告">' in form
    public = form.split('<optgroup label="群众报告">')[1].split("</optgroup>")[0]
    assert re.findall(r">([^<]+)</option>", public) == ["家庭成员", "群众", "其他"]


async def test_skips_are_approved_by_the_reviewer_and_a_closed_case_is_handled_again(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    worker = login("caseworker", name="李社工", sub="test:li")
    supervisor = login("supervisor", name="赵审核", sub="test:zhao")
    ref = await report(cp_http, worker)
    await post(cp_http, worker, f"/cases/{ref}/accept")
    page = (await cp_http.get(f"/cases/{ref}", headers=worker)).text
    assert "经审核人批准" in page and "督导" not in page
    await post(cp_http, worker, f"/cases/{ref}/emergency-responses", action="on_site_visit")
    await post(cp_http, worker, f"/cases/{ref}/skip-request", target="closed", reason="经核实无风险")
    waiting = (await cp_http.get(f"/cases/{ref}", headers=worker)).text
    assert "等待审核人审批" in waiting and "督导" not in waiting
    await post(cp_http, supervisor, f"/cases/{ref}/skip-request/approve", feedback="经核实儿童安全。")
    closed = (await cp_http.get(f"/cases/{ref}", headers=worker)).text
    assert '<span class="badge status" id="case-stage">已结案（已反馈）</span>' in closed
    assert "<h3>重新办理</h3>" in closed and "重新开启" not in closed
    reopened = await post(cp_http, worker, f"/cases/{ref}/reopen", reason="再次接到报告")
    again = (await cp_http.get(reopened.headers["location"], headers=worker)).text
    assert "案件已重新办理，回到评估环节。" in again
    history = again.split('id="history"')[1]
    assert "<td>重新办理</td>" in history
    # People are shown by their name, never as "sub（name）".
    assert "<td>李社工</td>" in history and "<td>赵审核</td>" in history
    assert "test:li" not in again and "test:zhao" not in again


async def test_the_queue_shows_closed_cases_as_closed_and_regions_by_name(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    worker = login("caseworker")
    ref = await report(cp_http, worker)
    queue = (await cp_http.get("/cases", headers=worker)).text
    assert "重庆市开州区（500154）" in queue and f'<a href="/cases/{ref}">' in queue
    assert '<option value="closed">已结案</option>' in queue
    page = (await cp_http.get(f"/cases/{ref}", headers=worker)).text
    assert "<dd>重庆市开州区（500154）</dd>" in page
    assert '<span class="user">李社工 · 重庆市开州区（经办人）</span>' in page


async def test_visits_are_walks_to_the_childs_home(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    form = {
        "name": "王小宝",
        "gender": "female",
        "birth_date": "2017-09-09",
        "region_code": "500154102001",
        "categories": "orphan",
        "risk_colour": "blue",
    }
    created = await post(cp_http, worker, "/children/new", **form)
    page = (await cp_http.get(created.headers["location"], headers=worker)).text
    assert "<h2>走访</h2>" in page and "访视" not in page
    assert "家庭走访" in page and '<span class="badge">待走访</span>' in page
    assert "<dd>重庆市开州区 500154102001</dd>" in page
    plan = (await cp_http.get("/children/visits?days=90", headers=worker)).text
    assert "<h1>走访计划</h1>" in plan and "待走访" in plan and "访视" not in plan


async def test_a_low_12345_score_shows_on_the_open_case(cp_db: Database, stack: Stack, login: Any) -> None:
    settings = ChildProtectionSettings(database_url=cp_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cp.test") as http:
            work_order_id = uuid.uuid4()
            bus = app.state.runtime.bus
            opened = await bus.handle(
                c.OpenCaseFromHotline(
                    report_id="ev-1",
                    work_order_id=work_order_id,
                    order_no="GD-CP-0099",
                    received_at=app.state.runtime.clock(),
                    region_code="500154",
                    urgency="normal",
                    content="儿童无人照看",
                )
            )
            await bus.handle(
                c.RecordHotlineSatisfaction(work_order_id=work_order_id, score=1, comment="没人联系")
            )
            page = (await http.get(f"/cases/{opened.case.case_ref}", headers=login("caseworker"))).text
    banner = page.split('id="hotline-dissatisfied">')[1].split("</div>")[0]
    assert banner.startswith("12345 回访不满意（1分）：没人联系（") and banner.endswith("），请核实处理。")
    assert "<td>12345 回访不满意</td>" in page


async def test_a_referral_through_the_page_names_the_agency(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    ref = await report(cp_http, worker)
    missing = await cp_http.post(
        f"/cases/{ref}/refer",
        data={"referred_to": " ", "reason": "属教育部门职责"},
        headers={**worker, **ORIGIN},
    )
    assert missing.status_code == 422 and "请填写转介单位" in missing.text
    assert 'value=" "' not in missing.text and "属教育部门职责" in missing.text  # typed values come back
    referred = await post(
        cp_http, worker, f"/cases/{ref}/refer", referred_to="开州区教育委员会", reason="属教育部门职责"
    )
    page = (await cp_http.get(referred.headers["location"], headers=worker)).text
    assert "已转介。" in page and '<span class="badge danger">已转介</span>' in page
    assert '转介单位：</span><span class="text">开州区教育委员会' in page
