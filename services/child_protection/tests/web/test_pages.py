"""The child-protection pages over HTTP: login, roles and region scope, the access log, forms, escaping."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from child_protection.entrypoints.api.app import create_app
from child_protection.settings import ChildProtectionSettings
from infra import Database
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration

ORIGIN = {"Origin": "http://cp.test"}
ID_BASE = "50015420160705004"
CHILD_ID = ID_BASE + ric.calc_check_digit(ID_BASE + "0")  # the function ignores the last character

REPORT_FORM = {
    "reporter_type": "school",
    "reporter_name": "陈老师",
    "reporter_contact": "13800138000",
    "urgency": "urgent",
    "region_code": "500154",
    "child_name": "小红",
    "child_gender": "female",
    "child_age": "9",
    "child_id_number": "",
    "content": "学生身上多处淤青，自述被继父打骂。",
}


async def report(http: httpx.AsyncClient, headers: dict[str, str], **fields: str) -> tuple[str, str]:
    """Post the report form; returns the case reference the redirect names and its `done` marker."""
    response = await http.post("/cases/new", data={**REPORT_FORM, **fields}, headers={**headers, **ORIGIN})
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/cases/(CP-500154-[0-9]{4}-[0-9]{6})\?done=(\w+)", response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1), match.group(2)


async def act(
    http: httpx.AsyncClient, headers: dict[str, str], case: str, action: str, /, **fields: str
) -> httpx.Response:
    """Post one form of the case page to /cases/{case}/{action} (`fields` may include one named `action`)."""
    return await http.post(f"/cases/{case}/{action}", data=fields, headers={**headers, **ORIGIN})


async def stage_of(db: Database, case_ref: str) -> object:
    return await db.fetchval('SELECT stage FROM "case" WHERE case_ref = $1', case_ref)


async def id_of(db: Database, case_ref: str) -> str:
    return str(await db.fetchval('SELECT id::text FROM "case" WHERE case_ref = $1', case_ref))


async def test_home_and_pages_without_a_session_go_to_the_login_page(cp_http: httpx.AsyncClient) -> None:
    home = await cp_http.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/cases"

    queue = await cp_http.get("/cases?stage=reported")
    assert queue.status_code == 303
    assert queue.headers["location"] == "/dev/login?next=%2Fcases%3Fstage%3Dreported"
    for path in ("/cases/new", "/audit/access-log", "/cases/00000000-0000-0000-0000-000000000000"):
        response = await cp_http.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/dev/login?next=%2F"), path

    # A form posted after the session expired comes back to the page that showed it.
    case_path = "/cases/00000000-0000-0000-0000-000000000000"
    posted = await cp_http.post(f"{case_path}/accept", data={}, headers=ORIGIN)
    assert posted.status_code == 303
    assert posted.headers["location"] == "/dev/login?next=%2Fcases%2F00000000-0000-0000-0000-000000000000"


async def test_without_dev_login_a_page_is_the_401_problem(cp_db: Database, stack: Stack) -> None:
    settings = ChildProtectionSettings(
        database_url=cp_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap, dev_login_enabled=False
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cp.test") as client:
            response = await client.get("/cases")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_other_programs_get_a_chinese_403_page(cp_http: httpx.AsyncClient, login: Any) -> None:
    case_ref, _ = await report(cp_http, login("caseworker"))
    assistance = login("caseworker", programs=["assistance"])
    for path in ("/cases", "/cases/new", f"/cases/{case_ref}"):
        response = await cp_http.get(path, headers=assistance)
        assert response.status_code == 403, path
        assert response.headers["content-type"].startswith("text/html")
        assert "无权访问" in response.text and "未成年人保护工作人员" in response.text
    assert (await act(cp_http, assistance, case_ref, "accept")).status_code == 403
    # The access log is for auditors and admins only.
    assert (await cp_http.get("/audit/access-log", headers=login("caseworker"))).status_code == 403


async def test_a_case_of_another_county_is_a_404_page(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    case_ref, _ = await report(cp_http, login("caseworker"))
    other = login("caseworker", "500152")
    page = await cp_http.get(f"/cases/{case_ref}", headers=other)
    assert page.status_code == 404
    assert "案件不存在，或不在您的管辖范围内" in page.text
    assert (await act(cp_http, other, case_ref, "accept")).status_code == 404
    assert await stage_of(cp_db, case_ref) == "reported"
    queue = await cp_http.get("/cases", headers=other)
    assert queue.status_code == 200 and case_ref not in queue.text
    # Reporting into another county is refused on the form.
    refused = await cp_http.post(
        "/cases/new", data={**REPORT_FORM, "region_code": "500154"}, headers={**other, **ORIGIN}
    )
    assert refused.status_code == 403 and "不在您的管辖范围内" in refused.text
    assert (await cp_http.get("/cases/not-a-uuid", headers=other)).status_code == 404


async def test_auditor_reads_without_any_form_and_cannot_post(cp_http: httpx.AsyncClient, login: Any) -> None:
    case_ref, _ = await report(cp_http, login("caseworker"))
    auditor = login("auditor", programs=[], name="审计员甲")
    page = await cp_http.get(f"/cases/{case_ref}", headers=auditor)
    assert page.status_code == 200
    assert "学生身上多处淤青" in page.text
    assert re.findall(r'<form[^>]*method="post"[^>]*>', page.text) == [
        '<form method="post" action="/dev/logout">'
    ]
    assert "登记报告</a>" not in page.text and 'href="/audit/access-log"' in page.text
    refused = await act(cp_http, auditor, case_ref, "accept")
    assert refused.status_code == 403 and "您只能查看该案件，不能办理" in refused.text
    assert (await cp_http.get("/cases/new", headers=auditor)).status_code == 403
    queue = await cp_http.get("/cases", headers=auditor)
    assert queue.status_code == 200 and case_ref in queue.text and "我的案件" not in queue.text


async def test_every_view_of_a_case_page_is_in_the_access_log(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker", name="李社工", sub="test:li")
    case_ref, _ = await report(cp_http, worker)
    case_id = await id_of(cp_db, case_ref)
    for page in (case_ref, case_id, case_ref):  # by reference or by id: the same case
        assert (await cp_http.get(f"/cases/{page}", headers=worker)).status_code == 200
    rows = await cp_db.fetchcol(
        "SELECT action || '/' || record_type || '/' || actor_sub FROM access_log WHERE record_id = $1",
        case_id,
    )
    assert rows == ["view/case/test:li"] * 3
    assert await cp_db.fetchval("SELECT count(*) FROM access_log WHERE trace_id IS NULL") == 0

    auditor = login("auditor", programs=[], name="审计员甲")
    log_page = await cp_http.get(f"/audit/access-log?record_id={case_id}", headers=auditor)
    assert log_page.status_code == 200
    assert log_page.text.count(f'<a href="/cases/{case_id}">') == 3
    assert "李社工" in log_page.text and "test:li" in log_page.text and "经办人" in log_page.text
    assert "查看" in log_page.text
    # Out of the auditor's region, nothing.
    elsewhere = await cp_http.get("/audit/access-log", headers=login("auditor", "500152", programs=[]))
    assert case_id not in elsewhere.text


async def test_report_form_opens_a_case_and_a_second_report_links_to_it(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    form = await cp_http.get("/cases/new", headers=worker)
    assert form.status_code == 200
    assert 'id="r-region" name="region_code" required inputmode="numeric" maxlength="12" value="500154"' in (
        form.text
    )
    for field in ("r-type", "r-name", "r-contact", "r-urgency", "r-content", "c-name", "c-gender", "c-age"):
        assert f'<label for="{field}">' in form.text, field

    first, done = await report(cp_http, worker, child_id_number=CHILD_ID)
    assert done == "reported"
    page = await cp_http.get(f"/cases/{first}?done=reported", headers=worker)
    assert "报告已登记，案件已建立。" in page.text
    assert "发现报告（待受理）" in page.text
    assert CHILD_ID not in page.text and "500*" in page.text
    assert "138****8000" in page.text and "13800138000" not in page.text

    second, done = await report(cp_http, worker, reporter_type="hospital", child_id_number=CHILD_ID)
    assert (second, done) == (first, "linked")
    linked = await cp_http.get(f"/cases/{second}?done=linked", headers=worker)
    assert "已关联到现有案件" in linked.text and "报告（2）" in linked.text and "医院" in linked.text
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1

    invalid = await cp_http.post(
        "/cases/new",
        data={**REPORT_FORM, "reporter_type": "", "child_age": "19", "content": ""},
        headers={**worker, **ORIGIN},
    )
    assert invalid.status_code == 422
    for message in ("请选择报告人类型", "儿童年龄（周岁）：不能大于 17", "请填写报告内容"):
        assert message in invalid.text
    assert 'value="陈老师"' in invalid.text
    bad_id = await cp_http.post(
        "/cases/new", data={**REPORT_FORM, "child_id_number": "123"}, headers={**worker, **ORIGIN}
    )
    assert bad_id.status_code == 422 and "身份证号格式或校验位不正确" in bad_id.text


async def test_forms_move_the_case_and_domain_errors_are_shown_in_chinese(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    case_ref, _ = await report(cp_http, worker)
    accepted = await act(cp_http, worker, case_ref, "accept")
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/cases/{case_ref}?done=accept"
    assert await stage_of(cp_db, case_ref) == "accepted"
    page = await cp_http.get(accepted.headers["location"], headers=worker)
    assert "已受理。请尽快上门核查。" in page.text and "已受理（调查核实）" in page.text
    assert 'aria-current="step"' in page.text

    too_early = await act(cp_http, worker, case_ref, "advance", target="emergency_response")
    assert too_early.status_code == 422
    assert "受理后须先上门核查（记录一次“上门核查”）再进入下一环节" in too_early.text
    jump = await act(cp_http, worker, case_ref, "advance", target="assessment")
    assert jump.status_code == 409 and "跳过环节需要填写理由并经审核人审批" in jump.text
    missing = await act(
        cp_http, worker, case_ref, "temporary-guardianship", institution="", legal_basis="法条〈甲〉"
    )
    assert missing.status_code == 422 and "请填写承担临时监护的机构" in missing.text
    assert 'value="法条〈甲〉"' in missing.text  # the typed value is kept
    no_measure = await act(cp_http, worker, case_ref, "emergency-responses")
    assert no_measure.status_code == 422 and "请选择处置措施" in no_measure.text
    assert (await act(cp_http, worker, case_ref, "advance", target="nowhere")).status_code == 422
    assert (await act(cp_http, worker, case_ref, "no_such_action")).status_code == 404

    visit = await act(cp_http, worker, case_ref, "emergency-responses", action="on_site_visit", note="已上门")
    assert visit.status_code == 303
    moved = await act(cp_http, worker, case_ref, "advance", target="emergency_response")
    assert moved.status_code == 303
    page = await cp_http.get(moved.headers["location"], headers=worker)
    assert "已转入“应急处置”环节。" in page.text and "上门核查" in page.text
    assert await stage_of(cp_db, case_ref) == "emergency_response"

    mine = await cp_http.get("/cases?scope=mine", headers=worker)
    assert case_ref in mine.text and "应急处置" in mine.text
    assert case_ref not in (await cp_http.get("/cases?scope=mine", headers=login("caseworker", sub="x"))).text
    by_stage = await cp_http.get("/cases?stage=reported", headers=worker)
    assert case_ref not in by_stage.text

    no_origin = await cp_http.post(f"/cases/{case_ref}/accept", data={}, headers=worker)
    assert no_origin.status_code == 403 and "请求来源无效" in no_origin.text


async def test_skip_needs_a_supervisor_through_the_pages(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker, supervisor = login("caseworker"), login("supervisor", name="赵审核")
    case_ref, _ = await report(cp_http, worker, urgency="normal")
    for action, fields in [
        ("accept", {}),
        ("emergency-responses", {"action": "on_site_visit"}),
        ("advance", {"target": "emergency_response"}),
        ("advance", {"target": "assessment"}),
        ("assessments", {"situation": "监护正常", "capacity": "有能力", "risk_colour": "green"}),
    ]:
        assert (await act(cp_http, worker, case_ref, action, **fields)).status_code == 303, action
    asked = await act(cp_http, worker, case_ref, "skip-request", target="closed", reason="低风险，无需干预")
    assert asked.status_code == 303
    waiting = await cp_http.get(f"/cases/{case_ref}", headers=worker)
    assert "等待审核人审批" in waiting.text and "/skip-request/approve" not in waiting.text
    refused = await act(cp_http, worker, case_ref, "skip-request/approve", feedback="x")
    assert refused.status_code == 403 and "跳过环节须由审核人审批" in refused.text

    review = await cp_http.get(f"/cases/{case_ref}", headers=supervisor)
    assert "/skip-request/approve" in review.text and 'id="approve-feedback"' in review.text
    no_feedback = await act(cp_http, supervisor, case_ref, "skip-request/approve")
    assert no_feedback.status_code == 422 and "结案须填写向报告人的反馈内容" in no_feedback.text
    approved = await act(
        cp_http, supervisor, case_ref, "skip-request/approve", feedback="经核实儿童监护正常。"
    )
    assert approved.status_code == 303 and await stage_of(cp_db, case_ref) == "closed"
    closed = await cp_http.get(f"/cases/{case_ref}", headers=worker)
    assert "已结案（已反馈）" in closed.text and "经核实儿童监护正常。" in closed.text
    assert closed.text.count("已跳过（经审批）") == 2  # 帮扶 and 监护干预
    assert "绿色（低风险）" in closed.text


async def test_reveal_id_is_for_supervisors_and_logged_with_the_reason(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    case_ref, _ = await report(cp_http, worker, child_id_number=CHILD_ID)
    supervisor = login("supervisor", name="赵审核", sub="test:zhao")

    page = await cp_http.get(f"/cases/{case_ref}", headers=supervisor)
    assert CHILD_ID not in page.text and "查看完整身份证号" in page.text
    assert "查看完整身份证号" not in (await cp_http.get(f"/cases/{case_ref}", headers=worker)).text

    no_reason = await cp_http.post(
        f"/cases/{case_ref}/reveal-id", data={"reason": ""}, headers={**supervisor, **ORIGIN}
    )
    assert no_reason.status_code == 422 and CHILD_ID not in no_reason.text

    revealed = await cp_http.post(
        f"/cases/{case_ref}/reveal-id",
        data={"reason": "核实身份以办理临时监护"},
        headers={**supervisor, **ORIGIN},
    )
    assert revealed.status_code == 200
    assert f'<strong id="revealed-id">{CHILD_ID}</strong>' in revealed.text
    assert revealed.text.count(CHILD_ID) == 1
    logged = await cp_db.fetchval(
        "SELECT reason FROM access_log WHERE record_id = $1 AND action = 'reveal_id' AND actor_sub = $2",
        await id_of(cp_db, case_ref),
        "test:zhao",
    )
    assert logged == "核实身份以办理临时监护"

    refused = await cp_http.post(
        f"/cases/{case_ref}/reveal-id", data={"reason": "好奇"}, headers={**worker, **ORIGIN}
    )
    assert refused.status_code == 403 and CHILD_ID not in refused.text
    assert (
        await cp_db.fetchval(
            "SELECT count(*) FROM access_log WHERE action = 'reveal_id' AND record_id = $1",
            await id_of(cp_db, case_ref),
        )
        == 1
    )
    auditor_log = await cp_http.get("/audit/access-log", headers=login("auditor", programs=[]))
    assert "查看身份证号" in auditor_log.text and "核实身份以办理临时监护" in auditor_log.text


async def test_numbers_in_free_text_are_masked_until_a_supervisor_reveals_the_case(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    worker = login("caseworker")
    content = f"邻居反映孩子独自在家，母亲电话13912345678，孩子身份证IDno{CHILD_ID}"
    case_ref, _ = await report(cp_http, worker, child_id_number=CHILD_ID, content=content)
    page = await cp_http.get(f"/cases/{case_ref}", headers=worker)
    assert "13912345678" not in page.text and CHILD_ID not in page.text
    assert "母亲电话139****5678" in page.text and f"IDno{CHILD_ID[:3]}***" in page.text

    supervisor = login("supervisor", name="赵审核", sub="test:zhao")
    revealed = await cp_http.post(
        f"/cases/{case_ref}/reveal-id", data={"reason": "联系监护人"}, headers={**supervisor, **ORIGIN}
    )
    assert revealed.status_code == 200 and "母亲电话13912345678" in revealed.text
    assert "13912345678" not in (await cp_http.get(f"/cases/{case_ref}", headers=supervisor)).text


async def test_report_content_and_names_are_escaped(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    case_ref, _ = await report(
        cp_http,
        worker,
        content='<script>alert("x")</script> & <b>粗</b>',
        child_name="<img src=x onerror=alert(1)>",
        reporter_name='"><i>',
    )
    page = await cp_http.get(f"/cases/{case_ref}", headers=worker)
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<b>粗</b>" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;粗&lt;/b&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in page.headers["content-security-policy"]
    queue = await cp_http.get("/cases", headers=worker)
    assert "<img src=x" not in queue.text and "&lt;***" in queue.text


async def test_queue_puts_overdue_steps_first_and_marks_them(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    calm, _ = await report(cp_http, worker, urgency="critical", child_name="甲")
    late, _ = await report(cp_http, worker, urgency="normal", child_name="乙")
    await cp_db.execute(
        "UPDATE \"case\" SET step_due_at = now() - interval '2 hours', order_no = 'GD-CP-0042' "
        "WHERE case_ref = $1",
        late,
    )
    queue = await cp_http.get("/cases", headers=worker)
    assert queue.status_code == 200
    ids = re.findall(r'<a href="/cases/(CP-[0-9-]+)">', queue.text)
    assert ids == [late, calm]
    assert queue.text.count('<tr class="overdue">') == 1 and "超期" in queue.text
    assert "GD-CP-0042" in queue.text and "特急" in queue.text and "待受理" in queue.text
    page = await cp_http.get(f"/cases/{late}", headers=worker)
    assert '<span class="badge danger">超期</span>' in page.text and "GD-CP-0042" in page.text
    assert (
        '<span class="badge danger">超期</span>'
        not in (await cp_http.get(f"/cases/{calm}", headers=worker)).text
    )
