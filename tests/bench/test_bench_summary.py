"""The benchmark arithmetic: percentiles, the growing-delay verdict, ratios and the trend in the summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.common import quantiles
from bench.end_to_end import _growing
from bench.profile import summarize
from bench.summary import previous_run, render


def test_quantiles_are_in_milliseconds_and_empty_is_none() -> None:
    q = quantiles([i / 1000 for i in range(1, 101)])
    assert q["p50"] == 50.5
    assert q["p99"] == 99.01
    assert q["max"] == 100.0
    assert quantiles([]) == {"p50": None, "p95": None, "p99": None, "max": None}
    assert quantiles([0.002])["p99"] == 2.0


def test_a_delay_that_doubles_over_the_run_is_growing_and_a_flat_one_is_not() -> None:
    flat = [(t / 10, 0.05 + (t % 3) * 0.01) for t in range(60)]
    assert not _growing(flat)
    rising = [(t / 10, 0.05 + t * 0.05) for t in range(60)]
    assert _growing(rising)
    assert not _growing(rising[:5])  # too few points to judge


def _results(intake: float, tps: float, run: str = "20261123T000000Z") -> dict[str, Any]:
    return {
        "run": run,
        "smoke": False,
        "machine": {"cpu_model": "test cpu", "logical_cpus": 2},
        "total_seconds": 1.0,
        "scenarios": {
            "intake_ingest": {"ok": True, "best_accepted_per_s": intake, "levels": []},
            "raw_postgres": {"ok": True, "best_tps": tps, "levels": []},
            "raw_kafka": {"ok": True, "round_trip_ms": {"p50": 4.0}},
            "end_to_end": {"ok": False, "error": "RuntimeError('x')"},
        },
    }


def test_summary_puts_each_figure_beside_its_reference_and_the_previous_run() -> None:
    text = render(_results(100.0, 4000.0), _results(80.0, 4000.0))
    intake_row = next(line for line in text.splitlines() if line.startswith("| Intake"))
    assert "| 100 /s |" in intake_row
    assert "| 4,000 /s |" in intake_row
    assert "| 2.5% |" in intake_row
    assert "80 /s (+25%)" in intake_row
    assert "## Failed" in text and "end_to_end" in text
    e2e_row = next(line for line in text.splitlines() if line.startswith("| End to end: highest"))
    assert e2e_row.count("—") >= 3  # no figure, no ratio, no trend: never a made-up number


def test_previous_run_is_the_newest_file(tmp_path: Path) -> None:
    assert previous_run(tmp_path) is None
    for name, value in (("20261101T000000Z", 1), ("20261120T000000Z", 2), ("20261105T000000Z", 3)):
        (tmp_path / f"{name}.json").write_text(json.dumps({"run": name, "v": value}))
    newest = previous_run(tmp_path)
    assert newest is not None and newest["v"] == 2


def test_a_profile_summary_counts_only_the_event_loop_thread_and_names_project_code(tmp_path: Path) -> None:
    collapsed = tmp_path / "p.txt"
    loop = "<module> (intake/entrypoints/worker.py:9);run_until_complete (asyncio/base_events.py:1)"
    collapsed.write_text(
        f"{loop};handle (/work/x/shared/src/shared/messaging/consumer.py:3);execute (asyncpg/conn.py:1) 30\n"
        f"{loop};select (selectors.py:1) 10\n"
        "Thread._bootstrap (threading.py:1);wait (threading.py:2) 500\n"
    )
    text = summarize(collapsed)
    assert "40 busy samples" in text
    assert "75.0%  handle (shared/messaging/consumer.py:3)" in text
    assert "75.0%  execute (asyncpg/conn.py:1)" in text
    assert "wait (threading.py:2)" not in text
