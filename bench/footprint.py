"""Footprint: memory of every process of the stack at idle and at the highest sustained rate.

PSS (proportional set size: shared pages divided among the processes sharing them), so PostgreSQL's
postmaster and backends can be summed into one figure. Idle is sampled once every service is ready and
before any load; the loaded figure is the peak of once-a-second samples during the end-to-end run at
its highest sustained rate (run alone, this scenario offers 20 work orders/s for 20 s to get one).

    .venv/bin/python -m bench.footprint [--smoke]
"""

from __future__ import annotations

from typing import Any

from bench import end_to_end
from bench.common import footprint, say
from shared.stack.stack import Stack


async def run(stack: Stack, smoke: bool, context: dict[str, Any]) -> dict[str, Any]:
    idle: dict[str, float | None] = context.get("idle_footprint") or footprint(stack)
    e2e = context.get("end_to_end") or {}
    loaded = e2e.get("at_highest_sustained")
    if loaded is None:
        loaded = await end_to_end.level(stack, 5.0 if smoke else 20.0, 4.0 if smoke else 20.0)
    peak: dict[str, float] = loaded["peak_memory_mib"]
    rows = {name: {"idle_mib": idle.get(name), "peak_mib": peak.get(name)} for name in sorted({*idle, *peak})}
    for name, row in rows.items():
        say(
            f"  {name:<26} idle {row['idle_mib']} MiB, "
            f"at {loaded['offered_per_s']:.0f}/s {row['peak_mib']} MiB"
        )
    known = [r["idle_mib"] for r in rows.values() if r["idle_mib"] is not None]
    peaks = [r["peak_mib"] for r in rows.values() if r["peak_mib"] is not None]
    return {
        "parameters": {"measure": "PSS (psutil memory_full_info), PostgreSQL with all its backends"},
        "loaded_at_per_s": loaded["offered_per_s"],
        "processes": rows,
        "total_idle_mib": round(sum(known), 1),
        "total_peak_mib": round(sum(peaks), 1),
    }


if __name__ == "__main__":
    from bench.run import main_one

    main_one("footprint")
