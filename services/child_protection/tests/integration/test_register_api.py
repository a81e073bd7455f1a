"""The register's JSON API on the real database: files, access rules, encryption, events, reports opened."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from child_protection.domain.deadlines import CHINA
from infra import Database

pytestmark = pytest.mark.integration

BASE = "50015420160501123"  # synthetic: county 500154, born 2016-05-01, male
ID_NUMBER = BASE + ric.calc_check_digit(BASE + "0")
VILLAGE = "500154102001"


def today() -> date:
    return datetime.now(UTC).astimezone(CHINA).date()


def child_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "张小明",
        "id_number": ID_NUMBER,
        "region_code": VILLAGE,
        "address": "某村三组 12 号",
        "categories": ["left_behind", "in_difficulty"],
        "risk_colour": "blue",
        "risk_reason": "父母均外出务工",
        "guardians": [
            {
                "name": "张大山",
                "relation": "父亲",
                "phone": "13800000001",
                "is_primary": True,
                "working_away": True,
            },
            {"name": "刘小芳", "relation": "母亲", "working_away": True},
        ],
    }
    body.update(overrides)
    return body


async def register(http: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> str:
    response = await http.post("/api/v1/children", json=child_body(**overrides), headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["child_id"])


async def outbox(db: Database, topic: str = "child_protection.child.v1") -> list[dict[str, Any]]:
    rows = await db.fetchcol(
        "SELECT json_build_object('type', type, 'key', key, 'headers', headers, 'payload', payload)::text "
        "FROM outbox_message WHERE topic = $1 ORDER BY id",
        topic,
    )
    return [json.loads(str(r)) for r in rows]


async def test_register_a_child_and_read_the_file(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    created = await cp_http.post("/api/v1/children", json=child_body(), headers=worker)
    assert created.status_code == 201, created.text
    out = created.json()
    # A left-behind child without caregiver and care agreement is flagged (MP-73); weekly contact (MP-74).
    assert out["flags"] == ["caregiver_missing", "agreement_missing"]
    assert out["next_visit_due"] == (today() + timedelta(days=7)).isoformat()

    detail = await cp_http.get(f"/api/v1/children/{out['child_id']}", headers=worker)
    assert detail.status_code == 200, detail.text
    file = detail.json()
    assert file["birth_date"] == "2016-05-01" and file["gender"] == "male"  # read from the ID number
    assert file["id_number"] == ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    assert file["personkey"].startswith("pk_")
    assert (
        file["risk_history"][0]["colour"] == "blue" and file["risk_history"][0]["reason"] == "父母均外出务工"
    )
    assert [v["status"] for v in file["visits"]] == ["scheduled"]
    assert [h["action"] for h in file["history"]] == ["visit_scheduled", "registered"]

    # The ID number is stored encrypted: nowhere in the table's text, nor in the events.
    raw = str(await cp_db.fetchval("SELECT string_agg(t::text, '') FROM child t"))
    assert (
        ID_NUMBER not in raw and ID_NUMBER[:10] not in raw and "enc:" in raw
    )  # stored encrypted, whichever key version
    events = await outbox(cp_db)
    assert ID_NUMBER not in json.dumps(events, ensure_ascii=False)
    assert "张小明" not in json.dumps(events, ensure_ascii=False)
    assert [e["type"] for e in events] == [
        "child_protection.child.registered",
        "child_protection.child.visit_scheduled",
    ]
    for event in events:
        assert event["key"] == out["child_id"]
        assert event["headers"]["ce_personkey"] == file["personkey"]
        assert event["headers"]["ce_regioncode"] == VILLAGE
    assert events[0]["payload"]["flags"] == ["caregiver_missing", "agreement_missing"]

    # The view is in the access log.
    logged = await cp_db.fetchcol(
        "SELECT action FROM access_log WHERE record_type = 'child' AND record_id = $1", out["child_id"]
    )
    assert logged == ["view"]


async def test_one_file_per_child_and_bad_input_refused(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    await register(cp_http, worker)
    again = await cp_http.post("/api/v1/children", json=child_body(name="张晓明"), headers=worker)
    assert again.status_code == 409 and "一人一档" in again.json()["detail"]
    # Another county keeps its own file of the same child: nothing tells it one exists elsewhere.
    other = login("caseworker", "500155")
    elsewhere = await cp_http.post(
        "/api/v1/children", json=child_body(region_code="500155100001"), headers=other
    )
    assert elsewhere.status_code == 201, elsewhere.text
    assert "500154" not in elsewhere.text and "其他辖区" not in elsewhere.text

    bad_id = BASE[:-1] + "4" + ric.calc_check_digit(BASE + "0")
    refused = await cp_http.post("/api/v1/children", json=child_body(id_number=bad_id), headers=worker)
    assert refused.status_code == 422 and "身份证号" in refused.json()["detail"]
    wrong_birth = await cp_http.post(
        "/api/v1/children", json=child_body(birth_date="2016-05-02"), headers=worker
    )
    assert wrong_birth.status_code == 422 and "出生日期" in wrong_birth.json()["detail"]
    child_id = (await cp_http.get("/api/v1/children", headers=worker)).json()["items"][0]["id"]
    contradicting = await cp_http.post(
        f"/api/v1/children/{child_id}/details", json={"birth_date": "2016-06-01"}, headers=worker
    )
    assert contradicting.status_code == 422 and "身份证号" in contradicting.json()["detail"]
    no_category = await cp_http.post("/api/v1/children", json=child_body(categories=[]), headers=worker)
    assert no_category.status_code == 422
    outside = await cp_http.post(
        "/api/v1/children", json=child_body(id_number=None, region_code="500155100001"), headers=worker
    )
    assert outside.status_code == 403
    auditor = await cp_http.post(
        "/api/v1/children", json=child_body(id_number=None), headers=login("auditor")
    )
    assert auditor.status_code == 403


async def test_without_an_id_number_a_provisional_key(cp_http: httpx.AsyncClient, login: Any) -> None:
    worker = login("caseworker")
    child_id = await register(cp_http, worker, id_number=None, birth_date="2019-02-03", gender="female")
    second = await register(cp_http, worker, id_number=None, birth_date="2019-02-03", gender="female")
    assert child_id != second  # nobody is merged by guesswork
    file = (await cp_http.get(f"/api/v1/children/{child_id}", headers=worker)).json()
    assert file["personkey"].startswith("pp_") and file["id_number"] is None and not file["has_id_number"]
    # An ID number added later gives the file its stable key (a child registered in 户籍 later, MP-75).
    base = "50015420190203002"
    updated = await cp_http.post(
        f"/api/v1/children/{child_id}/details",
        json={"id_number": base + ric.calc_check_digit(base + "0")},
        headers=worker,
    )
    assert updated.status_code == 200, updated.text
    file = (await cp_http.get(f"/api/v1/children/{child_id}", headers=worker)).json()
    assert file["personkey"].startswith("pk_") and file["has_id_number"]


async def test_access_rules_like_cases(cp_http: httpx.AsyncClient, cp_db: Database, login: Any) -> None:
    child_id = await register(cp_http, login("caseworker"))
    other_county = login("caseworker", "500155")
    assert (await cp_http.get(f"/api/v1/children/{child_id}", headers=other_county)).status_code == 404
    change = {"colour": "red", "reason": "复核"}
    assert (
        await cp_http.post(f"/api/v1/children/{child_id}/risk", json=change, headers=other_county)
    ).status_code == 404
    listed = (await cp_http.get("/api/v1/children", headers=other_county)).json()
    assert listed["total"] == 0

    auditor = login("auditor")
    assert (await cp_http.get(f"/api/v1/children/{child_id}", headers=auditor)).status_code == 200
    assert (
        await cp_http.post(f"/api/v1/children/{child_id}/risk", json=change, headers=auditor)
    ).status_code == 403
    no_program = login("caseworker", programs=["assistance"])
    assert (await cp_http.get("/api/v1/children", headers=no_program)).status_code == 403
    # Refused for who they are (no program), not for the record: 403, whatever the id.
    assert (await cp_http.get(f"/api/v1/children/{child_id}", headers=no_program)).status_code == 403
    # A township child supervisor sees the village's children; a neighbouring township does not.
    assert (
        await cp_http.get(f"/api/v1/children/{child_id}", headers=login("caseworker", "500154102"))
    ).status_code == 200
    assert (
        await cp_http.get(f"/api/v1/children/{child_id}", headers=login("caseworker", "500154103"))
    ).status_code == 404
    views = await cp_db.fetchcol(
        "SELECT actor_sub FROM access_log WHERE record_id = $1 ORDER BY id", child_id
    )
    assert views == ["test:auditor:500154", "test:caseworker:500154102"]


async def test_reveal_the_id_number_is_for_supervisors_with_a_reason_and_logged(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    child_id = await register(cp_http, login("caseworker"))
    url = f"/api/v1/children/{child_id}/reveal-id"
    assert (
        await cp_http.post(url, json={"reason": "核对户籍"}, headers=login("caseworker"))
    ).status_code == 403
    supervisor = login("supervisor", name="赵审核")
    assert (await cp_http.post(url, headers=supervisor)).status_code == 422  # no reason
    assert (
        await cp_http.post(url, json={"reason": "核对户籍"}, headers=login("supervisor", "500155"))
    ).status_code == 404
    revealed = await cp_http.post(url, json={"reason": "核对户籍信息"}, headers=supervisor)
    assert revealed.status_code == 200 and revealed.json()["id_number"] == ID_NUMBER
    rows = await cp_db.fetchcol(
        "SELECT action || ':' || coalesce(reason, '') || ':' || actor_sub FROM access_log "
        "WHERE record_id = $1",
        child_id,
    )
    assert rows == ["reveal_id:核对户籍信息:test:supervisor:500154"]


async def test_guardians_caregiver_and_agreement(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    child_id = await register(cp_http, worker)
    url = f"/api/v1/children/{child_id}"
    two_primaries = {
        "guardians": [
            {"name": "张大山", "relation": "父亲", "is_primary": True},
            {"name": "刘小芳", "relation": "母亲", "is_primary": True},
        ]
    }
    refused = await cp_http.post(f"{url}/guardians", json=two_primaries, headers=worker)
    assert refused.status_code == 422 and "主要监护人" in refused.json()["detail"]
    one = {"guardians": [{"name": "张大山", "relation": "父亲", "is_primary": True, "working_away": True}]}
    assert (await cp_http.post(f"{url}/guardians", json=one, headers=worker)).status_code == 200

    early = {"signed": True, "signed_date": today().isoformat(), "document_ref": "两单两书-001"}
    no_caregiver = await cp_http.post(f"{url}/agreement", json=early, headers=worker)
    assert no_caregiver.status_code == 422 and "被委托照护人" in no_caregiver.json()["detail"]
    grandma = {"caregiver": {"name": "张奶奶", "relation": "祖母", "phone": "13900000002"}}
    response = await cp_http.post(f"{url}/caregiver", json=grandma, headers=worker)
    assert response.json()["flags"] == ["agreement_missing"]
    response = await cp_http.post(f"{url}/agreement", json=early, headers=worker)
    assert response.status_code == 200 and response.json()["flags"] == []
    file = (await cp_http.get(url, headers=worker)).json()
    assert file["caregiver"]["name"] == "张奶奶" and file["agreement"]["signed"] is True
    assert file["guardians"] == [
        {"name": "张大山", "relation": "父亲", "phone": "", "is_primary": True, "working_away": True}
    ]
    updates = [e["payload"]["fields"] for e in await outbox(cp_db) if e["type"].endswith(".updated")]
    assert updates == [["guardians"], ["caregiver"], ["agreement"]]
    listed = (
        await cp_http.get("/api/v1/children", params={"flag": "agreement_missing"}, headers=worker)
    ).json()
    assert listed["total"] == 0


async def test_a_risk_raised_to_red_opens_a_report_and_a_second_one_is_linked(
    cp_http: httpx.AsyncClient, cp_db: Database, login: Any
) -> None:
    worker = login("caseworker")
    child_id = await register(cp_http, worker, risk_colour="green")
    url = f"/api/v1/children/{child_id}/risk"
    lowered = await cp_http.post(url, json={"colour": "blue", "reason": "家庭收入下降"}, headers=worker)
    assert lowered.status_code == 200 and lowered.json()["case_id"] is None
    raised = await cp_http.post(url, json={"colour": "red", "reason": "邻居反映儿童常被打骂"}, headers=worker)
    assert raised.status_code == 200, raised.text
    first = raised.json()
    assert (
        first["case_id"]
        and first["linked"] is False
        and first["next_visit_due"] == (today() + timedelta(days=7)).isoformat()
    )
    case = (await cp_http.get(f"/api/v1/cases/{first['case_id']}", headers=worker)).json()
    assert case["stage"] == "reported" and case["urgency"] == "urgent"
    assert (
        case["reports"][0]["source"] == "monitoring" and case["reports"][0]["reporter_type"] == "monitoring"
    )
    assert case["child"]["child_id"] == child_id and case["child"]["personkey"].startswith("pk_")

    # A visit that finds a risk while the case is open: linked to it, not a second case.
    visit = await cp_http.post(
        f"/api/v1/children/{child_id}/visits/record",
        json={"visited_on": today().isoformat(), "notes": "儿童脸部有淤青", "risk_raised": True},
        headers=worker,
    )
    assert visit.status_code == 200, visit.text
    assert visit.json()["case_id"] == first["case_id"] and visit.json()["linked"] is True
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1
    case_types = [e["type"] for e in await outbox(cp_db, "child_protection.case.v1")]
    assert case_types == ["child_protection.case.reported", "child_protection.case.report_linked"]
    child_events = {e["type"]: e["payload"] for e in await outbox(cp_db)}
    assert child_events["child_protection.child.risk_changed"]["case_id"] == first["case_id"]
    assert child_events["child_protection.child.visit_recorded"]["case_id"] == first["case_id"]
    assert child_events["child_protection.child.visit_recorded"]["risk_raised"] is True

    file = (await cp_http.get(f"/api/v1/children/{child_id}", headers=worker)).json()
    assert [c["id"] for c in file["cases"]] == [first["case_id"]]
    assert [r["colour"] for r in file["risk_history"]] == ["green", "blue", "red"]
    assert {"report_opened", "report_linked"} <= {h["action"] for h in file["history"]}


async def test_schedule_and_record_visits(cp_http: httpx.AsyncClient, cp_db: Database, login: Any) -> None:
    worker = login("caseworker")
    child_id = await register(
        cp_http, worker, categories=["orphan"], risk_colour="yellow", id_number=None, birth_date="2015-03-04"
    )
    url = f"/api/v1/children/{child_id}"
    file = (await cp_http.get(url, headers=worker)).json()
    (auto,) = file["visits"]
    assert auto["due_date"] == (today() + timedelta(days=14)).isoformat() and auto["auto"]
    past = await cp_http.post(
        f"{url}/visits", json={"due_date": (today() - timedelta(days=1)).isoformat()}, headers=worker
    )
    assert past.status_code == 422
    planned = await cp_http.post(
        f"{url}/visits",
        json={"due_date": today().isoformat(), "visit_type": "phone", "note": "开学前电话了解"},
        headers=worker,
    )
    assert planned.status_code == 201 and planned.json()["next_visit_due"] == today().isoformat()
    visit_id = planned.json()["visit_id"]
    done = await cp_http.post(
        f"{url}/visits/{visit_id}/record",
        json={"visited_on": today().isoformat(), "notes": "电话联系，已正常入学"},
        headers=worker,
    )
    assert done.status_code == 200 and done.json()["case_id"] is None
    twice = await cp_http.post(
        f"{url}/visits/{visit_id}/record",
        json={"visited_on": today().isoformat(), "notes": "重复"},
        headers=worker,
    )
    assert twice.status_code == 409
    file = (await cp_http.get(url, headers=worker)).json()
    statuses = sorted((v["due_date"], v["status"]) for v in file["visits"])
    # The auto visit planned at registration is still due in 14 days (no second one added).
    assert statuses == [
        (today().isoformat(), "done"),
        ((today() + timedelta(days=14)).isoformat(), "scheduled"),
    ]
    due = (await cp_http.get("/api/v1/children/visits", params={"days": 14}, headers=worker)).json()
    assert [(i["child_id"], i["status"]) for i in due["items"]] == [(child_id, "scheduled")]
    assert (await cp_http.get("/api/v1/children/visits", headers=worker)).json()["items"] == []


async def test_list_filters_and_order(cp_http: httpx.AsyncClient, cp_db: Database, login: Any) -> None:
    worker = login("caseworker")
    green = await register(
        cp_http,
        worker,
        name="绿娃",
        id_number=None,
        birth_date="2015-01-01",
        categories=["disabled"],
        risk_colour="green",
    )
    red = await register(
        cp_http,
        worker,
        name="红娃",
        id_number=None,
        birth_date="2015-01-01",
        categories=["orphan"],
        risk_colour="red",
    )
    left = await register(
        cp_http,
        worker,
        name="留娃",
        id_number=None,
        birth_date="2015-01-01",
        categories=["left_behind"],
        risk_colour="blue",
    )
    # One child overdue: its planned visit was due yesterday (not yet marked missed by the scanner).
    await cp_db.execute(
        "UPDATE child_visit SET due_date = $1 WHERE child_id = $2::uuid", today() - timedelta(days=1), green
    )
    listed = (await cp_http.get("/api/v1/children", headers=worker)).json()
    assert [i["id"] for i in listed["items"]] == [green, red, left]
    assert listed["items"][0]["overdue"] and listed["items"][1]["due"] and listed["items"][2]["due"]

    async def ids(**params: str) -> list[str]:
        body = (await cp_http.get("/api/v1/children", params=params, headers=worker)).json()
        return [i["id"] for i in body["items"]]

    assert await ids(category="left_behind") == [left]
    assert await ids(colour="red") == [red]
    assert await ids(visits="overdue") == [green]
    assert set(await ids(visits="due")) == {green, red, left}
    assert await ids(flag="agreement_missing") == [left]
    assert await ids(q="红") == [red]
    assert (
        await cp_http.get("/api/v1/children", params={"colour": "pink"}, headers=worker)
    ).status_code == 422


async def test_openapi_documents_the_register(cp_http: httpx.AsyncClient) -> None:
    spec = (await cp_http.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in (
        "/api/v1/children",
        "/api/v1/children/{child_id}",
        "/api/v1/children/visits",
        "/api/v1/children/{child_id}/reveal-id",
        "/api/v1/children/{child_id}/guardians",
        "/api/v1/children/{child_id}/caregiver",
        "/api/v1/children/{child_id}/agreement",
        "/api/v1/children/{child_id}/risk",
        "/api/v1/children/{child_id}/visits",
        "/api/v1/children/{child_id}/visits/{visit_id}/record",
    ):
        assert path in paths, path
    assert "ChildFileIn" in spec["components"]["schemas"] and "ChildFileOut" in spec["components"]["schemas"]
