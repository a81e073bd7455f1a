"""Intake ingest: signed 12345 POSTs at rising concurrency against a running intake (loopback only).

usage: .venv/bin/python bench/intake_ingest.py [--url http://127.0.0.1:8001] [--duration 10]
       [--concurrency 1,4,16,32] [--max-requests 20000]
Prints and writes (bench/results/intake_ingest-<time>.json) accepted work orders per second,
latency p50/p95/p99 and errors for each concurrency level. Bounded by duration and request count.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import secrets
import statistics
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import orjson

from intake.entrypoints.api.signature import sign

KEY_ID, SECRET = "dev-12345", "dev-12345-secret"
RESULTS = Path(__file__).resolve().parent / "results"


def body(run: str, i: int) -> bytes:
    return orjson.dumps(
        {
            "order_no": f"BENCH-{run}-{i}",
            "received_at": "2026-11-23T09:30:00+08:00",
            "category_code": ("MZ-CP-02", "MZ-SA-01", "MZ-VR-01", "XX-99")[i % 4],
            "urgency": "normal",
            "region_code": "500154",
            "content": "压测工单：儿童无人照看，请核实处置。" * 4,
            "caller": {"name": "测试", "phone": "13800000000"},
            "subjects": [{"name": "小明", "gender": "male", "age": 8}],
        }
    )


def headers(raw: bytes) -> dict[str, str]:
    ts, nonce = int(time.time()), secrets.token_hex(16)
    return {
        "Content-Type": "application/json",
        "X-Hotline-Key-Id": KEY_ID,
        "X-Hotline-Timestamp": str(ts),
        "X-Hotline-Nonce": nonce,
        "X-Hotline-Signature": sign(SECRET, ts, nonce, raw),
    }


async def level(url: str, concurrency: int, duration_s: float, max_requests: int) -> dict[str, Any]:
    run = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    counter = iter(range(max_requests))
    deadline = time.perf_counter() + duration_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                raw = body(run, i)
                t0 = time.perf_counter()
                try:
                    r = await client.post("/api/v1/hotline/work-orders", content=raw, headers=headers(raw))
                    statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                    if r.status_code == 202:
                        latencies.append(time.perf_counter() - t0)
                except httpx.HTTPError:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "accepted": len(latencies),
        "accepted_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 2),
        "p95_ms": round(q[94] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "statuses": statuses,
        "errors": errors,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8001")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", default="1,4,16,32")
    parser.add_argument("--max-requests", type=int, default=20000)
    args = parser.parse_args()
    if urlparse(args.url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("benchmarks only target loopback")
    results = []
    for c in (int(x) for x in args.concurrency.split(",")):
        result = await level(args.url, c, args.duration, args.max_requests)
        results.append(result)
        print(json.dumps(result, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"intake_ingest-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "scenario": "intake_ingest",
                "machine": platform.uname()._asdict(),
                "python": platform.python_version(),
                "url": args.url,
                "levels": results,
            },
            indent=2,
        )
    )
    print(f"written {out}")


if __name__ == "__main__":
    asyncio.run(main())
