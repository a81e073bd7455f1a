"""The JSON API on a real database: case, work order and person timelines, scoped and filtered."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infra import Database
from shared.auth.tokens import issue_dev_token
from timeline.settings import TimelineSettings

pytestmark = pytest.mark.integration
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
ORDER = [
    "intake.work_order.received",
    "intake.work_order.routed",
    "child_protection.case.reported",
    "child_protection.case.accepted",
    "intake.work_order.accepted",
    "child_protection.case.emergency_responded",
    "child_protection.case.stage_changed",
    "child_protection.case.assessed",
    "child_protection.case.closed",
    "intake.work_order.replied",
]


async def get(http: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = await http.get(f"/api/v1/timeline{path}", headers=headers, params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
async def stories(tl_db: Database, story: Any, project: Any) -> dict[str, Any]:
    child = story().full(trace=TRACE)
    adult = story(minor=False).intake_only()
    other = story(region="510104").full()
    await project(tl_db, [*child.events, *adult.events, *other.events])
    return {"child": child, "adult": adult, "other": other}


async def test_work_order_timeline_spans_services_in_causal_order(
    tl_http: httpx.AsyncClient, stories: dict[str, Any], login: Any
) -> None:
    s = stories["child"]
    body = await get(tl_http, f"/work-orders/{s.order_no}", login("caseworker"))
    assert [e["type"] for e in body["entries"]] == ORDER
    assert body["total"] == 10 and body["next_cursor"] is None and body["truncated"] is False
    first, reported = body["entries"][0], body["entries"][2]
    assert first["summary"] == f"收到12345工单 {s.order_no}（紧急，MZ-CP-02），涉及未成年人 1 名"
    assert first["link"] == f"http://127.0.0.1:8001/desk/work-orders/{s.work_order_id}"
    assert reported["link"] == f"http://127.0.0.1:8003/cases/{s.case_id}"
    assert reported["case_ref"] == f"child_protection/{s.case_id}"
    assert all(e["sensitivity"] == "sensitive" and e["trace_id"] is None for e in body["entries"])
    assert all(e["correlation_id"] == str(s.work_order_id) for e in body["entries"])
    assert "13800138000" not in str(body) and "13900139000" not in str(body)


async def test_other_regions_see_nothing_and_the_city_sees_its_counties(
    tl_http: httpx.AsyncClient, stories: dict[str, Any], login: Any
) -> None:
    s = stories["child"]
    for path in (f"/work-orders/{s.order_no}", f"/cases/child_protection/{s.case_id}"):
        elsewhere = await get(tl_http, path, login("caseworker", "510104"))
        assert elsewhere["entries"] == [] and elsewhere["total"] == 0
    # A person nobody here may see looks missing: not even the keys linked to it are disclosed.
    person = await tl_http.get(
        f"/api/v1/timeline/persons/{s.child_key}", headers=login("caseworker", "510104")
    )
    assert person.status_code == 404 and s.child_key not in person.text
    city = await get(tl_http, f"/work-orders/{s.order_no}", login("supervisor", "500100"))
    assert city["total"] == 10
    theirs = await get(tl_http, f"/work-orders/{stories['other'].order_no}", login("caseworker", "510104"))
    assert theirs["total"] == 10


async def test_sensitive_entries_only_for_child_protection_auditors_and_admins(
    tl_http: httpx.AsyncClient, stories: dict[str, Any], login: Any
) -> None:
    s, adult = stories["child"], stories["adult"]
    # An intake agent sees none of a child's work order, not even the entries that do not name the child.
    agent = await get(tl_http, f"/work-orders/{s.order_no}", login("intake_agent", programs=[]))
    assert agent["entries"] == []
    other_program = login("caseworker", programs=["assistance"])
    hidden = await tl_http.get(f"/api/v1/timeline/persons/{s.child_key}", headers=other_program)
    assert hidden.status_code == 404
    mine = await get(tl_http, f"/work-orders/{adult.order_no}", other_program)
    assert [e["sensitivity"] for e in mine["entries"]] == ["normal", "normal"]
    auditor = await get(tl_http, f"/work-orders/{s.order_no}", login("auditor", "500000", programs=[]))
    assert auditor["total"] == 10
    traced = [e["trace_id"] for e in auditor["entries"] if e["type"].startswith("intake.work_order.r")]
    assert traced == [TRACE, TRACE, None]
    admin = await get(
        tl_http, f"/work-orders/{s.order_no}", login("admin", "86", programs=["child_protection"])
    )
    assert admin["entries"][0]["trace_id"] == TRACE
    # An admin outside the program sees no child's records, as child protection itself answers.
    outside = await get(tl_http, f"/work-orders/{s.order_no}", login("admin", "86", programs=[]))
    assert outside["entries"] == []


async def test_no_role_or_no_program_reads_nothing_and_looks_up_nothing(
    tl_http: httpx.AsyncClient, stories: dict[str, Any], login: Any
) -> None:
    s = stories["child"]
    no_role = issue_dev_token(
        TimelineSettings(),
        sub="test:none",
        name="无角色",
        roles=[],
        region="500154",
        programs=["child_protection"],
    )
    for headers in (login("caseworker", programs=[]), {"Authorization": f"Bearer {no_role}"}):
        r = await tl_http.get(f"/api/v1/timeline/work-orders/{s.order_no}", headers=headers)
        assert r.status_code == 403, r.text
        lookup = await tl_http.post(
            "/api/v1/timeline/persons/lookup", json={"id_number": "110105194912310037"}, headers=headers
        )
        assert lookup.status_code == 403 and "personkey" not in lookup.text


async def test_case_and_person_timelines(
    tl_http: httpx.AsyncClient, stories: dict[str, Any], login: Any
) -> None:
    s = stories["child"]
    headers = login("caseworker")
    case = await get(tl_http, f"/cases/child_protection/{s.case_id}", headers)
    assert [e["type"] for e in case["entries"]] == [t for t in ORDER if t.startswith("child_protection.")]
    intake = await get(tl_http, f"/cases/intake/{s.work_order_id}", headers)
    assert [e["type"] for e in intake["entries"]] == [t for t in ORDER if t.startswith("intake.")]
    person = await get(tl_http, f"/persons/{s.child_key}", headers)
    assert person["personkeys"] == [s.child_key]
    assert [e["type"] for e in person["entries"]] == ORDER


async def test_filters_and_pages(tl_http: httpx.AsyncClient, stories: dict[str, Any], login: Any) -> None:
    s, headers = stories["child"], login("caseworker")
    path = f"/work-orders/{s.order_no}"
    only_intake = await get(tl_http, path, headers, service="intake")
    assert [e["service"] for e in only_intake["entries"]] == ["intake"] * 4
    two = await tl_http.get(
        f"/api/v1/timeline{path}",
        headers=headers,
        params=[("type", "child_protection.case.closed"), ("type", "intake.work_order.replied")],
    )
    assert [e["type"] for e in two.json()["entries"]] == ORDER[-2:]
    window = await get(tl_http, path, headers, since="2026-11-23T01:31:30Z", until="2026-11-23T01:35:00Z")
    assert [e["type"] for e in window["entries"]] == ORDER[5:8]
    seen, cursor, pages = [], None, 0
    while True:
        page = await get(tl_http, path, headers, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [e["type"] for e in page["entries"]]
        pages += 1
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == ORDER and pages == 4
    bad = await tl_http.get(f"/api/v1/timeline{path}", headers=headers, params={"cursor": "nonsense"})
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"
    assert (
        await tl_http.get(f"/api/v1/timeline{path}", params={"limit": 0}, headers=headers)
    ).status_code == 422


async def test_authentication_and_openapi(tl_http: httpx.AsyncClient, stories: dict[str, Any]) -> None:
    r = await tl_http.get(f"/api/v1/timeline/work-orders/{stories['child'].order_no}")
    assert r.status_code == 401
    paths = (await tl_http.get("/openapi.json")).json()["paths"]
    assert {
        "/api/v1/timeline/cases/{case_service}/{case_id}",
        "/api/v1/timeline/work-orders/{order_no}",
        "/api/v1/timeline/persons/{personkey}",
        "/api/v1/timeline/persons/lookup",
        "/api/v1/timeline/persons/links",
    } <= set(paths)
    assert {"post", "delete"} <= set(paths["/api/v1/timeline/persons/links"])


async def test_a_case_is_found_by_its_reference_as_by_its_id(
    tl_http: httpx.AsyncClient, stories: dict[str, Any], login: Any
) -> None:
    s, headers = stories["child"], login("caseworker")
    by_id = await get(tl_http, f"/cases/child_protection/{s.case_id}", headers)
    by_reference = await get(tl_http, f"/cases/child_protection/{s.case_no}", headers)
    assert [e["type"] for e in by_reference["entries"]] == [
        t for t in ORDER if t.startswith("child_protection.")
    ]
    assert [e["event_id"] for e in by_reference["entries"]] == [e["event_id"] for e in by_id["entries"]]
    assert {e["reference"] for e in by_reference["entries"]} == {s.case_no}
    # intake's case is the work order: its 12345 order number finds it.
    by_order = await get(tl_http, f"/cases/intake/{s.order_no}", headers)
    assert [e["type"] for e in by_order["entries"]] == [t for t in ORDER if t.startswith("intake.")]
    assert {e["reference"] for e in by_order["entries"]} == {s.order_no}
    # A reference names a case of its own service only, and only inside the caller's scope.
    assert (await get(tl_http, f"/cases/intake/{s.case_no}", headers))["total"] == 0
    elsewhere = await get(tl_http, f"/cases/child_protection/{s.case_no}", login("caseworker", "510104"))
    assert elsewhere["total"] == 0
