"""Persons: lookup by 身份证号 in the body, merge and unmerge of person keys by events and by caseworkers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from stdnum.cn import ric

from infra import Database
from shared.contracts.envelope import CloudEvent
from shared.identity import personkey
from timeline.settings import TimelineSettings

pytestmark = pytest.mark.integration
BASE17 = "50015420180304123"
SYNTHETIC_ID = BASE17 + ric.calc_check_digit(BASE17 + "0")
API = "/api/v1/timeline"


def real_key() -> str:
    return personkey(SYNTHETIC_ID, TimelineSettings().personkey_secret.get_secret_value())


def link_event(field: str, keys: list[str], at: Any, **data: Any) -> CloudEvent:
    return CloudEvent(
        type="vagrant_rescue.person.identity_confirmed",
        source="/services/vagrant_rescue",
        data={field: keys, "region_code": "500154", "actor": "寻亲组", "reason": "DNA比对确认", **data},
        time=at,
        regioncode="500154",
    )


async def entries(db: Database) -> list[object]:
    return await db.fetchcol("SELECT row(timeline_entry.*)::text FROM timeline_entry ORDER BY event_id")


async def test_lookup_takes_the_id_number_in_the_body_only(
    tl_http: httpx.AsyncClient, login: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = login("caseworker")
    r = await tl_http.post(f"{API}/persons/lookup", json={"id_number": SYNTHETIC_ID}, headers=headers)
    assert r.status_code == 200 and r.json() == {"personkey": real_key()}
    wrong = SYNTHETIC_ID[:-1] + ("0" if SYNTHETIC_ID[-1] != "0" else "1")
    r = await tl_http.post(f"{API}/persons/lookup", json={"id_number": wrong}, headers=headers)
    assert r.status_code == 422 and wrong not in r.text
    r = await tl_http.post(f"{API}/persons/lookup", json={"id_number": "123"}, headers=headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.id_number"
    assert (await tl_http.post(f"{API}/persons/lookup", json={"id_number": SYNTHETIC_ID})).status_code == 401
    spec = (await tl_http.get("/openapi.json")).json()["paths"][f"{API}/persons/lookup"]
    assert set(spec) == {"post"} and "parameters" not in spec["post"]
    out = capsys.readouterr()
    assert SYNTHETIC_ID not in out.out + out.err and wrong not in out.out + out.err


async def test_events_merge_and_split_a_person(
    tl_db: Database, tl_http: httpx.AsyncClient, story: Any, project: Any, login: Any
) -> None:
    found = story().full()  # a child known only by a provisional key
    known = story(child_key=real_key()).full()  # the same child, identified, in another work order
    at = found.start + timedelta(days=1)
    linked = link_event("linked_personkeys", [found.child_key, known.child_key], at)
    unlinked = link_event("unlinked_personkeys", [known.child_key, found.child_key], at + timedelta(hours=1))
    # The link events are vagrant rescue's: a caseworker of that program reads them as well.
    headers = login("caseworker", programs=["child_protection", "vagrant_rescue"])

    async def person(key: str) -> dict[str, Any]:
        r = await tl_http.get(f"{API}/persons/{key}", headers=headers, params={"limit": 100})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    await project(tl_db, [*found.events, *known.events])
    before = await entries(tl_db)
    assert (await person(found.child_key))["total"] == 10
    await project(tl_db, [linked])
    merged = await person(found.child_key)
    assert merged["personkeys"] == sorted([found.child_key, known.child_key]) and merged["total"] == 21
    assert (await person(known.child_key))["total"] == 21
    await project(tl_db, [unlinked])
    # Split again; each still shows the two events that named both keys.
    split = await person(found.child_key)
    assert split["personkeys"] == [found.child_key] and split["total"] == 12
    assert (await person(known.child_key))["total"] == 12
    history = (await tl_http.get(f"{API}/persons/{found.child_key}/links", headers=headers)).json()
    assert [(h["action"], h["event_id"], h["actor"], h["reason"]) for h in history["links"]] == [
        ("link", linked.id, "寻亲组", "DNA比对确认"),
        ("unlink", unlinked.id, "寻亲组", "DNA比对确认"),
    ]
    # Entries are never rewritten: the only new rows are the two link events' own entries.
    after = [row for row in await entries(tl_db) if linked.id not in str(row) and unlinked.id not in str(row)]
    assert after == before
    # The unlink happened later than the link, so delivering it first changes nothing.
    await tl_db.execute("TRUNCATE person_link")
    await project(tl_db, [unlinked, linked])
    assert (await person(found.child_key))["personkeys"] == [found.child_key]


async def test_caseworkers_correct_links_with_their_name_and_reason(
    tl_db: Database, tl_http: httpx.AsyncClient, story: Any, project: Any, login: Any
) -> None:
    a, b = story().full(), story().full()
    far = story(region="510104").full()
    await project(tl_db, [*a.events, *b.events, *far.events])
    headers = login("caseworker", name="张社工", sub="u-zhang")
    body = {"from": a.child_key, "to": b.child_key, "reason": "同一儿童，两次报告"}
    r = await tl_http.post(f"{API}/persons/links", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["actor"] == "张社工" and r.json()["action"] == "link" and r.json()["event_id"] is None
    assert (await tl_http.post(f"{API}/persons/links", json=body, headers=headers)).status_code == 409
    merged = (await tl_http.get(f"{API}/persons/{b.child_key}", headers=headers, params={"limit": 1})).json()
    assert merged["total"] == 20 and merged["next_cursor"]
    r = await tl_http.request(
        "DELETE", f"{API}/persons/links", json={**body, "reason": "核实后并非同一人"}, headers=headers
    )
    assert r.status_code == 200 and r.json()["action"] == "unlink"
    assert (await tl_http.get(f"{API}/persons/{b.child_key}", headers=headers)).json()["total"] == 10
    again = await tl_http.request("DELETE", f"{API}/persons/links", json=body, headers=headers)
    assert again.status_code == 409
    # A key the caller cannot see (another region) cannot be linked; nor can non-caseworkers link.
    outside = {"from": a.child_key, "to": far.child_key, "reason": "x"}
    assert (await tl_http.post(f"{API}/persons/links", json=outside, headers=headers)).status_code == 404
    agent = login("intake_agent", programs=[])
    assert (await tl_http.post(f"{API}/persons/links", json=body, headers=agent)).status_code == 403
    same = {"from": a.child_key, "to": a.child_key, "reason": "x"}
    assert (await tl_http.post(f"{API}/persons/links", json=same, headers=headers)).status_code == 422
    elsewhere = login("caseworker", "510104")
    assert (await tl_http.get(f"{API}/persons/{a.child_key}/links", headers=elsewhere)).status_code == 404
    history = (await tl_http.get(f"{API}/persons/{a.child_key}/links", headers=headers)).json()["links"]
    assert [(h["action"], h["actor"], h["reason"]) for h in history] == [
        ("link", "张社工", "同一儿童，两次报告"),
        ("unlink", "张社工", "核实后并非同一人"),
    ]
