"""Intake ingest: signed 12345 POSTs at rising concurrency (closed loop, loopback only).

Each client sends its next work order as soon as the previous one is answered. The clients are the
compiled replayer (`bench/loadgen`), sending work orders signed just before the level. Reports accepted work
orders per second, latency p50/p95/p99 and errors per level; every other service keeps running, so the
figures include the workers' share of the two cores.

    .venv/bin/python -m bench.intake_ingest [--smoke]
"""

from __future__ import annotations

import uuid
from typing import Any

from bench.common import PeakSampler, api_url, quantiles, require_loopback, say
from bench.loadgen import replay, signed
from hotline_client import work_order
from shared.stack.stack import Stack

CATEGORIES = ("MZ-CP-02", "MZ-SA-01", "MZ-VR-01", "XX-99")
# Signed before each level: enough for 1,000 accepted/s over a full level (a level that uses them all
# up says so, `planned_requests_used_up`).
PLANNED = 10_000


def bench_order(run: str, i: int) -> dict[str, Any]:
    """A varied synthetic work order: a quarter each for child protection, assistance, rescue, unknown."""
    return work_order(
        f"BENCH-{run}-{i}",
        category_code=CATEGORIES[i % len(CATEGORIES)],
        urgency="normal",
        content="压测工单：儿童无人照看，请核实处置。" * 4,
    )


async def level(stack: Stack, url: str, concurrency: int, duration_s: float, planned: int) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    requests = [signed(bench_order(run, i)) for i in range(planned)]
    async with PeakSampler(stack) as sampler:
        elapsed, sent = await replay(
            url, requests, mode="closed", concurrency=concurrency, duration_s=duration_s, timeout_s=30
        )
    latencies = [s.latency_s for s in sent if s.status == 202]
    statuses: dict[int, int] = {}
    for s in sent:
        statuses[s.status] = statuses.get(s.status, 0) + 1
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "accepted": len(latencies),
        "accepted_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": quantiles(latencies),
        # Status 0: the request failed without an answer (connection refused, timeout).
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": len(sent) - len(latencies),
        "planned_requests_used_up": len(sent) == planned,
        # What one accepted work order cost the API process in CPU (the workers run on, too).
        "intake_api_cpu_ms_per_request": round(sampler.cpu.get("intake-api", 0.0) * 1000 / len(latencies), 2)
        if latencies
        else None,
        "load_generator_cpu_ms_per_request": round(sampler.cpu.get("bench-load", 0.0) * 1000 / len(sent), 2)
        if sent
        else None,
    }


async def run(stack: Stack, smoke: bool) -> dict[str, Any]:
    url = api_url(stack, "intake")
    require_loopback(url)
    duration = 2.0 if smoke else 10.0
    concurrencies = (1, 4) if smoke else (1, 4, 16, 32)
    levels = []
    for c in concurrencies:
        result = await level(stack, url, c, duration, planned=PLANNED)
        levels.append(result)
        q = result["latency_ms"]
        say(
            f"  c={c}: {result['accepted_per_s']} accepted/s, p50 {q['p50']} p95 {q['p95']} "
            f"p99 {q['p99']} ms, errors {result['errors']}; intake-api CPU "
            f"{result['intake_api_cpu_ms_per_request']} ms per request"
        )
    best = max(levels, key=lambda x: x["accepted_per_s"])
    return {
        "parameters": {
            "seconds_per_level": duration,
            "concurrency": list(concurrencies),
            "closed_loop": True,
        },
        "levels": levels,
        "best_accepted_per_s": best["accepted_per_s"],
        "best_at_concurrency": best["concurrency"],
        "errors": sum(x["errors"] for x in levels),
    }


if __name__ == "__main__":
    from bench.run import main_one

    main_one("intake_ingest")
