"""The timeline pages over HTTP: login redirect, the 身份证号 lookup by POST, scope and sensitivity."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from stdnum.cn import ric

from infra import Database
from shared.identity import personkey

pytestmark = pytest.mark.integration

ORIGIN = {"Origin": "http://timeline.test"}
ID_BASE = "50015420160705004"
CHILD_ID = ID_BASE + ric.calc_check_digit(ID_BASE + "0")  # the function ignores the last character


async def test_without_a_session_pages_go_to_the_login_page(tl_http: httpx.AsyncClient) -> None:
    home = await tl_http.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/timeline"
    search = await tl_http.get("/timeline")
    assert search.status_code == 303 and search.headers["location"] == "/dev/login?next=%2Ftimeline"
    order = await tl_http.get("/timeline/work-orders/GD-1?service=intake")
    assert order.status_code == 303
    assert order.headers["location"] == "/dev/login?next=%2Ftimeline%2Fwork-orders%2FGD-1%3Fservice%3Dintake"
    posted = await tl_http.post("/timeline/persons/lookup", data={"id_number": CHILD_ID}, headers=ORIGIN)
    assert posted.status_code == 303 and posted.headers["location"] == "/dev/login?next=%2Ftimeline"
    assert CHILD_ID not in posted.headers["location"]


async def test_search_page_has_three_labelled_forms(tl_http: httpx.AsyncClient, login: Any) -> None:
    page = await tl_http.get("/timeline", headers=login("caseworker"))
    assert page.status_code == 200
    html = page.text
    assert page.headers["cache-control"] == "no-store"
    assert '<form class="inline" method="post" action="/timeline/persons/lookup"' in html
    for field in ("case-service", "case-id", "order-no", "id-number", "person-ref"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    search = await tl_http.get(
        "/timeline/work-orders", params={"order_no": "GD-42"}, headers=login("caseworker")
    )
    assert search.status_code == 303 and search.headers["location"] == "/timeline/work-orders/GD-42"
    case = await tl_http.get(
        "/timeline/cases", params={"service": "intake", "case_id": "abc"}, headers=login("caseworker")
    )
    assert case.status_code == 303 and case.headers["location"] == "/timeline/cases/intake/abc"


async def test_the_id_number_is_posted_and_never_in_a_url(
    tl_http: httpx.AsyncClient, tl_app: FastAPI, login: Any
) -> None:
    headers = login("caseworker")
    secret = tl_app.state.runtime.settings.personkey_secret.get_secret_value()
    response = await tl_http.post(
        "/timeline/persons/lookup", data={"id_number": CHILD_ID}, headers={**headers, **ORIGIN}
    )
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == f"/timeline/persons/{personkey(CHILD_ID, secret)}"
    assert CHILD_ID not in location and ID_BASE not in location

    person = await tl_http.get(location, headers=headers)
    assert person.status_code == 200 and "已合并的人员记录（1）" in person.text
    assert CHILD_ID not in person.text

    # An invalid number: the form comes back with a message, without the number typed.
    bad = ID_BASE + ("0" if ric.calc_check_digit(ID_BASE + "0") != "0" else "1")
    invalid = await tl_http.post(
        "/timeline/persons/lookup", data={"id_number": bad}, headers={**headers, **ORIGIN}
    )
    assert invalid.status_code == 422 and "身份证号无效" in invalid.text and bad not in invalid.text

    # A POST from another site is refused; a GET with the number is no lookup.
    forged = await tl_http.post(
        "/timeline/persons/lookup",
        data={"id_number": CHILD_ID},
        headers={**headers, "Origin": "http://evil.test"},
    )
    assert forged.status_code == 403 and "请求来源无效" in forged.text
    assert (await tl_http.get("/timeline/persons/lookup", headers=headers)).status_code == 200


async def test_scope_sensitivity_traces_and_paging_follow_the_api(
    tl_http: httpx.AsyncClient, tl_db: Database, story: Any, project: Any, login: Any
) -> None:
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    child = story().full(trace=trace)
    adult = story(minor=False).intake_only()
    await project(tl_db, [*child.events, *adult.events])
    child_page = f"/timeline/work-orders/{child.order_no}"

    cp = await tl_http.get(child_page, headers=login("caseworker"))
    assert cp.status_code == 200
    assert cp.text.count('class="entry ') == 10 and cp.text.count(">敏感</span>") == 10
    assert f"收到12345工单 {child.order_no}" in cp.text
    assert "追踪编号" not in cp.text and trace not in cp.text
    assert f'href="http://127.0.0.1:8003/cases/{child.case_id}"' in cp.text
    assert "13800138000" not in cp.text

    # Not child-protection staff: none of the child's entries, the adult's work order without a badge.
    other = login("caseworker", programs=["assistance"])
    hidden = await tl_http.get(child_page, headers=other)
    assert (
        hidden.status_code == 200 and 'class="entry ' not in hidden.text and "没有可显示的记录" in hidden.text
    )
    assert "收到12345工单" not in hidden.text and "敏感</span>" not in hidden.text
    adult_page = await tl_http.get(f"/timeline/work-orders/{adult.order_no}", headers=other)
    assert adult_page.text.count('class="entry ') == 2 and "敏感</span>" not in adult_page.text

    # Another region sees nothing; an auditor sees the trace ids.
    elsewhere = await tl_http.get(child_page, headers=login("caseworker", "510104"))
    assert 'class="entry ' not in elsewhere.text
    audit = await tl_http.get(child_page, headers=login("auditor", programs=[]))
    assert audit.text.count(">敏感</span>") == 10 and f'<code class="trace">{trace}</code>' in audit.text

    # Filters and the cursor, kept in the link to the next page.
    intake_only = await tl_http.get(child_page, params={"service": "intake"}, headers=login("caseworker"))
    assert (
        intake_only.text.count('class="entry svc-intake"') == 4
        and "svc-child_protection" not in intake_only.text
    )
    first = await tl_http.get(child_page, params={"limit": "3"}, headers=login("caseworker"))
    assert first.text.count('class="entry ') == 3 and "后续记录" in first.text
    next_href = first.text.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "limit=3" in next_href and "cursor=" in next_href
    second = await tl_http.get(next_href, headers=login("caseworker"))
    assert second.text.count('class="entry ') == 3 and "回到第一页" in second.text
    bad_cursor = await tl_http.get(child_page, params={"cursor": "!!"}, headers=login("caseworker"))
    assert bad_cursor.status_code == 400 and "分页参数无效" in bad_cursor.text
    bad_date = await tl_http.get(child_page, params={"since": "昨天"}, headers=login("caseworker"))
    assert bad_date.status_code == 400 and "开始日期应为日期" in bad_date.text
