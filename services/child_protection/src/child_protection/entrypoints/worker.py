"""child_protection worker: outbox relay, consumer of intake's work orders, and two periodic scans that
each query the due ids and issue one command per case or child: step deadlines, and missed 走访."""

from __future__ import annotations

import structlog

from child_protection.bootstrap import ChildProtectionRuntime, bootstrap
from child_protection.domain.child_parts import china_date
from child_protection.domain.commands import MarkMissedVisits, ScanCaseDeadline
from child_protection.entrypoints.consumer import SUBSCRIPTION
from child_protection.service_layer.case_views import cases_due
from child_protection.service_layer.child_views import children_with_overdue_visits
from child_protection.settings import ChildProtectionSettings
from shared.kit.periodic import Periodic
from shared.kit.worker import WorkerSpec, run_worker, serve

log = structlog.get_logger(__name__)


async def scan_deadlines(runtime: ChildProtectionRuntime) -> int:
    """Every open case whose step is overdue gets its deadline_breached event (and metric), once."""
    now = runtime.clock()
    async with runtime.sessions() as session:
        due = await cases_due(session, now)
    breached = 0
    for case_id in due:
        try:
            breached += await runtime.bus.handle(ScanCaseDeadline(case_id=case_id, now=now)) is not None
        except Exception as exc:  # one bad case must not stop the others
            log.warning("deadline_scan_failed", case_id=str(case_id), error=repr(exc))
    return breached


async def scan_missed_visits(runtime: ChildProtectionRuntime) -> int:
    """Every 走访 not done by the end of its day (China time) is marked missed once, one child at a time."""
    now = runtime.clock()
    async with runtime.sessions() as session:
        due = await children_with_overdue_visits(session, china_date(now))
    missed = 0
    for child_id in due:
        try:
            missed += await runtime.bus.handle(MarkMissedVisits(child_id=child_id, now=now))
        except Exception as exc:  # one bad file must not stop the others
            log.warning("visit_missed_scan_failed", child_id=str(child_id), error=repr(exc))
    return missed


def worker_spec(settings: ChildProtectionSettings) -> WorkerSpec:
    """Relay, the consumer of 12345 work orders, and the two scans at their configured intervals."""
    return WorkerSpec(
        outbox=True,
        subscription=SUBSCRIPTION,
        periodic=[
            Periodic("deadline_scan", settings.deadline_scan_interval_s, scan_deadlines),
            Periodic("missed_visit_scan", settings.visit_scan_interval_s, scan_missed_visits),
        ],
    )


def main() -> None:
    settings = ChildProtectionSettings()
    serve(run_worker(settings, bootstrap, worker_spec(settings)))


if __name__ == "__main__":
    main()
