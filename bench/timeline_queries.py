"""Timeline queries: a person with 1,000 entries and a work order with 50, read through the timeline API.

Both are built through the public 12345 contract, as in production: work orders about the same child
(one ID number, so one personkey) until the person has 1,000 entries, and one work order followed by
12345 urges and supplements until it has 50. Then a child-protection caseworker of the region reads the
first page (50 entries, the default) many times, and walks the person's whole timeline page by page.

    .venv/bin/python -m bench.timeline_queries [--smoke]
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg
import httpx
from stdnum.cn import ric

from bench.common import api_url, quantiles, say, wait_quiet
from hotline_client import HotlineClient, work_order
from shared.auth.tokens import issue_dev_token
from shared.stack.postgres import asyncpg_dsn
from shared.stack.stack import Stack
from timeline.settings import TimelineSettings


def synthetic_id_number(serial: int) -> str:
    """A well-formed synthetic 身份证号 of a child born in 2018 (computed, never a real one)."""
    base = f"50015420180301{serial % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def caseworker_headers() -> dict[str, str]:
    token = issue_dev_token(
        TimelineSettings(),
        sub="bench-caseworker",
        name="压测",
        roles=["caseworker"],
        region="500154",
        programs=["child_protection"],
    )
    return {"Authorization": f"Bearer {token}"}


async def _count(dsn: str, sql: str, arg: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(sql, arg))
    finally:
        await conn.close()


async def _person_with_entries(
    stack: Stack, hotline: HotlineClient, target: int, dsn: str
) -> tuple[str, int]:
    """Work orders about one child until the person's timeline holds `target` entries."""
    run, id_number = uuid.uuid4().hex[:8], synthetic_id_number(int(time.time()))
    child = {"name": "小明", "gender": "male", "age": 8, "is_minor": True, "id_number": id_number}
    posted, entries, personkey = 0, 0, ""
    while entries < target and posted < 2 * target:
        batch = max(1, min(100, (target - entries) // 3))
        for start in range(posted, posted + batch, 8):
            replies = await asyncio.gather(
                *(
                    hotline.post_work_order(work_order(f"TLQ-{run}-{i}", subjects=[child]))
                    for i in range(start, min(start + 8, posted + batch))
                )
            )
            assert all(r.status_code == 202 for r in replies), [r.text for r in replies]
        posted += batch
        await wait_quiet(stack, timeout_s=180)
        if not personkey:
            personkey = await _personkey_of(dsn, f"TLQ-{run}-0")
        entries = await _count(
            dsn, "SELECT count(*) FROM timeline_entry WHERE personkeys @> ARRAY[$1]", personkey
        )
    return personkey, entries


async def _personkey_of(dsn: str, order_no: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        keys = await conn.fetchval(
            "SELECT personkeys FROM timeline_entry "
            "WHERE order_no = $1 AND type = 'intake.work_order.received'",
            order_no,
        )
        return str(keys[0])
    finally:
        await conn.close()


async def _work_order_with_entries(
    stack: Stack, hotline: HotlineClient, target: int, dsn: str
) -> tuple[str, int]:
    """One work order, then 12345 urges and supplements until its timeline holds `target` entries."""
    order_no = f"TLQ-WO-{uuid.uuid4().hex[:8]}"
    r = await hotline.post_work_order(work_order(order_no))
    assert r.status_code == 202, r.text
    wo = r.json()["intake_id"]
    sql = "SELECT count(*) FROM timeline_entry WHERE correlation_id = $1"
    await wait_quiet(stack, timeout_s=120)
    entries, sent = await _count(dsn, sql, wo), 0
    while entries < target and sent < 2 * target:
        for _ in range(target - entries):
            kind = "urge" if sent % 2 else "supplement"
            body: dict[str, Any] = {"event_id": f"EV-{uuid.uuid4().hex[:12]}", "type": kind}
            body.update(
                {"note": "催办"} if kind == "urge" else {"content": f"补充情况第{sent}条：孩子仍无人照看。"}
            )
            r = await hotline.post_event(order_no, body)
            assert r.status_code in (200, 202), r.text
            sent += 1
        await wait_quiet(stack, timeout_s=120)
        entries = await _count(dsn, sql, wo)
    return order_no, entries


async def _latencies(http: httpx.AsyncClient, path: str, queries: int) -> tuple[list[float], int]:
    latencies, shown = [], 0
    for _ in range(queries):
        t0 = time.perf_counter()
        r = await http.get(path)
        latencies.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.text
        shown = len(r.json()["entries"])
    return latencies, shown


async def _walk(http: httpx.AsyncClient, path: str) -> tuple[float, int, int]:
    """Every page of a timeline at 500 entries a page: (seconds, entries, pages)."""
    t0, entries, pages, cursor = time.perf_counter(), 0, 0, None
    while True:
        r = await http.get(path, params={"limit": 500, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        entries, pages, cursor = entries + len(body["entries"]), pages + 1, body["next_cursor"]
        if not cursor:
            return time.perf_counter() - t0, entries, pages


async def run(stack: Stack, smoke: bool) -> dict[str, Any]:
    person_target, order_target = (60, 10) if smoke else (1000, 50)
    queries = 20 if smoke else 300
    dsn = asyncpg_dsn(stack.postgres.uri("timeline"))
    async with httpx.AsyncClient(base_url=api_url(stack, "intake"), timeout=30) as intake_http:
        hotline = HotlineClient(intake_http)
        personkey, person_entries = await _person_with_entries(stack, hotline, person_target, dsn)
        say(f"  person with {person_entries} entries")
        order_no, order_entries = await _work_order_with_entries(stack, hotline, order_target, dsn)
        say(f"  work order with {order_entries} entries")
    async with httpx.AsyncClient(
        base_url=api_url(stack, "timeline"), timeout=30, headers=caseworker_headers()
    ) as http:
        person_path = f"/api/v1/timeline/persons/{personkey}"
        order_path = f"/api/v1/timeline/work-orders/{order_no}"
        await _latencies(http, person_path, 5)  # warm-up: connections, plans
        person, person_shown = await _latencies(http, person_path, queries)
        order, order_shown = await _latencies(http, order_path, queries)
        walk_s, walked, pages = await _walk(http, person_path)
    result = {
        "parameters": {
            "queries_each": queries,
            "page_size": 50,
            "viewer": "caseworker, child_protection, 500154",
        },
        "person_entries": person_entries,
        "person_first_page_entries": person_shown,
        "person_first_page_ms": quantiles(person),
        "work_order_entries": order_entries,
        "work_order_page_entries": order_shown,
        "work_order_ms": quantiles(order),
        "person_walk": {"seconds": round(walk_s, 3), "entries": walked, "pages_of_500": pages},
    }
    p, o = quantiles(person), quantiles(order)
    say(
        f"  person first page p50 {p['p50']} p99 {p['p99']} ms; work order p50 {o['p50']} "
        f"p99 {o['p99']} ms; whole person in {walk_s:.2f}s ({pages} pages)"
    )
    return result


if __name__ == "__main__":
    from bench.run import main_one

    main_one("timeline_queries")
