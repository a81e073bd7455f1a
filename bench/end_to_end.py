"""End to end: work orders offered at fixed rates; delay from intake's 202 to the timeline entry.

Open loop: order i is sent at start + i/rate whether or not earlier ones were answered (at most
256 in flight), by the compiled replayer (`bench/loadgen`) from work orders signed just before the
level. Child-protection work orders go the whole way: intake accepts and routes them, the relay
publishes, the timeline projects `intake.work_order.received`; child_protection's worker opens a case
whose `child_protection.case.reported` the timeline projects too. A watcher polls the timeline's
database every 50 ms and notes when each entry becomes visible (resolution 50 ms).

A rate is sustained when at least 95% of the offered orders were accepted, at no less than 95% of the
offered rate (answers arriving slower than orders are sent means intake fell behind), every accepted order's
entry became visible within the drain time, and the delay did not grow during the run (median of the
last third at most twice the first third's plus 250 ms).

    .venv/bin/python -m bench.end_to_end [--smoke]
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

import asyncpg
import orjson

from bench.common import PeakSampler, api_url, quantiles, require_loopback, say, wait_quiet
from bench.loadgen import replay, signed
from hotline_client import work_order
from shared.stack.postgres import asyncpg_dsn
from shared.stack.stack import Stack

RECEIVED = "intake.work_order.received"
REPORTED = "child_protection.case.reported"
MAX_IN_FLIGHT = 256
DRAIN_S = 90.0


class Watcher:
    """Notes the wall-clock moment each awaited timeline entry is first seen."""

    def __init__(self, dsn: str, types: tuple[str, ...]) -> None:
        self._dsn = dsn
        self._types = list(types)
        self.seen: dict[tuple[str, str], float] = {}  # (type, work order id) -> seen at
        self._task: asyncio.Task[None] | None = None

    async def _loop(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        cursor = await conn.fetchval("SELECT coalesce(max(recorded_at), now()) FROM timeline_entry")
        try:
            while True:
                rows = await conn.fetch(
                    # recorded_at is the projecting transaction's start: look back for late commits.
                    "SELECT type, correlation_id, recorded_at FROM timeline_entry "
                    "WHERE recorded_at >= $1::timestamptz - interval '5 seconds' AND type = ANY($2)",
                    cursor,
                    self._types,
                )
                now = time.time()
                for row in rows:
                    self.seen.setdefault((row["type"], row["correlation_id"]), now)
                    cursor = max(cursor, row["recorded_at"])
                await asyncio.sleep(0.05)
        finally:
            await conn.close()

    async def __aenter__(self) -> Watcher:
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def _growing(points: list[tuple[float, float]]) -> bool:
    """Whether the delay grew over the run: (sent offset, delay) pairs, first third against last."""
    if len(points) < 6:
        return False
    points = sorted(points)
    third = len(points) // 3
    first = statistics.median(d for _, d in points[:third])
    last = statistics.median(d for _, d in points[-third:])
    return last > 2 * first + 0.25


async def level(stack: Stack, rate: float, duration_s: float) -> dict[str, Any]:
    """Offer `rate` work orders per second for `duration_s`, then wait for their timeline entries."""
    url = api_url(stack, "intake")
    require_loopback(url)
    run = uuid.uuid4().hex[:8]
    total = max(1, int(rate * duration_s))
    requests = [
        signed(work_order(f"E2E-{run}-{i}", category_code="MZ-CP-02", urgency="urgent")) for i in range(total)
    ]
    dsn = asyncpg_dsn(stack.postgres.uri("timeline"))
    async with Watcher(dsn, (RECEIVED, REPORTED)) as watcher, PeakSampler(stack) as sampler:
        send_s, sent = await replay(
            url, requests, mode="open", rate=rate, max_in_flight=MAX_IN_FLIGHT, timeout_s=60, keep_body=True
        )
        accepted_at: dict[str, float] = {}  # work order id -> 202 time
        sent_offset: dict[str, float] = {}
        for one in sent:
            if one.status == 202:
                wo = orjson.loads(one.body)["intake_id"]
                accepted_at[wo] = one.done_at
                sent_offset[wo] = one.i / rate
        statuses: dict[str, int] = {}
        for one in sent:
            statuses[str(one.status)] = statuses.get(str(one.status), 0) + 1
        errors = len(sent) - len(accepted_at)

        for _ in range(int(DRAIN_S / 0.2)):
            if all((RECEIVED, wo) in watcher.seen and (REPORTED, wo) in watcher.seen for wo in accepted_at):
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.1)

    def delays(kind: str) -> list[tuple[float, float]]:
        return [
            (sent_offset[wo], watcher.seen[(kind, wo)] - t)
            for wo, t in accepted_at.items()
            if (kind, wo) in watcher.seen
        ]

    received, reported = delays(RECEIVED), delays(REPORTED)
    accepted = len(accepted_at)
    growing = _growing(received) or _growing(reported)
    all_visible = accepted > 0 and len(received) == accepted and len(reported) == accepted
    # Open loop: every order is answered in the end, so the rate of answers is what shows falling behind.
    kept_up = accepted >= 0.95 * total and accepted / send_s >= 0.95 * rate
    sustained = kept_up and all_visible and not growing
    return {
        "offered_per_s": rate,
        "seconds": duration_s,
        "offered": total,
        "accepted": accepted,
        "accepted_per_s": round(accepted / send_s, 1),
        "statuses": statuses,
        "errors": errors,
        "received_visible": len(received),
        "case_reported_visible": len(reported),
        "delay_received_ms": quantiles(d for _, d in received),
        "delay_case_reported_ms": quantiles(d for _, d in reported),
        "delay_growing": growing,
        "sustained": sustained,
        "peak_memory_mib": dict(sorted(sampler.peak.items())),
        # CPU seconds each process used from the first request to the last entry seen, and per work order.
        "cpu_s": sampler.cpu,
        "cpu_ms_per_work_order_total": round(sum(sampler.cpu.values()) * 1000 / accepted, 1)
        if accepted
        else None,
        "cpu_ms_per_work_order": {k: round(v * 1000 / accepted, 2) for k, v in sampler.cpu.items()}
        if accepted
        else {},
    }


async def run(stack: Stack, smoke: bool) -> dict[str, Any]:
    rates = (5.0,) if smoke else (20.0, 30.0, 40.0, 50.0, 75.0, 100.0, 200.0, 300.0)
    duration = 4.0 if smoke else 20.0
    levels: list[dict[str, Any]] = []
    failures = 0
    for rate in rates:
        if failures >= 2:
            say(f"  {rate:.0f}/s skipped: two rates in a row were not sustained")
            continue
        await wait_quiet(stack, timeout_s=240)
        result = await level(stack, rate, duration)
        levels.append(result)
        failures = 0 if result["sustained"] else failures + 1
        r, c = result["delay_received_ms"], result["delay_case_reported_ms"]
        say(
            f"  offered {rate:.0f}/s: accepted {result['accepted_per_s']}/s, received visible p50 {r['p50']} "
            f"p95 {r['p95']} p99 {r['p99']} ms; case reported p50 {c['p50']} p99 {c['p99']} ms; "
            f"{'sustained' if result['sustained'] else 'NOT sustained'}"
            + (" (delay growing)" if result["delay_growing"] else "")
        )
    sustained = [x for x in levels if x["sustained"]]
    best = max(sustained, key=lambda x: x["offered_per_s"]) if sustained else None
    return {
        "parameters": {
            "rates_per_s": list(rates),
            "seconds_per_rate": duration,
            "category": "MZ-CP-02 (child protection: intake -> child_protection -> timeline)",
            "max_in_flight": MAX_IN_FLIGHT,
            "drain_s": DRAIN_S,
            "visibility_resolution_ms": 50,
        },
        "levels": levels,
        "highest_sustained_per_s": best["offered_per_s"] if best else None,
        "at_highest_sustained": best,
    }


if __name__ == "__main__":
    from bench.run import main_one

    main_one("end_to_end")
