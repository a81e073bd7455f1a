"""The Markdown summary of a run: each figure beside its raw reference as a ratio, and the previous run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Figure = Callable[[dict[str, Any]], float | None]


def _get(*path: str | int) -> Figure:
    def get(results: dict[str, Any]) -> float | None:
        node: Any = results.get("scenarios", {})
        for part in path:
            if isinstance(node, dict):
                node = node.get(str(part)) if isinstance(part, str) else None
            elif isinstance(node, list) and isinstance(part, int) and -len(node) <= part < len(node):
                node = node[part]
            else:
                return None
            if node is None:
                return None
        return float(node) if isinstance(node, int | float) and not isinstance(node, bool) else None

    return get


# (figure, unit, platform value, raw reference label, reference value, how the ratio reads)
Row = tuple[str, str, Figure, str, Figure, str]
Keys = tuple[str, ...]


def _rate(title: str, path: Keys, reference: str, ref_path: Keys) -> Row:
    """A throughput beside a raw one: the ratio is a share of the raw ceiling."""
    return (title, "/s", _get(*path), reference, _get(*ref_path), "share")


def _latency(title: str, path: Keys, reference: str, ref_path: Keys, *quantiles: str) -> list[Row]:
    """Latency quantiles (`{q}` in the title) beside the raw ones; the ratio reads as times the raw."""
    return [
        (title.format(q=q), "ms", _get(*path, q), f"{reference} {q}", _get(*ref_path, q), "times")
        for q in quantiles
    ]


def _alone(title: str, unit: str, path: Keys) -> Row:
    """A figure with no raw counterpart."""
    return (title, unit, _get(*path), "", lambda _: None, "")


_E2E = ("end_to_end", "at_highest_sustained")
_KAFKA_RT = ("raw_kafka", "round_trip_ms")
_PG_READ = ("raw_postgres", "read_50_rows", "latency_ms")
_KAFKA_CONSUME = ("raw_kafka", "consume_msgs_per_s")
ROWS: tuple[Row, ...] = (
    _rate(
        "Intake: accepted work orders/s (best level)",
        ("intake_ingest", "best_accepted_per_s"),
        "PostgreSQL state+outbox transactions/s",
        ("raw_postgres", "best_tps"),
    ),
    _rate(
        "End to end: highest sustained work orders/s",
        ("end_to_end", "highest_sustained_per_s"),
        "Kafka produce 1 KiB msg/s",
        ("raw_kafka", "produce_msgs_per_s"),
    ),
    *_latency(
        "End to end: 202 → timeline entry {q} (at highest sustained)",
        (*_E2E, "delay_received_ms"),
        "Kafka round trip",
        _KAFKA_RT,
        "p50",
        "p99",
    ),
    *_latency(
        "End to end: 202 → child-protection case on the timeline {q}",
        (*_E2E, "delay_case_reported_ms"),
        "Kafka round trip",
        _KAFKA_RT,
        "p50",
    ),
    *_latency(
        "Timeline: person (1,000 entries), first page {q}",
        ("timeline_queries", "person_first_page_ms"),
        "PostgreSQL: 50 rows by key",
        _PG_READ,
        "p50",
        "p99",
    ),
    *_latency(
        "Timeline: work order (50 entries) {q}",
        ("timeline_queries", "work_order_ms"),
        "PostgreSQL: 50 rows by key",
        _PG_READ,
        "p50",
        "p99",
    ),
    _rate(
        "Rebuild: events/s replayed into a fresh projection",
        ("rebuild", "rebuild_events_per_s"),
        "Kafka consume msg/s",
        _KAFKA_CONSUME,
    ),
    _rate(
        "Timeline live projection: events/s",
        ("rebuild", "live_projection", "events_per_s"),
        "Kafka consume msg/s",
        _KAFKA_CONSUME,
    ),
    _alone(
        "End to end: CPU per work order, every process and the load generator (at highest sustained)",
        "ms",
        (*_E2E, "cpu_ms_per_work_order_total"),
    ),
    _alone("Footprint: all processes at idle", "MiB", ("footprint", "total_idle_mib")),
    _alone(
        "Footprint: all processes at highest sustained rate (peak)", "MiB", ("footprint", "total_peak_mib")
    ),
)


def _steal(share: float | None) -> str:
    return "unknown" if share is None else f"{share:.1%}"


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def _ratio(value: float | None, reference: float | None, kind: str) -> str:
    if value is None or reference is None or reference == 0:
        return "—"
    ratio = value / reference
    return f"{ratio:.1%}" if kind == "share" else f"{ratio:,.1f}×"


def _trend(value: float | None, before: float | None, unit: str) -> str:
    if value is None or before is None:
        return "—"
    if before == 0:
        return _fmt(before, unit)
    return f"{_fmt(before, unit)} ({(value - before) / before:+.0%})"


def previous_run(folder: Path) -> dict[str, Any] | None:
    """The newest earlier run in the folder (file names sort by time)."""
    runs = sorted(folder.glob("*.json"))
    if not runs:
        return None
    loaded: dict[str, Any] = json.loads(runs[-1].read_text())
    return loaded


def render(results: dict[str, Any], previous: dict[str, Any] | None) -> str:
    machine = results.get("machine", {})
    lines = [
        f"# Benchmark run {results['run']}"
        + (" (smoke: sizes too small to mean anything)" if results["smoke"] else ""),
        "",
        f"Machine: {machine.get('cpu_model')}, {machine.get('logical_cpus')} logical CPUs, "
        f"{machine.get('memory_gib')} GiB; {machine.get('os')}; Python {machine.get('python')}; "
        f"Kafka {machine.get('kafka')}; {machine.get('postgresql')}; commit {machine.get('git_commit')}"
        f"{' (uncommitted changes)' if machine.get('git_dirty') else ''}. "
        f"Load generator on the same machine. Total {results.get('total_seconds')} s; "
        f"CPU stolen by the hypervisor: {_steal(machine.get('cpu_steal_share'))}.",
        "",
        "| Figure | Platform | Raw reference | Reference | Ratio | Previous run |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for title, unit, value_of, ref_title, ref_of, kind in ROWS:
        value, reference = value_of(results), ref_of(results)
        before = value_of(previous) if previous else None
        lines.append(
            f"| {title} | {_fmt(value, unit)} | {ref_title or '—'} "
            f"| {_fmt(reference, unit) if ref_title else '—'} "
            f"| {_ratio(value, reference, kind)} | {_trend(value, before, unit)} |"
        )
    lines += ["", "Ratio: a share of the raw ceiling (%), or how many times the raw latency (×).", ""]
    lines += _details(results)
    failed = {n: r for n, r in results["scenarios"].items() if not r.get("ok")}
    if failed:
        lines += ["", "## Failed", ""] + [f"- {n}: `{r['error']}`" for n, r in failed.items()]
    return "\n".join(lines) + "\n"


def _details(results: dict[str, Any]) -> list[str]:
    s = results["scenarios"]
    out: list[str] = []
    if s.get("intake_ingest", {}).get("ok"):
        out += [
            "## Intake ingest (closed loop)",
            "",
            "| Clients | Accepted/s | p50 ms | p95 ms | p99 ms | Errors | intake-api CPU ms/request |",
        ]
        out.append("|---:|---:|---:|---:|---:|---:|---:|")
        for lv in s["intake_ingest"]["levels"]:
            q = lv["latency_ms"]
            out.append(
                f"| {lv['concurrency']} | {lv['accepted_per_s']} | {q['p50']} | {q['p95']} | {q['p99']} "
                f"| {lv['errors']} | {lv.get('intake_api_cpu_ms_per_request', '—')} |"
            )
        out.append("")
    if s.get("end_to_end", {}).get("ok"):
        out += [
            "## End to end (open loop; delay from 202 to visible on the timeline)",
            "",
            "| Offered/s | Accepted/s | Received p50/p95/p99 ms | Case reported p50/p95/p99 ms | Sustained |",
            "|---:|---:|---|---|---|",
        ]
        for lv in s["end_to_end"]["levels"]:
            r, c = lv["delay_received_ms"], lv["delay_case_reported_ms"]
            verdict = "yes" if lv["sustained"] else "no" + (" (delay growing)" if lv["delay_growing"] else "")
            out.append(
                f"| {lv['offered_per_s']:.0f} | {lv['accepted_per_s']} "
                f"| {r['p50']} / {r['p95']} / {r['p99']} "
                f"| {c['p50']} / {c['p95']} / {c['p99']} | {verdict} |"
            )
        out.append("")
    best = s.get("end_to_end", {}).get("at_highest_sustained") if s.get("end_to_end", {}).get("ok") else None
    if best and best.get("cpu_ms_per_work_order"):
        out += [
            f"## CPU per work order at {best['offered_per_s']:.0f}/s (where the cores go)",
            "",
            "| Process | CPU ms per work order | CPU s in the run |",
            "|---|---:|---:|",
        ]
        per = best["cpu_ms_per_work_order"]
        for name in sorted(per, key=lambda n: -per[n]):
            out.append(f"| {name} | {per[name]} | {best['cpu_s'][name]} |")
        out.append("")
    if s.get("raw_postgres", {}).get("ok"):
        out += [
            "## Raw PostgreSQL (state + outbox + NOTIFY per transaction)",
            "",
            "| Connections | tps | p50 ms | p99 ms |",
        ]
        out.append("|---:|---:|---:|---:|")
        for lv in s["raw_postgres"]["levels"]:
            q = lv["latency_ms"]
            out.append(f"| {lv['concurrency']} | {lv['tps']} | {q['p50']} | {q['p99']} |")
        out.append("")
    if s.get("footprint", {}).get("ok"):
        fp = s["footprint"]
        out += [
            f"## Footprint (PSS MiB; loaded = peak at {fp['loaded_at_per_s']:.0f} work orders/s)",
            "",
            "| Process | Idle | Loaded |",
            "|---|---:|---:|",
        ]
        for name, row in fp["processes"].items():
            out.append(f"| {name} | {row['idle_mib']} | {row['peak_mib']} |")
        out.append("")
    return out
