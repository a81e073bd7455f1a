"""Intake ingest: signed 12345 POSTs at rising concurrency (closed loop, loopback only).

Each client sends its next work order as soon as the previous one is answered. Reports accepted work
orders per second, latency p50/p95/p99 and errors per level; every other service keeps running, so the
figures include the workers' share of the two cores.

    .venv/bin/python -m bench.intake_ingest [--smoke]
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from bench.common import PeakSampler, api_url, quantiles, require_loopback, say
from hotline_client import HotlineClient, work_order
from shared.stack.stack import Stack

CATEGORIES = ("MZ-CP-02", "MZ-SA-01", "MZ-VR-01", "XX-99")


def bench_order(run: str, i: int) -> dict[str, Any]:
    """A varied synthetic work order: a quarter each for child protection, assistance, rescue, unknown."""
    return work_order(
        f"BENCH-{run}-{i}",
        category_code=CATEGORIES[i % len(CATEGORIES)],
        urgency="normal",
        content="压测工单：儿童无人照看，请核实处置。" * 4,
    )


async def level(
    stack: Stack, url: str, concurrency: int, duration_s: float, max_requests: int
) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    numbers = iter(range(max_requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with (
        PeakSampler(stack) as sampler,
        httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http,
    ):
        hotline = HotlineClient(http)
        deadline = time.perf_counter() + duration_s

        async def client() -> None:
            nonlocal errors
            for i in numbers:
                if time.perf_counter() > deadline:
                    return
                t0 = time.perf_counter()
                try:
                    r = await hotline.post_work_order(bench_order(run, i))
                except httpx.HTTPError:
                    errors += 1
                    continue
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 202:
                    latencies.append(time.perf_counter() - t0)
                else:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "accepted": len(latencies),
        "accepted_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": quantiles(latencies),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors,
        # What one accepted work order cost the API process in CPU (the workers run on, too).
        "intake_api_cpu_ms_per_request": round(sampler.cpu.get("intake-api", 0.0) * 1000 / len(latencies), 2)
        if latencies
        else None,
    }


async def run(stack: Stack, smoke: bool) -> dict[str, Any]:
    url = api_url(stack, "intake")
    require_loopback(url)
    duration = 2.0 if smoke else 10.0
    concurrencies = (1, 4) if smoke else (1, 4, 16, 32)
    levels = []
    for c in concurrencies:
        result = await level(stack, url, c, duration, max_requests=20_000)
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
