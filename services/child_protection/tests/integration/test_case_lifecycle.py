"""A report carried along the whole chain through the API, on the real database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infra import Database

pytestmark = pytest.mark.integration

REPORT = {
    "region_code": "500154",
    "urgency": "urgent",
    "reporter_type": "school",
    "reporter_name": "陈老师",
    "content": "学生身上多处淤青，自述被继父打骂。",
    "child": {"name": "小红", "gender": "female", "age": 9},
}


async def act(
    http: httpx.AsyncClient, headers: dict[str, str], case: str, action: str, /, **body: Any
) -> httpx.Response:
    """POST /api/v1/cases/{case}/{action} with the action's body (`case` is the id or the reference)."""
    return await http.post(f"/api/v1/cases/{case}/{action}", json=body, headers=headers)


async def test_report_to_closure_with_every_step(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    created = await cp_http.post("/api/v1/reports", json=REPORT, headers=worker)
    assert created.status_code == 201, created.text
    case_id = created.json()["case_id"]
    assert created.json()["case_ref"].startswith("CP-500154-")

    steps: list[tuple[str, dict[str, Any]]] = [
        ("accept", {}),
        ("emergency-responses", {"action": "on_site_visit", "note": "上门核实，儿童暂住祖母家"}),
        ("advance", {"target": "emergency_response"}),
        ("emergency-responses", {"action": "police", "note": "派出所已介入"}),
        ("advance", {"target": "assessment"}),
        (
            "assessments",
            {
                "situation": "继父有暴力行为",
                "capacity": "母亲监护能力不足",
                "risk_colour": "red",
                "findings": "家庭收入低",
                "hardship": True,
            },
        ),
        ("advance", {"target": "support"}),
        (
            "plan-items",
            {
                "kind": "counselling",
                "description": "每周心理疏导",
                "owner": "王社工",
                "agency": "区未成年人救助保护中心",
                "due_date": "2026-12-31",
            },
        ),
        ("advance", {"target": "intervention"}),
        (
            "interventions",
            {
                "kind": "parenting_education",
                "legal_basis": "《家庭教育促进法》第四十九条",
                "documents": "家庭教育指导令",
                "note": "责令接受家庭教育指导",
            },
        ),
        ("close", {"feedback": "已核实并处置，儿童安全，继父接受家庭教育指导。"}),
    ]
    for action, params in steps:
        response = await act(cp_http, worker, case_id, action, **params)
        assert response.status_code == 200, (action, response.text)
    assert response.json()["stage"] == "closed"

    detail = (await cp_http.get(f"/api/v1/cases/{case_id}", headers=worker)).json()
    assert detail["feedback"] == "已核实并处置，儿童安全，继父接受家庭教育指导。"
    assert detail["risk_colour"] == "red"
    types = await cp_db.fetchcol("SELECT type FROM outbox_message ORDER BY id")
    for expected in (
        "reported",
        "accepted",
        "emergency_responded",
        "stage_changed",
        "assessed",
        "risk_changed",
        "referral_requested",
        "service_plan_updated",
        "intervention_recorded",
        "closed",
    ):
        assert f"child_protection.case.{expected}" in types, expected
    assert await cp_db.fetchval("SELECT count(*) FROM access_log WHERE record_id = $1", case_id) == 1


async def test_skipping_needs_reason_and_supervisor_approval(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker, supervisor = login("caseworker"), login("supervisor", name="赵审核")
    case_id = (
        await cp_http.post("/api/v1/reports", json={**REPORT, "urgency": "normal"}, headers=worker)
    ).json()["case_id"]
    for action, params in [
        ("accept", {}),
        ("emergency-responses", {"action": "on_site_visit"}),
        ("advance", {"target": "emergency_response"}),
        ("advance", {"target": "assessment"}),
        (
            "assessments",
            {"situation": "监护正常", "capacity": "有能力", "risk_colour": "green", "findings": ""},
        ),
    ]:
        assert (await act(cp_http, worker, case_id, action, **params)).status_code == 200, action

    jump = await act(cp_http, worker, case_id, "advance", target="intervention")
    assert jump.status_code == 409 and "审批" in jump.json()["detail"]
    assert (
        await act(cp_http, worker, case_id, "skip-request", target="closed", reason="")
    ).status_code == 422
    assert (
        await act(cp_http, worker, case_id, "skip-request", target="closed", reason="低风险，评估后无需干预")
    ).status_code == 200
    assert (
        await act(cp_http, worker, case_id, "skip-request/approve", feedback="经核实无风险")
    ).status_code == 403
    approved = await act(
        cp_http, supervisor, case_id, "skip-request/approve", feedback="经核实，儿童监护正常，已结案。"
    )
    assert approved.status_code == 200 and approved.json()["stage"] == "closed"


async def test_duplicate_report_about_the_same_child_links_to_the_open_case(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    from stdnum.cn import ric

    base = "50015420150312002"
    id_number = base + ric.calc_check_digit(base + "0")
    body = {**REPORT, "child": {**REPORT["child"], "id_number": id_number}}
    first = (await cp_http.post("/api/v1/reports", json=body, headers=login("caseworker"))).json()
    second = (
        await cp_http.post(
            "/api/v1/reports", json={**body, "reporter_type": "hospital"}, headers=login("caseworker")
        )
    ).json()
    assert first["linked"] is False and second["linked"] is True
    assert second["case_id"] == first["case_id"]


async def test_other_county_and_other_programs_cannot_see_the_case(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    case_id = (await cp_http.post("/api/v1/reports", json=REPORT, headers=login("caseworker"))).json()[
        "case_id"
    ]
    assert (
        await cp_http.get(f"/api/v1/cases/{case_id}", headers=login("caseworker", "500152"))
    ).status_code == 404
    # Another program's caseworker is refused for who they are (403), whatever the case.
    other_program = login("caseworker", programs=["assistance"])
    assert (await cp_http.get(f"/api/v1/cases/{case_id}", headers=other_program)).status_code == 403
    assert (await act(cp_http, login("caseworker", "500152"), case_id, "accept")).status_code == 404
    auditor = login("auditor", programs=[])
    assert (await cp_http.get(f"/api/v1/cases/{case_id}", headers=auditor)).status_code == 200
    assert (await act(cp_http, auditor, case_id, "accept")).status_code == 403
