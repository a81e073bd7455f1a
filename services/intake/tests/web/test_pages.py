"""The intake desk pages over HTTP: login, roles, region scope, triage, the routing table, escaping."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from hotline_client import HotlineClient, work_order
from infra import Database
from intake.entrypoints.api.app import create_app
from intake.entrypoints.consumer import SUBSCRIPTION
from intake.service_layer.routing_table import seed_rules
from intake.settings import IntakeSettings
from records import record_of
from shared.contracts import child_protection as cp
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1
from shared.kit.worker import consumer_loop
from shared.messaging.outbox import make_event
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration

ORIGIN = {"Origin": "http://intake.test"}
LIST = "/desk/work-orders"
# Synthetic ID numbers: a 17-digit base and the check digit stdnum computes for it.
_ADULT_DIGIT = ric.calc_check_digit("11010119900307123" + "0")
# Deliberately a wrong check digit: the list must show the id_number_invalid flag.
ADULT_BAD_ID = "11010119900307123" + ("1" if _ADULT_DIGIT != "1" else "2")
CHILD_ID = "11010120150307123" + ric.calc_check_digit("11010120150307123" + "0")


def _rows(html: str) -> list[str]:
    """The work-order numbers of a list page's table, in order."""
    return re.findall(r'<a href="/desk/work-orders/[0-9a-f-]{36}">([^<]+)</a>', html)


async def _post(hotline: HotlineClient, order_no: str, **overrides: Any) -> dict[str, Any]:
    response = await hotline.post_work_order(work_order(order_no, **overrides))
    assert response.status_code == 202, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


async def test_home_and_unauthenticated_pages_redirect_to_login(intake_http: httpx.AsyncClient) -> None:
    home = await intake_http.get("/")
    assert home.status_code == 303 and home.headers["location"] == LIST

    page = await intake_http.get(f"{LIST}?status=triage")
    assert page.status_code == 303
    assert page.headers["location"] == "/dev/login?next=%2Fdesk%2Fwork-orders%3Fstatus%3Dtriage"

    for path in ("/desk/triage", "/desk/routing", "/desk/work-orders/00000000-0000-0000-0000-000000000000"):
        response = await intake_http.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/dev/login?next=%2Fdesk%2F")

    # A form posted after the session expired comes back to the page that showed it.
    form = await intake_http.post(
        "/desk/work-orders/00000000-0000-0000-0000-000000000000/route", data={}, headers=ORIGIN
    )
    assert form.status_code == 303
    assert form.headers["location"] == (
        "/dev/login?next=%2Fdesk%2Fwork-orders%2F00000000-0000-0000-0000-000000000000"
    )


async def test_without_dev_login_an_unauthenticated_page_is_the_401_problem(
    intake_db: Database, stack: Stack
) -> None:
    settings = IntakeSettings(
        database_url=intake_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap, dev_login_enabled=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as client:
            response = await client.get(LIST)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"] == "请先登录"


async def test_wrong_role_gets_a_chinese_403_page(intake_http: httpx.AsyncClient, login: Any) -> None:
    for path in (LIST, "/desk/triage", "/desk/routing"):
        response = await intake_http.get(path, headers=login("caseworker", "500154"))
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
        assert "无权访问" in response.text and "受理员、审核人和管理员" in response.text

    for role in ("intake_agent", "supervisor", "admin"):
        response = await intake_http.get(LIST, headers=login(role, "500154"))
        assert response.status_code == 200, role


async def test_list_is_limited_to_the_region_scope_and_detail_outside_it_is_404(
    intake_http: httpx.AsyncClient, hotline: HotlineClient, login: Any
) -> None:
    mine = await _post(hotline, "GD-SCOPE-152", region_code="500152")
    theirs = await _post(hotline, "GD-SCOPE-154", region_code="500154")
    agent = login("intake_agent", "500152")

    page = await intake_http.get(LIST, headers=agent)
    assert page.status_code == 200
    assert _rows(page.text) == ["GD-SCOPE-152"]
    assert "张受理 · 重庆市潼南区" in page.text

    # A filter cannot widen the scope.
    widened = await intake_http.get(f"{LIST}?region=500154", headers=agent)
    assert _rows(widened.text) == []

    assert (await intake_http.get(f"{LIST}/{mine['intake_id']}", headers=agent)).status_code == 200
    hidden = await intake_http.get(f"{LIST}/{theirs['intake_id']}", headers=agent)
    assert hidden.status_code == 404
    assert "未找到该工单" in hidden.text and "GD-SCOPE-154" not in hidden.text
    assert (await intake_http.get(f"{LIST}/not-a-uuid", headers=agent)).status_code == 404

    city = login("supervisor", "500100")
    assert sorted(_rows((await intake_http.get(LIST, headers=city)).text)) == ["GD-SCOPE-152", "GD-SCOPE-154"]
    assert _rows((await intake_http.get(f"{LIST}?region=500154", headers=city)).text) == ["GD-SCOPE-154"]


async def test_list_filters_overdue_first_flags_and_pagination(
    intake_http: httpx.AsyncClient, hotline: HotlineClient, login: Any
) -> None:
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    await _post(hotline, "GD-LIST-1", urgency="normal", received_at="2026-11-20T10:00:00+08:00")
    await _post(
        hotline,
        "GD-LIST-2",
        urgency="normal",
        deadline_at=past,
        received_at="2026-11-21T10:00:00+08:00",
        category_code="MZ-SA-01",
    )
    await _post(
        hotline,
        "GD-LIST-3",
        urgency="critical",
        category_code="XX-UNKNOWN",
        region_code="500100",
        received_at="2026-11-22T23:30:00+08:00",
        subjects=[{"name": "李四", "id_number": ADULT_BAD_ID}],
    )
    agent = login("intake_agent", "500100")

    page = await intake_http.get(LIST, headers=agent)
    assert page.status_code == 200
    assert _rows(page.text) == ["GD-LIST-2", "GD-LIST-3", "GD-LIST-1"]  # overdue, then critical
    for text in (
        "超期",
        "未知分类",
        "需指定区县",
        "身份证号校验未通过",
        "涉及未成年人",
        "待分拨",
        "已派发",
        "特急",
    ):
        assert text in page.text, text

    async def rows(query: str) -> list[str]:
        response = await intake_http.get(f"{LIST}?{query}", headers=agent)
        assert response.status_code == 200, response.text
        return _rows(response.text)

    assert await rows("status=triage") == ["GD-LIST-3"]
    assert await rows("category=MZ-SA-01") == ["GD-LIST-2"]
    assert await rows("urgency=critical") == ["GD-LIST-3"]
    assert await rows("from=2026-11-21&to=2026-11-21") == ["GD-LIST-2"]
    assert await rows("from=2026-11-22") == ["GD-LIST-3"]  # 23:30 in China is still the 22nd
    assert await rows("region=500154") == ["GD-LIST-2", "GD-LIST-1"]

    bad = await intake_http.get(f"{LIST}?from=yesterday&status=nope", headers=agent)
    assert bad.status_code == 400
    assert "接收日期（起）格式应为" in bad.text and "状态无效" in bad.text

    for i in range(20):
        await _post(hotline, f"GD-PAGE-{i:02d}")
    first = await intake_http.get(LIST, headers=agent)
    assert len(_rows(first.text)) == 20 and "第 1 / 2 页" in first.text
    assert 'href="?page=2"' in first.text
    second = await intake_http.get(f"{LIST}?page=2", headers=agent)
    assert len(_rows(second.text)) == 3 and "上一页" in second.text


async def test_triage_routing_from_the_desk(
    intake_http: httpx.AsyncClient, hotline: HotlineClient, login: Any
) -> None:
    receipt = await _post(
        hotline,
        "GD-TRIAGE-1",
        category_code="XX-UNKNOWN",
        caller={"name": "王女士", "phone": "13800138000"},
        subjects=[{"name": "小明", "id_number": CHILD_ID, "age": 11}],
    )
    assert receipt["routed_to"] == "triage"
    detail_url = f"{LIST}/{receipt['intake_id']}"
    route_url = f"{detail_url}/route"
    agent = login("intake_agent", "500154", name="李受理", sub="agent-li")

    queue = await intake_http.get("/desk/triage", headers=agent)
    assert _rows(queue.text) == ["GD-TRIAGE-1"]

    page = await intake_http.get(detail_url, headers=agent)
    assert page.status_code == 200
    assert 'action="' + route_url + '"' in page.text
    assert 'id="route-county" name="county" value="500154"' in page.text
    assert "王**" in page.text and "138****8000" in page.text and "13800138000" not in page.text
    assert "110*" in page.text and CHILD_ID not in page.text
    assert '<label for="route-target">承办业务</label>' in page.text

    form = {"target": "child_protection", "county": "500154"}
    no_origin = await intake_http.post(route_url, data=form, headers=agent)
    assert no_origin.status_code == 403 and "请求来源无效" in no_origin.text
    cross_site = await intake_http.post(route_url, data=form, headers={**agent, "Origin": "http://evil.test"})
    assert cross_site.status_code == 403

    bad_target = await intake_http.post(
        route_url, data={**form, "target": "triage"}, headers={**agent, **ORIGIN}
    )
    assert bad_target.status_code == 400 and "请选择承办业务" in bad_target.text
    city_code = await intake_http.post(
        route_url, data={**form, "county": "500100"}, headers={**agent, **ORIGIN}
    )
    assert city_code.status_code == 400 and "6 位区县级行政区划代码" in city_code.text
    outside = await intake_http.post(
        route_url, data={**form, "county": "500152"}, headers={**agent, **ORIGIN}
    )
    assert outside.status_code == 403 and "不在您的管辖范围内" in outside.text
    assert 'value="500152"' in outside.text  # the form keeps what was typed

    other = login("intake_agent", "500152")
    assert (await intake_http.post(route_url, data=form, headers={**other, **ORIGIN})).status_code == 404

    # Full-width digits typed with a Chinese input method are accepted as the same code.
    routed = await intake_http.post(
        route_url, data={**form, "county": "５００１５４"}, headers={**agent, **ORIGIN}
    )
    assert routed.status_code == 303
    assert routed.headers["location"] == f"{detail_url}?done=routed"
    after = await intake_http.get(routed.headers["location"], headers=agent)
    assert (
        "工单已派发" in after.text and '<span class="badge status" id="wo-status">已派发</span>' in after.text
    )
    assert "李受理" in after.text and "未成年人保护" in after.text

    again = await intake_http.post(route_url, data=form, headers={**agent, **ORIGIN})
    assert again.status_code == 409 and "不能派发" in again.text

    got = (await hotline.get_work_order("GD-TRIAGE-1")).json()
    assert got["status"] == "routed" and got["routed_to"] == "child_protection"
    assert got["responsible_region"] == "500154"
    last = got["history"][-1]
    assert last["action"] == "routed" and last["actor"] == "李受理"


async def test_non_admin_sees_the_routing_table_read_only_and_cannot_post(
    intake_http: httpx.AsyncClient, intake_db: Database, login: Any
) -> None:
    agent = login("supervisor", "500154")
    page = await intake_http.get("/desk/routing", headers=agent)
    assert page.status_code == 200
    assert "当前规则（第 1 版）" in page.text and "MZ-CP-01" in page.text and "未成年人保护" in page.text
    assert "保存为新版本" not in page.text and "仅管理员可以修改分拨规则" in page.text

    form = {"base_version": "1", "row_count": "1", "rules-0-code": "X", "rules-0-name": "X"}
    response = await intake_http.post(
        "/desk/routing", data={**form, "comment": "试图修改"}, headers={**agent, **ORIGIN}
    )
    assert response.status_code == 403 and "只有管理员可以修改分拨规则" in response.text
    assert await intake_db.fetchval("SELECT count(*) FROM routing_table_version WHERE version > 1") == 0


def _routing_form(rules: list[dict[str, str]], *, base_version: int, comment: str) -> dict[str, str]:
    form = {"base_version": str(base_version), "row_count": str(len(rules)), "comment": comment}
    for i, rule in enumerate(rules):
        form |= {f"rules-{i}-{key}": rule[key] for key in ("code", "name", "target")}
    return form


async def test_admin_edit_creates_a_new_version_that_routes_new_work_orders(
    intake_http: httpx.AsyncClient, hotline: HotlineClient, intake_db: Database, login: Any
) -> None:
    admin = login("admin", "500000", name="管理员甲", sub="admin-1")
    page = await intake_http.get("/desk/routing", headers=admin)
    assert page.status_code == 200 and "保存为新版本" in page.text
    assert '<label class="visually-hidden" for="rules-0-code">' in page.text

    rules = [
        *seed_rules()["rules"],
        {"code": "MZ-NEW-01", "name": "新增：困难群众冬季取暖求助", "target": "assistance"},
    ]
    rules.append({"code": "", "name": "", "target": "triage"})  # an empty row is ignored

    missing_comment = await intake_http.post(
        "/desk/routing", data=_routing_form(rules, base_version=1, comment=""), headers={**admin, **ORIGIN}
    )
    assert missing_comment.status_code == 400 and "请填写修改说明" in missing_comment.text
    duplicate = await intake_http.post(
        "/desk/routing",
        data=_routing_form([*rules, rules[0]], base_version=1, comment="重复"),
        headers={**admin, **ORIGIN},
    )
    assert duplicate.status_code == 400 and "分类编码 MZ-CP-01 重复" in duplicate.text
    assert "MZ-NEW-01" in duplicate.text  # the submitted rows are kept for correction

    saved = await intake_http.post(
        "/desk/routing",
        data=_routing_form(rules, base_version=1, comment="新增取暖求助分类"),
        headers={**admin, **ORIGIN},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/desk/routing?saved=2"
    after = await intake_http.get(saved.headers["location"], headers=admin)
    assert "已保存为第 2 版" in after.text and "当前规则（第 2 版）" in after.text
    assert "管理员甲" in after.text and "新增取暖求助分类" in after.text
    assert await intake_db.fetchval("SELECT count(*) FROM routing_table_version") == 2
    assert await intake_db.fetchval("SELECT changed_by FROM routing_table_version WHERE version = 2") == (
        "管理员甲"
    )

    stale = await intake_http.post(
        "/desk/routing",
        data=_routing_form(rules, base_version=1, comment="过期的表单"),
        headers={**admin, **ORIGIN},
    )
    assert stale.status_code == 409 and "已被他人更新为第 2 版" in stale.text

    receipt = await _post(hotline, "GD-NEW-CODE", category_code="MZ-NEW-01", subjects=[])
    assert receipt["routed_to"] == "assistance"
    got = (await hotline.get_work_order("GD-NEW-CODE")).json()
    assert got["status"] == "routed" and got["routed_to"] == "assistance"


async def test_content_is_html_escaped(
    intake_http: httpx.AsyncClient, hotline: HotlineClient, login: Any
) -> None:
    receipt = await _post(
        hotline,
        "GD-XSS-1",
        content='<script>alert("x")</script> 求助',
        address="<img src=x onerror=alert(1)>",
        subjects=[{"name": "<b>粗体</b>", "age": 30}],
    )
    page = await intake_http.get(f"{LIST}/{receipt['intake_id']}", headers=login("intake_agent", "500154"))
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text and "<b>粗体" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; 求助" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store"


async def test_county_desk_sees_a_city_level_work_order_once_it_is_routed_to_that_county(
    intake_http: httpx.AsyncClient, hotline: HotlineClient, login: Any
) -> None:
    receipt = await _post(hotline, "GD-CITY-1", region_code="500100")
    assert receipt["routed_to"] == "triage"
    city, county = login("intake_agent", "500100"), login("intake_agent", "500154")
    assert "GD-CITY-1" not in _rows((await intake_http.get(LIST, headers=county)).text)

    routed = await intake_http.post(
        f"{LIST}/{receipt['intake_id']}/route",
        data={"target": "child_protection", "county": "500154"},
        headers={**city, **ORIGIN},
    )
    assert routed.status_code == 303, routed.text
    assert "GD-CITY-1" in _rows((await intake_http.get(LIST, headers=county)).text)
    detail = await intake_http.get(f"{LIST}/{receipt['intake_id']}", headers=county)
    assert detail.status_code == 200 and "GD-CITY-1" in detail.text
    other = await intake_http.get(f"{LIST}/{receipt['intake_id']}", headers=login("intake_agent", "500152"))
    assert other.status_code == 404


async def test_the_desk_names_regions_and_shows_a_referral_and_a_reopening_in_the_seeds_terms(
    intake_db: Database, stack: Stack, login: Any
) -> None:
    app = create_app(
        IntakeSettings(database_url=intake_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            hotline = HotlineClient(http)
            referred = await _post(hotline, "GD-WORDS-1")
            reopened = await _post(hotline, "GD-WORDS-2")
            consumer = consumer_loop(app.state.runtime, SUBSCRIPTION)

            async def case_event(contract: Any, receipt: dict[str, Any], **extra: Any) -> None:
                data = contract(
                    case_id=uuid.uuid4(),
                    case_ref="CP-500154-2026-000001",
                    region_code="500154",
                    occurred_at=datetime.now(UTC),
                    work_order_id=uuid.UUID(receipt["intake_id"]),
                    **extra,
                )
                event = make_event(data, source="/services/child_protection", subject="c")
                assert await consumer.process(record_of(event, CHILD_PROTECTION_CASE_V1)) == "handled"

            await case_event(
                cp.CaseDeclined, referred, reason="属教育部门职责。", referred_to="开州区教育委员会"
            )
            await case_event(cp.CaseAccepted, reopened)
            await case_event(cp.CaseClosed, reopened, feedback="已办结。")
            satisfaction = await hotline.post_event(
                "GD-WORDS-2", {"event_id": "EV-WORDS-1", "type": "satisfaction", "score": 1}
            )
            assert satisfaction.status_code == 202, satisfaction.text
            desk = login("intake_agent", "500154")
            first = (await http.get(f"{LIST}/{referred['intake_id']}", headers=desk)).text
            second = (await http.get(f"{LIST}/{reopened['intake_id']}", headers=desk)).text
    assert "重庆市开州区（500154）" in first
    assert "已办结回复" in first and "转介" in first and "开州区教育委员会" in first
    assert "已转介至开州区教育委员会办理。属教育部门职责。" in first
    assert "承办业务退回" not in first
    assert "重新办理" in second and "回访不满意（1分）" in second
    assert "重启" not in second and "重办" not in second


async def test_free_text_is_masked_on_the_page_unless_a_supervisor_reveals_it_with_a_reason(
    intake_http: httpx.AsyncClient, hotline: HotlineClient, login: Any, intake_db: Database
) -> None:
    content = f"孩子母亲电话13912345678，孩子身份证{CHILD_ID}，tel13800138000"
    receipt = await _post(
        hotline,
        "GD-MASK-1",
        content=content,
        subjects=[{"name": "王小明", "id_number": CHILD_ID, "age": 11, "description": f"IDno{CHILD_ID}"}],
    )
    url = f"{LIST}/{receipt['intake_id']}"
    agent = login("intake_agent", "500154")
    page = await intake_http.get(url, headers=agent)
    assert page.status_code == 200
    for raw in (CHILD_ID, "13912345678", "13800138000", "王小明"):
        assert raw not in page.text, raw
    assert "139****5678" in page.text and "tel138****8000" in page.text and "IDno110" in page.text
    assert "王**" in page.text
    assert 'action="' + url + '/reveal"' not in page.text  # an agent has no reveal form

    refused = await intake_http.post(f"{url}/reveal", data={"reason": "核实"}, headers={**agent, **ORIGIN})
    assert refused.status_code == 403 and CHILD_ID not in refused.text

    supervisor = login("supervisor", "500154", name="赵审核", sub="sup-zhao")
    offered = await intake_http.get(url, headers=supervisor)
    assert 'action="' + url + '/reveal"' in offered.text and CHILD_ID not in offered.text
    no_reason = await intake_http.post(f"{url}/reveal", data={"reason": ""}, headers={**supervisor, **ORIGIN})
    assert (
        no_reason.status_code == 422 and "请填写查看理由" in no_reason.text and CHILD_ID not in no_reason.text
    )
    cross_site = await intake_http.post(
        f"{url}/reveal", data={"reason": "核实"}, headers={**supervisor, "Origin": "http://evil.test"}
    )
    assert cross_site.status_code == 403
    other_county = login("supervisor", "500152")
    outside = await intake_http.post(
        f"{url}/reveal", data={"reason": "核实"}, headers={**other_county, **ORIGIN}
    )
    assert outside.status_code == 404

    reason = "回拨来电人核实，号码13700001111"
    revealed = await intake_http.post(
        f"{url}/reveal", data={"reason": reason}, headers={**supervisor, **ORIGIN}
    )
    assert revealed.status_code == 200
    assert "13912345678" in revealed.text and CHILD_ID in revealed.text and "王小明" in revealed.text
    assert 'id="revealed-notice"' in revealed.text
    # The next ordinary view is masked again.
    assert CHILD_ID not in (await intake_http.get(url, headers=supervisor)).text

    rows = await intake_db.fetchcol(
        "SELECT action || '|' || actor_sub || '|' || record_id || '|' || reason FROM access_log ORDER BY seq"
    )
    assert rows == [f"reveal_text|sup-zhao|{receipt['intake_id']}|回拨来电人核实，号码137****1111"]
