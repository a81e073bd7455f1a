"""Missed visits: marked exactly once after the due day ends (China time), each opening or linking a
report."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from stdnum.cn import ric

from child_protection.bootstrap import bootstrap
from child_protection.domain.child_parts import end_of_day
from child_protection.domain.deadlines import CHINA
from child_protection.entrypoints.worker import scan_missed_visits, worker_spec
from child_protection.settings import ChildProtectionSettings
from infra import Database, wait_until
from shared.db import Sessions, make_engine, make_session_factory
from shared.kit.clock import FixedClock
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration

SETTINGS = ChildProtectionSettings()
BASE = "50015420150707246"  # synthetic: county 500154, born 2015-07-07, female
ID_NUMBER = BASE + ric.calc_check_digit(BASE + "0")


def today() -> date:
    return datetime.now(UTC).astimezone(CHINA).date()


@pytest_asyncio.fixture
async def sessions(cp_db: Database) -> AsyncIterator[Sessions]:
    engine = make_engine(cp_db.url, pool_size=4)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


async def scan(sessions: Sessions, now: datetime) -> int:
    """The missed-visit scan of the worker, on a runtime whose clock says `now`."""
    return await scan_missed_visits(bootstrap(SETTINGS, sessions, clock=FixedClock(now)))


async def register(http: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> str:
    body: dict[str, Any] = {
        "name": "李小花",
        "id_number": ID_NUMBER,
        "region_code": "500154102001",
        "categories": ["in_difficulty"],
        "risk_colour": "red",
        "guardians": [{"name": "李大壮", "relation": "父亲", "is_primary": True}],
    }
    body.update(overrides)
    response = await http.post("/api/v1/children", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["child_id"])


async def events(db: Database, event_type: str) -> list[dict[str, Any]]:
    rows = await db.fetchcol(
        "SELECT payload::text FROM outbox_message WHERE type = $1 ORDER BY id", event_type
    )
    return [json.loads(str(r)) for r in rows]


async def test_a_missed_visit_is_marked_exactly_once_and_opens_a_report(
    cp_http: httpx.AsyncClient, cp_db: Database, sessions: Sessions, login: Any
) -> None:
    worker = login("caseworker")
    child_id = await register(cp_http, worker)
    due = await cp_db.fetchval("SELECT due_date FROM child_visit WHERE child_id = $1::uuid", child_id)
    assert due == today() + timedelta(days=7)  # red: weekly
    end = end_of_day(due)

    assert await scan(sessions, end - timedelta(seconds=1)) == 0  # still the due day in China
    assert await scan(sessions, end) == 1
    for later in (end + timedelta(minutes=1), end + timedelta(days=1)):
        assert await scan(sessions, later) == 0

    missed = await events(cp_db, "child_protection.child.visit_missed")
    assert len(missed) == 1 and missed[0]["due_date"] == due.isoformat()
    reported = await events(cp_db, "child_protection.case.reported")
    assert len(reported) == 1
    assert reported[0]["source"] == "monitoring" and reported[0]["reporter_type"] == "monitoring"
    assert reported[0]["urgency"] == "urgent"  # a red child
    case_id = reported[0]["case_id"]
    assert missed[0]["case_id"] == case_id
    rows = await cp_db.fetchcol(
        "SELECT status || ':' || coalesce(case_id::text, '') FROM child_visit WHERE child_id = $1::uuid "
        "ORDER BY due_date",
        child_id,
    )
    # The missed visit names its case; a replacement contact is due within the retry period.
    assert rows == [f"missed:{case_id}", "scheduled:"]
    replacement = await cp_db.fetchval(
        "SELECT due_date FROM child_visit WHERE child_id = $1::uuid AND status = 'scheduled'", child_id
    )
    assert replacement == due + timedelta(days=1 + SETTINGS.missed_visit_retry_days)

    case = (await cp_http.get(f"/api/v1/cases/{case_id}", headers=worker)).json()
    assert case["child"]["child_id"] == child_id and "未按期完成" in case["reports"][0]["content"]
    file = (await cp_http.get(f"/api/v1/children/{child_id}", headers=worker)).json()
    assert [c["id"] for c in file["cases"]] == [case_id]
    assert {"visit_missed", "report_opened"} <= {h["action"] for h in file["history"]}
    # The register shows the child as overdue until a visit makes good the missed one.
    listed = (await cp_http.get("/api/v1/children", params={"visits": "overdue"}, headers=worker)).json()
    assert [i["id"] for i in listed["items"]] == [child_id]
    visits = (await cp_http.get("/api/v1/children/visits", headers=worker)).json()["items"]
    assert visits[0]["status"] == "missed" and visits[0]["overdue"] and visits[0]["case_id"] == case_id


async def test_a_missed_visit_links_to_the_childs_open_case(
    cp_http: httpx.AsyncClient, cp_db: Database, sessions: Sessions, login: Any
) -> None:
    worker = login("caseworker")
    # A school reported the same child (same ID number) before: that case is open.
    report = {
        "region_code": "500154",
        "reporter_type": "school",
        "content": "学生连续三天未到校",
        "child": {"name": "李小花", "id_number": ID_NUMBER, "gender": "female", "age": 11},
    }
    opened = await cp_http.post("/api/v1/reports", json=report, headers=worker)
    assert opened.status_code == 201, opened.text
    child_id = await register(cp_http, worker, risk_colour="blue")
    due = await cp_db.fetchval("SELECT due_date FROM child_visit WHERE child_id = $1::uuid", child_id)
    assert await scan(sessions, end_of_day(due)) == 1
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1
    linked = await events(cp_db, "child_protection.case.report_linked")
    assert len(linked) == 1 and linked[0]["case_id"] == opened.json()["case_id"]
    assert linked[0]["source"] == "monitoring"
    missed = await events(cp_db, "child_protection.child.visit_missed")
    assert missed[0]["case_id"] == opened.json()["case_id"]


async def test_a_child_without_id_number_gets_one_case_for_repeated_misses(
    cp_http: httpx.AsyncClient, cp_db: Database, sessions: Sessions, login: Any
) -> None:
    worker = login("caseworker")
    child_id = await register(cp_http, worker, id_number=None, birth_date="2017-08-08", risk_colour="green")
    due = await cp_db.fetchval("SELECT due_date FROM child_visit WHERE child_id = $1::uuid", child_id)
    assert await scan(sessions, end_of_day(due)) == 1
    reported = await events(cp_db, "child_protection.case.reported")
    assert len(reported) == 1 and reported[0]["urgency"] == "normal"
    # The replacement is missed too: linked to the same open case through the register file.
    replacement = due + timedelta(days=1 + SETTINGS.missed_visit_retry_days)
    assert await scan(sessions, end_of_day(replacement)) == 1
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1
    assert len(await events(cp_db, "child_protection.case.report_linked")) == 1
    assert len(await events(cp_db, "child_protection.child.visit_missed")) == 2


async def test_concurrent_scanners_mark_a_visit_once(
    cp_http: httpx.AsyncClient, cp_db: Database, sessions: Sessions, login: Any
) -> None:
    worker = login("caseworker")
    ids = [
        await register(cp_http, worker, id_number=None, birth_date="2016-01-01", name=f"儿童{i}")
        for i in range(4)
    ]
    assert len(ids) == 4
    now = end_of_day(today() + timedelta(days=7))
    counts = await asyncio.gather(*(scan(sessions, now) for _ in range(3)))
    assert sum(counts) == 4
    assert len(await events(cp_db, "child_protection.child.visit_missed")) == 4
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 4


async def test_the_worker_task_marks_overdue_visits(
    cp_http: httpx.AsyncClient, cp_db: Database, stack: Stack, login: Any
) -> None:
    child_id = await register(cp_http, login("caseworker"))
    await cp_db.execute(
        "UPDATE child_visit SET due_date = $1 WHERE child_id = $2::uuid",
        today() - timedelta(days=1),
        child_id,
    )
    settings = ChildProtectionSettings(
        database_url=cp_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap, visit_scan_interval_s=0.2
    )
    engine = make_engine(cp_db.url, pool_size=2)
    runtime = bootstrap(settings, make_session_factory(engine))
    (task_spec,) = [p for p in worker_spec(settings).periodic if p.name == "missed_visit_scan"]
    stop = asyncio.Event()
    task = asyncio.create_task(task_spec.loop(runtime, stop))
    try:

        async def missed() -> bool:
            return bool(await cp_db.fetchval("SELECT count(*) FROM child_visit WHERE status = 'missed'"))

        assert await wait_until(missed, timeout_s=10)
        await asyncio.sleep(0.5)  # a few more rounds: still exactly once
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
        await engine.dispose()
    assert len(await events(cp_db, "child_protection.child.visit_missed")) == 1
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1
