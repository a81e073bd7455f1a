"""The register's pages (plain HTML forms): the register, a new file, the child's file, visits due."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from child_protection.domain.deadlines import CHINA
from infra import Database

pytestmark = pytest.mark.integration

ORIGIN = {"Origin": "http://cp.test"}
BASE = "50015420170909358"  # synthetic: county 500154, born 2017-09-09, female
ID_NUMBER = BASE + ric.calc_check_digit(BASE + "0")
MASKED = ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]


def today() -> date:
    return datetime.now(UTC).astimezone(CHINA).date()


class _Labels(HTMLParser):
    """Collects the form controls and the `for` targets of the labels of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, str]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.controls.append((str(a.get("name")), str(a.get("id") or "")))


def unlabelled(html: str) -> list[tuple[str, str]]:
    parser = _Labels()
    parser.feed(html)
    return [(name, cid) for name, cid in parser.controls if not cid or cid not in parser.label_for]


def new_child_form(**overrides: str | list[str]) -> dict[str, Any]:
    form: dict[str, Any] = {
        "name": "王小宝",
        "gender": "unknown",
        "birth_date": "",
        "id_number": ID_NUMBER,
        "region_code": "500154102001",
        "address": "某村一组",
        "categories": ["left_behind"],
        "risk_colour": "blue",
        "risk_reason": "父母外出务工，祖母年迈",
        "g1_name": "王大力",
        "g1_relation": "父亲",
        "g1_phone": "13800000003",
        "checks": ["g1_away"],
        "c_name": "",
    }
    form.update(overrides)
    return form


async def create(http: httpx.AsyncClient, headers: dict[str, str], **overrides: str | list[str]) -> str:
    response = await http.post(
        "/children/new", data=new_child_form(**overrides), headers={**headers, **ORIGIN}
    )
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/children/([0-9a-f-]{36})\?done=registered", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


async def test_without_a_session_the_browser_goes_to_login(cp_http: httpx.AsyncClient) -> None:
    response = await cp_http.get("/children")
    assert response.status_code == 303 and response.headers["location"] == "/dev/login?next=%2Fchildren"
    posted = await cp_http.post("/children/new", data={}, headers=ORIGIN)
    assert posted.status_code == 303 and posted.headers["location"].endswith("next=%2Fchildren%2Fnew")


async def test_register_a_child_through_the_form_and_view_the_file(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    form = await cp_http.get("/children/new", headers=worker)
    assert form.status_code == 200 and "登记儿童（建档）" in form.text
    assert unlabelled(form.text) == []
    assert form.headers["content-security-policy"].startswith("default-src 'none'")

    child_id = await create(cp_http, worker)
    page = await cp_http.get(f"/children/{child_id}?done=registered", headers=worker)
    assert page.status_code == 200
    html = page.text
    assert "儿童档案已建立" in html and "王小宝" in html
    assert MASKED in html and ID_NUMBER not in html
    assert "留守儿童未签订书面照护协议" in html and "留守儿童未确定被委托照护人" in html
    for heading in (
        "基本信息",
        "风险等级（四色分级）",
        "监护人",
        "被委托照护人与书面照护协议",
        "走访",
        "关联案件",
        "变更记录",
    ):
        assert f"<h2>{heading}</h2>" in html, heading
    assert (today() + timedelta(days=7)).isoformat() in html  # weekly contact for a left-behind child
    assert unlabelled(html) == []
    assert "查看完整号码" not in html  # only supervisors may reveal
    views = await cp_db.fetchcol("SELECT action FROM access_log WHERE record_id = $1", child_id)
    assert views == ["view"]

    listing = await cp_http.get("/children", headers=worker)
    assert listing.status_code == 200 and f'href="/children/{child_id}"' in listing.text
    assert 'class="risk risk-blue"' in listing.text and unlabelled(listing.text) == []


async def test_form_errors_are_shown_in_chinese(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    missing = await cp_http.post(
        "/children/new", data=new_child_form(risk_colour="", categories=[]), headers={**worker, **ORIGIN}
    )
    assert missing.status_code == 422 and "请选择风险等级" in missing.text
    assert 'value="王小宝"' in missing.text  # what was typed is kept
    no_category = await cp_http.post(
        "/children/new", data=new_child_form(categories=[]), headers={**worker, **ORIGIN}
    )
    assert no_category.status_code == 422 and "请至少选择一个儿童类别" in no_category.text
    await create(cp_http, worker)
    twice = await cp_http.post("/children/new", data=new_child_form(), headers={**worker, **ORIGIN})
    assert twice.status_code == 409 and "一人一档" in twice.text
    outside = await cp_http.post(
        "/children/new",
        data=new_child_form(region_code="500155100001", id_number=""),
        headers={**worker, **ORIGIN},
    )
    assert outside.status_code == 403 and "不在您的管辖范围内" in outside.text


async def test_posts_from_elsewhere_are_refused(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    response = await cp_http.post("/children/new", data=new_child_form(), headers=worker)
    assert response.status_code == 403 and "请求来源无效" in response.text
    forged = await cp_http.post(
        "/children/new", data=new_child_form(), headers={**worker, "Origin": "http://evil.example"}
    )
    assert forged.status_code == 403


async def test_every_section_form_of_the_file(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    child_id = await create(cp_http, worker)
    url = f"/children/{child_id}"
    headers = {**worker, **ORIGIN}

    async def post(form: str, data: dict[str, Any]) -> httpx.Response:
        return await cp_http.post(f"{url}/{form}", data=data, headers=headers)

    caregiver = await post("caregiver", {"name": "王奶奶", "relation": "祖母", "phone": "13900000004"})
    assert caregiver.status_code == 303 and caregiver.headers["location"] == f"{url}?done=caregiver#care"
    bad_agreement = await post("agreement", {"signed": "yes", "signed_date": "", "document_ref": ""})
    assert bad_agreement.status_code == 422 and "请填写照护协议的签订日期" in bad_agreement.text
    agreement = await post(
        "agreement", {"signed": "yes", "signed_date": today().isoformat(), "document_ref": "两单两书-2026-07"}
    )
    assert agreement.status_code == 303
    guardians = await post(
        "guardians",
        {
            "row_count": "3",
            "g-0-name": "王大力",
            "g-0-relation": "父亲",
            "g-0-away": "1",
            "g-1-name": "陈美",
            "g-1-relation": "母亲",
            "g-1-away": "1",
            "primary": "1",
            "g-2-name": "",
        },
    )
    assert guardians.status_code == 303, guardians.text
    details = await post(
        "details",
        {
            "name": "王小宝",
            "gender": "female",
            "birth_date": "2017-09-09",
            "region_code": "500154102001",
            "address": "某村二组",
            "responsible": "村儿童主任 周",
            "categories": ["left_behind", "in_difficulty"],
        },
    )
    assert details.status_code == 303, details.text
    schedule = await post(
        "schedule", {"due_date": today().isoformat(), "visit_type": "phone", "note": "电话"}
    )
    assert schedule.status_code == 303

    page = (await cp_http.get(url, headers=worker)).text
    assert "王奶奶" in page and "两单两书-2026-07" in page and "陈美" in page and "某村二组" in page
    assert "留守儿童未签订书面照护协议" not in page
    file = await cp_db.fetchval("SELECT guardians->1->>'is_primary' FROM child WHERE id = $1::uuid", child_id)
    assert file == "true"

    # A visit that finds a risk opens a report; the notice links to the case.
    visit_id = await cp_db.fetchval(
        "SELECT id::text FROM child_visit WHERE child_id = $1::uuid AND status = 'scheduled' "
        "ORDER BY due_date LIMIT 1",
        child_id,
    )
    recorded = await post(
        "record",
        {
            "visit_id": visit_id,
            "visited_on": today().isoformat(),
            "visit_type": "",
            "notes": "祖母住院，儿童独自在家",
            "risk_raised": "1",
            "risk_colour": "yellow",
            "risk_reason": "",
        },
    )
    assert recorded.status_code == 303
    location = recorded.headers["location"]
    assert "done=record" in location and "case=" in location and "linked=0" in location
    shown = (await cp_http.get(location.split("#")[0], headers=worker)).text
    assert "已生成报告并建立案件" in shown
    assert await cp_db.fetchval("SELECT risk_colour FROM child WHERE id = $1::uuid", child_id) == "yellow"
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1
    source = await cp_db.fetchval("SELECT reports->0->>'source' FROM \"case\"")
    assert source == "monitoring"
    # Then a rise to red while the case is open is linked to it.
    risk = await post("risk", {"colour": "red", "reason": "儿童称被邻居威胁"})
    assert risk.status_code == 303 and "linked=1" in risk.headers["location"]
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1

    same = await post("risk", {"colour": "red", "reason": "再次确认"})
    assert same.status_code == 409 and "无需调整" in same.text
    unknown = await post("nothing", {})
    assert unknown.status_code == 404


async def test_auditors_read_only_and_other_counties_see_nothing(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    child_id = await create(cp_http, login("caseworker"))
    auditor = login("auditor", programs=[])
    page = await cp_http.get(f"/children/{child_id}", headers=auditor)
    assert page.status_code == 200 and "您只能查看本档案（只读）" in page.text
    assert f'action="/children/{child_id}/risk"' not in page.text
    refused = await cp_http.post(
        f"/children/{child_id}/risk", data={"colour": "red", "reason": "x"}, headers={**auditor, **ORIGIN}
    )
    assert refused.status_code == 403
    assert (await cp_http.get("/children/new", headers=auditor)).status_code == 403

    other = login("caseworker", "500155")
    assert (await cp_http.get(f"/children/{child_id}", headers=other)).status_code == 404
    posted = await cp_http.post(
        f"/children/{child_id}/risk", data={"colour": "red", "reason": "x"}, headers={**other, **ORIGIN}
    )
    assert posted.status_code == 404
    assert child_id not in (await cp_http.get("/children", headers=other)).text
    assert (await cp_http.get("/children/not-a-uuid", headers=other)).status_code == 404
    stranger = login("caseworker", programs=["assistance"])
    assert (await cp_http.get("/children", headers=stranger)).status_code == 403
    views = await cp_db.fetchcol("SELECT actor_sub FROM access_log WHERE record_id = $1", child_id)
    assert views == ["test:auditor:500154"]


async def test_a_supervisor_reveals_the_id_number_with_a_reason(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    child_id = await create(cp_http, login("caseworker"))
    supervisor = login("supervisor", name="赵审核")
    page = (await cp_http.get(f"/children/{child_id}", headers=supervisor)).text
    assert "查看完整号码" in page and MASKED in page
    url = f"/children/{child_id}/reveal-id"
    no_reason = await cp_http.post(url, data={"reason": ""}, headers={**supervisor, **ORIGIN})
    assert no_reason.status_code == 422 and "请填写查看完整身份证号的理由" in no_reason.text
    revealed = await cp_http.post(url, data={"reason": "核对监护关系"}, headers={**supervisor, **ORIGIN})
    assert revealed.status_code == 200 and ID_NUMBER in revealed.text
    refused = await cp_http.post(url, data={"reason": "好奇"}, headers={**login("caseworker"), **ORIGIN})
    assert refused.status_code == 403 and ID_NUMBER not in refused.text
    rows = await cp_db.fetchcol(
        "SELECT action || ':' || coalesce(reason, '') FROM access_log WHERE record_id = $1 ORDER BY id",
        child_id,
    )
    assert rows == ["view:", "view:", "reveal_id:核对监护关系"]


async def test_the_register_and_the_visits_page_put_overdue_first(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    calm = await create(
        cp_http,
        worker,
        name="按时娃",
        id_number="",
        birth_date="2016-06-06",
        categories=["disabled"],
        risk_colour="green",
    )
    late = await create(
        cp_http,
        worker,
        name="逾期娃",
        id_number="",
        birth_date="2016-06-06",
        categories=["orphan"],
        risk_colour="green",
    )
    soon = await create(
        cp_http,
        worker,
        name="待访娃",
        id_number="",
        birth_date="2016-06-06",
        categories=["orphan"],
        risk_colour="red",
    )
    await cp_db.execute(
        "UPDATE child_visit SET due_date = $1 WHERE child_id = $2::uuid", today() - timedelta(days=2), late
    )
    listing = (await cp_http.get("/children", headers=worker)).text
    order = [listing.index(f'href="/children/{i}"') for i in (late, soon, calm)]
    assert order == sorted(order)
    assert "已逾期" in listing and "待走访" in listing
    filtered = (await cp_http.get("/children?visits=overdue", headers=worker)).text
    assert late in filtered and soon not in filtered and calm not in filtered
    bad = await cp_http.get("/children?colour=pink", headers=worker)
    assert bad.status_code == 400 and "风险等级无效" in bad.text

    visits = await cp_http.get("/children/visits", headers=worker)
    assert visits.status_code == 200 and unlabelled(visits.text) == []
    text = visits.text
    assert text.index(f"/children/{late}#visits") < text.index(f"/children/{soon}#visits")
    assert f"/children/{calm}#visits" not in text  # due in 90 days, outside the window
    wide = (await cp_http.get("/children/visits?days=90", headers=worker)).text
    assert f"/children/{calm}#visits" in wide
