"""Raw PostgreSQL: a handler's write pattern with plain asyncpg, at the concurrency the services use.

One transaction = one state row + one outbox row (the platform's own outbox table) + the relay's
NOTIFY, as a command handler commits it. Levels 1, 4 and 10 connections (10 is an API's pool size).
Also the read reference for the timeline queries: 50 rows by an indexed key.

    .venv/bin/python -m bench.raw_postgres [--smoke]
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import asyncpg

from bench.common import quantiles, say
from shared.db import make_engine
from shared.messaging.tables import messaging_metadata, outbox_message
from shared.stack.postgres import asyncpg_dsn
from shared.stack.stack import Stack

DATABASE = "bench_raw"
STATE_DDL = """
CREATE TABLE bench_state (
    id uuid PRIMARY KEY,
    status text NOT NULL,
    version integer NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE bench_read (
    id bigserial PRIMARY KEY,
    k text NOT NULL,
    t timestamptz NOT NULL,
    summary text NOT NULL,
    excerpt jsonb NOT NULL
);
CREATE INDEX ix_bench_read_k ON bench_read (k, t);
"""
INSERT_STATE = "INSERT INTO bench_state (id, status, version, body) VALUES ($1, 'received', 1, $2::jsonb)"
INSERT_OUTBOX = (
    "INSERT INTO outbox_message (event_id, topic, key, type, headers, trace, payload) "
    "VALUES ($1, 'intake.work_order.v1', $2, 'intake.work_order.received', $3::jsonb, '{}'::jsonb, $4::jsonb)"
)
NOTIFY = "SELECT pg_notify('outbox', '')"
BODY = json.dumps(
    {
        "order_no": "BENCH-0000001",
        "category_code": "MZ-CP-02",
        "region_code": "500154",
        "content": "压测工单：儿童无人照看，请核实处置。" * 8,
        "subjects": [{"personkey": "pk_" + "0" * 40, "masked_name": "小*", "age": 8}],
    },
    ensure_ascii=False,
)
HEADERS = json.dumps(
    {"ce_specversion": "1.0", "ce_type": "intake.work_order.received", "ce_source": "/bench"}
)


async def _prepare(admin_url: str, url: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    engine = make_engine(url, pool_size=1)
    async with engine.begin() as c:
        await c.run_sync(messaging_metadata.create_all, tables=[outbox_message])
    await engine.dispose()
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(STATE_DDL)
    finally:
        await conn.close()


async def _write_level(pool: asyncpg.Pool, concurrency: int, duration_s: float) -> dict[str, Any]:
    latencies: list[float] = []
    deadline = time.perf_counter() + duration_s

    async def worker() -> None:
        async with pool.acquire() as conn:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                async with conn.transaction():
                    key = uuid.uuid4()
                    await conn.execute(INSERT_STATE, key, BODY)
                    await conn.execute(INSERT_OUTBOX, uuid.uuid4(), str(key), HEADERS, BODY)
                    await conn.execute(NOTIFY)
                latencies.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0
    return {
        "concurrency": concurrency,
        "transactions": len(latencies),
        "tps": round(len(latencies) / elapsed, 1),
        "latency_ms": quantiles(latencies),
    }


async def _read_reference(pool: asyncpg.Pool, queries: int) -> dict[str, Any]:
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO bench_read (k, t, summary, excerpt) VALUES ($1, now() - make_interval(secs => $2), "
            "'收到12345工单', $3::jsonb)",
            [(f"k{i % 200}", float(i), BODY) for i in range(20_000)],
        )
        await conn.execute("ANALYZE bench_read")
        latencies = []
        for i in range(queries):
            t0 = time.perf_counter()
            rows = await conn.fetch(
                "SELECT * FROM bench_read WHERE k = $1 ORDER BY t DESC LIMIT 50", f"k{i % 200}"
            )
            latencies.append(time.perf_counter() - t0)
            assert len(rows) == 50
    return {"rows": 50, "queries": queries, "latency_ms": quantiles(latencies)}


async def run(stack: Stack, smoke: bool) -> dict[str, Any]:
    url = stack.postgres.uri(DATABASE)
    await _prepare(stack.postgres.uri(), url)
    duration = 2.0 if smoke else 10.0
    levels = []
    pool = await asyncpg.create_pool(asyncpg_dsn(url), min_size=10, max_size=10)
    try:
        for concurrency in (1, 4, 10):
            level = await _write_level(pool, concurrency, duration)
            levels.append(level)
            say(
                f"  c={concurrency}: {level['tps']:,.0f} transactions/s, "
                f"p50 {level['latency_ms']['p50']} ms p99 {level['latency_ms']['p99']} ms"
            )
        read = await _read_reference(pool, 100 if smoke else 2000)
        say(f"  read 50 rows by key: p50 {read['latency_ms']['p50']} ms p99 {read['latency_ms']['p99']} ms")
    finally:
        await pool.close()
    return {
        "parameters": {
            "transaction": "INSERT state row + INSERT outbox_message row + pg_notify",
            "seconds_per_level": duration,
            "driver": "asyncpg, no ORM",
        },
        "levels": levels,
        "best_tps": max(level["tps"] for level in levels),
        "read_50_rows": read,
    }


if __name__ == "__main__":
    from bench.run import main_one

    main_one("raw_postgres")
