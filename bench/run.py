"""`make bench` / `make bench-smoke`: every scenario on a fresh bench stack; one JSON and Markdown a run.

    .venv/bin/python -m bench.run [--smoke] [--only raw_kafka,end_to_end,...]

The bench stack (var/bench, Kafka on 30192, services on their ports + 2000) is wiped, started, and
stopped at the end. Full runs write bench/results/<time>.json and .md (kept in git: the trend);
smoke runs write under bench/results/smoke/ and runs of some scenarios under bench/results/partial/
(both ignored); smoke runs prove only that every scenario still works.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import logging
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from bench import end_to_end, footprint, intake_ingest, raw_kafka, raw_postgres, rebuild, timeline_queries
from bench.common import (
    RESULTS,
    bench_stack,
    environment_note,
    machine_facts,
    say,
    start_infra_fresh,
    start_services,
    wait_quiet,
)
from bench.common import footprint as sample_footprint
from bench.profile import Profiler
from bench.summary import previous_run, render
from shared.observability.logging import configure_logging
from shared.stack.stack import Stack

Context = dict[str, Any]


@dataclass(frozen=True)
class Scenario:
    """One benchmark: whether it needs the services running, and how to run it."""

    name: str
    title: str
    needs_services: bool
    run: Callable[[Stack, bool, Context], Awaitable[dict[str, Any]]]
    # Upper bound on its wall time; a scenario past it is stopped and reported as failed.
    limit_s: float


def _plain(module: Any) -> Callable[[Stack, bool, Context], Awaitable[dict[str, Any]]]:
    def call(stack: Stack, smoke: bool, _: Context) -> Awaitable[dict[str, Any]]:
        result: Awaitable[dict[str, Any]] = module.run(stack, smoke)
        return result

    return call


# In this order: the raw references before the services start, so nothing else competes for the cores.
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("raw_kafka", "Raw Kafka", False, _plain(raw_kafka), 300),
    Scenario("raw_postgres", "Raw PostgreSQL", False, _plain(raw_postgres), 300),
    Scenario("intake_ingest", "Intake ingest", True, _plain(intake_ingest), 600),
    Scenario("end_to_end", "End to end", True, _plain(end_to_end), 1800),
    Scenario("timeline_queries", "Timeline queries", True, _plain(timeline_queries), 900),
    Scenario("rebuild", "Rebuild", True, _plain(rebuild), 900),
    Scenario("footprint", "Footprint", True, footprint.run, 300),
)


async def run_all(names: list[str], smoke: bool, profile: list[str] | None = None) -> dict[str, Any]:
    # The in-process parts (rebuild, live projection) log every event at INFO; only problems matter here.
    configure_logging("bench", "WARNING", json=False)
    # On a fresh broker the first group join retries until the offsets topic exists: expected, not news.
    logging.getLogger("aiokafka.consumer.group_coordinator").setLevel(logging.CRITICAL)
    stack = bench_stack()
    started = datetime.now(UTC)
    results: dict[str, Any] = {
        "run": started.strftime("%Y%m%dT%H%M%SZ"),
        "started_at": started.isoformat(),
        "smoke": smoke,
        "environment": environment_note(),
        "scenarios": {},
    }
    context: Context = {}
    say(f"bench stack: {stack.paths.var} (Kafka {stack.kafka.bootstrap})")
    t0 = time.monotonic()
    cpu_before = psutil.cpu_times()
    await asyncio.to_thread(start_infra_fresh, stack)
    results["machine"] = machine_facts(stack)
    services_up = False
    try:
        for scenario in (s for s in SCENARIOS if s.name in names):
            if scenario.needs_services and not services_up:
                took = await asyncio.to_thread(start_services, stack)
                services_up = True
                results["services_ready_s"] = round(took, 1)
                say(f"services ready in {took:.1f}s")
                await wait_quiet(stack, timeout_s=120)
                context["idle_footprint"] = sample_footprint(stack)
            elif scenario.needs_services:
                await wait_quiet(stack, timeout_s=240)
            say(f"== {scenario.title} ({scenario.name})")
            s0 = time.monotonic()
            profiler = None
            if profile and scenario.needs_services:
                profiler = Profiler(stack, profile, RESULTS / "profiles", f"{results['run']}-{scenario.name}")
                profiler.start()
            try:
                figures = await asyncio.wait_for(
                    scenario.run(stack, smoke, context), scenario.limit_s / (4 if smoke else 1)
                )
                context[scenario.name] = figures
                results["scenarios"][scenario.name] = {"ok": True, **figures}
            except Exception as exc:
                say(f"  FAILED: {exc!r}")
                results["scenarios"][scenario.name] = {
                    "ok": False,
                    "error": repr(exc),
                    "traceback": traceback.format_exc()[-4000:],
                }
            results["scenarios"][scenario.name]["seconds"] = round(time.monotonic() - s0, 1)
            if profiler is not None:
                results["scenarios"][scenario.name]["profiles"] = profiler.stop()
    finally:
        await asyncio.to_thread(stack.down, lambda _: None)
    results["total_seconds"] = round(time.monotonic() - t0, 1)
    # Time the hypervisor gave these CPUs to someone else: on a shared host it moves every figure.
    cpu_after = psutil.cpu_times()
    spent = sum(cpu_after) - sum(cpu_before)
    steal = getattr(cpu_after, "steal", 0.0) - getattr(cpu_before, "steal", 0.0)
    results["machine"]["cpu_steal_share"] = round(steal / spent, 4) if spent > 0 else None
    return results


def write(results: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    previous = previous_run(folder)
    json_path = folder / f"{results['run']}.json"
    md_path = folder / f"{results['run']}.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text(render(results, previous))
    return json_path, md_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--smoke", action="store_true", help="every scenario briefly; asserts nothing on speed"
    )
    parser.add_argument("--only", help="comma-separated scenarios (a partial run: results/partial/)")
    parser.add_argument(
        "--profile",
        help="comma-separated stack processes (e.g. intake-api,child_protection-worker) to record with "
        "py-spy during each scenario; collapsed stacks and a summary go to bench/results/profiles/",
    )
    args = parser.parse_args(argv)
    every = [s.name for s in SCENARIOS]
    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else every
    unknown = set(names) - {s.name for s in SCENARIOS}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    profile = [p.strip() for p in args.profile.split(",")] if args.profile else None
    # One run at a time: a second would wipe the bench stack under the first.
    lock_path = RESULTS.parent.parent / "var" / "bench.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another benchmark run is in progress (var/bench.lock); wait for it to finish")
            return 2
        results = asyncio.run(run_all(names, args.smoke, profile))
    # Only complete full-size runs make the history that the summaries compare against.
    folder = RESULTS / "smoke" if args.smoke else RESULTS if names == every else RESULTS / "partial"
    json_path, md_path = write(results, folder)
    say(md_path.read_text())
    say(f"written {json_path} and {md_path} in {results['total_seconds']}s")
    failed = [n for n, r in results["scenarios"].items() if not r["ok"]]
    if failed:
        say(f"FAILED scenarios: {', '.join(failed)}")
        return 1
    return 0


def main_one(name: str) -> None:
    """Entry point of a scenario's own module: that scenario alone (plus what it needs) on the bench stack."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--profile")
    args = parser.parse_args()
    extra = [*(["--smoke"] if args.smoke else []), *([f"--profile={args.profile}"] if args.profile else [])]
    sys.exit(main([f"--only={name}", *extra]))


if __name__ == "__main__":
    sys.exit(main())
