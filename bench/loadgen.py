"""The compiled load generator (`bench/loadgen/main.go`): pre-signed 12345 POSTs replayed from Go.

The Python client cost about 11 ms of CPU per work order on the two cores it shares with the stack;
the Go replayer costs a fraction of that, so the figures say more about the platform. Requests are
signed here, just before a level starts (well inside the signature window), then replayed as they are.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.common import ROOT, require_loopback
from hotline_client import signed_headers

SOURCE = ROOT / "bench" / "loadgen"
BINARY = ROOT / "var" / "loadgen" / "loadgen"
PATH = "/api/v1/hotline/work-orders"


def build() -> Path:
    """Build the replayer when its source is newer than the binary (Go's standard library only)."""
    newest = max(p.stat().st_mtime for p in SOURCE.iterdir())
    if BINARY.exists() and BINARY.stat().st_mtime >= newest:
        return BINARY
    go = shutil.which("go") or next(
        (g for g in ("/usr/local/go/bin/go", "/usr/lib/go/bin/go") if Path(g).exists()), None
    )
    if go is None:
        raise SystemExit("the benchmarks need Go to build bench/loadgen (`go` not on PATH)")
    BINARY.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([go, "build", "-o", str(BINARY), "."], cwd=SOURCE, check=True)
    return BINARY


def signed(body: dict[str, Any]) -> dict[str, Any]:
    """One POST of a work order with the headers a 12345 integration sends (signature version 2)."""
    raw = orjson.dumps(body)
    headers = {"Content-Type": "application/json", **signed_headers(raw, method="POST", target=PATH)}
    return {"headers": headers, "body": raw.decode()}


@dataclass(frozen=True)
class Sent:
    """What happened to one request: its index in the plan, status (0 when it failed) and times."""

    i: int
    status: int
    sent_at: float
    done_at: float
    latency_s: float
    body: str = ""


async def replay(base_url: str, requests: list[dict[str, Any]], **plan: Any) -> tuple[float, list[Sent]]:
    """Run one plan (`mode="closed", concurrency=, duration_s=` or `mode="open", rate=, max_in_flight=`);
    the seconds it took and every request's outcome."""
    require_loopback(base_url)
    binary = build()
    payload = orjson.dumps({"url": base_url + PATH, "requests": requests, **plan})
    proc = await asyncio.create_subprocess_exec(
        str(binary), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out, err = await proc.communicate(payload)
    if proc.returncode != 0:
        raise RuntimeError(f"loadgen failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    result = orjson.loads(out)
    sent = [
        Sent(r["i"], r["status"], r["sent_at"], r["done_at"], r["latency_s"], r.get("body", ""))
        for r in result["results"]
    ]
    return result["elapsed_s"], sent
