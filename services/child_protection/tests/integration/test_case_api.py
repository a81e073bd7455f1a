"""The case API on the real database: a case named by its reference, typed actions (one request schema
each in /openapi.json), problems for refusals, the referral's agency on the event."""

from __future__ import annotations

import json
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
ACTION_PATHS = [
    "/api/v1/cases/{case}/accept",
    "/api/v1/cases/{case}/decline",
    "/api/v1/cases/{case}/refer",
    "/api/v1/cases/{case}/advance",
    "/api/v1/cases/{case}/skip-request",
    "/api/v1/cases/{case}/skip-request/approve",
    "/api/v1/cases/{case}/skip-request/reject",
    "/api/v1/cases/{case}/emergency-responses",
    "/api/v1/cases/{case}/temporary-guardianship",
    "/api/v1/cases/{case}/temporary-guardianship/end",
    "/api/v1/cases/{case}/assessments",
    "/api/v1/cases/{case}/plan-items",
    "/api/v1/cases/{case}/plan-items/{item_id}/status",
    "/api/v1/cases/{case}/interventions",
    "/api/v1/cases/{case}/close",
    "/api/v1/cases/{case}/follow-ups",
    "/api/v1/cases/{case}/reopen",
]


async def reported(http: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = await http.post("/api/v1/reports", json={**REPORT, **overrides}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_case_is_addressed_by_its_reference_as_by_its_id(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    worker = login("caseworker")
    created = await reported(cp_http, worker)
    ref = created["case_ref"]
    assert ref.startswith("CP-500154-")
    by_ref = await cp_http.get(f"/api/v1/cases/{ref}", headers=worker)
    by_id = await cp_http.get(f"/api/v1/cases/{created['case_id']}", headers=worker)
    assert by_ref.status_code == by_id.status_code == 200
    assert by_ref.json()["id"] == by_id.json()["id"] == created["case_id"]
    accepted = await cp_http.post(f"/api/v1/cases/{ref}/accept", json={}, headers=worker)
    assert accepted.status_code == 200 and accepted.json()["stage"] == "accepted"
    case = (await cp_http.get(f"/api/v1/cases/{ref}", headers=worker)).json()
    assert (case["owner"], case["owner_name"]) == ("test:caseworker:500154", "李社工")
    assert [h["actor"] for h in case["history"]] == ["李社工", "李社工"]


@pytest.mark.parametrize("key", ["CP-500154-2026-999999", "CP-oops", "00000000-0000-0000-0000-000000000000"])
async def test_an_unknown_case_is_a_404_problem(cp_http: httpx.AsyncClient, login: Any, key: str) -> None:
    for response in (
        await cp_http.get(f"/api/v1/cases/{key}", headers=login("caseworker")),
        await cp_http.post(f"/api/v1/cases/{key}/accept", json={}, headers=login("caseworker")),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["detail"] == "案件不存在，或不在您的管辖范围内"


async def test_a_case_of_another_county_is_missing_by_reference_too(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    ref = (await reported(cp_http, login("caseworker")))["case_ref"]
    other = login("caseworker", "500152")
    assert (await cp_http.get(f"/api/v1/cases/{ref}", headers=other)).status_code == 404
    assert (await cp_http.post(f"/api/v1/cases/{ref}/accept", json={}, headers=other)).status_code == 404


async def test_every_action_route_documents_its_request_body(cp_http: httpx.AsyncClient) -> None:
    spec = (await cp_http.get("/openapi.json")).json()
    documented = sorted(
        p for p, ops in spec["paths"].items() if p.startswith("/api/v1/cases/{case}/") and "post" in ops
    )
    assert documented == sorted([*ACTION_PATHS, "/api/v1/cases/{case}/reveal-id"])
    schemas = spec["components"]["schemas"]
    for path in ACTION_PATHS:
        operation = spec["paths"][path]["post"]
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        name = ref.rsplit("/", 1)[-1]
        assert name.endswith("In") and schemas[name]["type"] == "object", path
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "/CaseChangeOut"
        )
    assert schemas["ReferIn"]["required"] == ["referred_to", "reason"]
    assert set(schemas["EmergencyIn"]["properties"]) == {"action", "note"}


async def test_a_referral_needs_the_agency_and_puts_it_on_the_event(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    ref = (await reported(cp_http, worker))["case_ref"]
    missing = await cp_http.post(
        f"/api/v1/cases/{ref}/refer", json={"reason": "属教育部门职责"}, headers=worker
    )
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["body.referred_to"]
    referred = await cp_http.post(
        f"/api/v1/cases/{ref}/refer",
        json={"referred_to": "开州区教育委员会", "reason": "属教育部门职责"},
        headers=worker,
    )
    assert referred.status_code == 200 and referred.json()["stage"] == "referred"
    payload = await cp_db.fetchval(
        "SELECT payload::text FROM outbox_message WHERE type = 'child_protection.case.declined'"
    )
    assert json.loads(str(payload))["referred_to"] == "开州区教育委员会"


async def test_refusals_are_problems_with_the_kits_status(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    ref = (await reported(cp_http, worker))["case_ref"]
    unknown_field = await cp_http.post(f"/api/v1/cases/{ref}/accept", json={"note": "x"}, headers=worker)
    assert unknown_field.status_code == 422
    early = await cp_http.post(f"/api/v1/cases/{ref}/close", json={"feedback": "结案"}, headers=worker)
    assert early.status_code == 409 and early.headers["content-type"].startswith("application/problem+json")
    await cp_http.post(f"/api/v1/cases/{ref}/accept", json={}, headers=worker)
    no_visit = await cp_http.post(
        f"/api/v1/cases/{ref}/advance", json={"target": "emergency_response"}, headers=worker
    )
    assert no_visit.status_code == 422 and "上门核查" in no_visit.json()["detail"]
    auditor = await cp_http.post(
        f"/api/v1/cases/{ref}/accept", json={}, headers=login("auditor", programs=[])
    )
    assert auditor.status_code == 403


async def test_the_queue_and_the_access_log_answer_with_their_models(
    cp_http: httpx.AsyncClient, login: Any
) -> None:
    worker = login("caseworker")
    ref = (await reported(cp_http, worker))["case_ref"]
    await cp_http.get(f"/api/v1/cases/{ref}", headers=worker)
    queue = (await cp_http.get("/api/v1/cases", headers=worker)).json()
    assert queue["total"] == 1 and queue["items"][0]["case_ref"] == ref
    assert queue["items"][0]["child"] == {
        "name": "小红",
        "gender": "female",
        "age": 9,
        "has_id_number": False,
    }
    assert (await cp_http.get("/api/v1/cases", params={"mine": True}, headers=worker)).json()["total"] == 0
    log = (await cp_http.get("/api/v1/access-log", headers=login("auditor", programs=[]))).json()
    assert [(e["action"], e["record_type"], e["actor_name"]) for e in log["items"]] == [
        ("view", "case", "李社工")
    ]
