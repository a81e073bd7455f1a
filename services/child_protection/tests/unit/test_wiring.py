"""The composition: a handler for every command, the dependencies bootstrap binds, the worker's spec."""

from __future__ import annotations

from child_protection.bootstrap import bootstrap
from child_protection.entrypoints.consumer import SUBSCRIPTION
from child_protection.entrypoints.worker import scan_deadlines, scan_missed_visits, worker_spec
from child_protection.service_layer.handlers import HANDLERS
from child_protection.settings import ChildProtectionSettings
from shared.contracts.topics import INTAKE_WORK_ORDER_V1


def test_every_use_case_has_its_command_and_handler() -> None:
    assert {command.__name__ for command in HANDLERS} == {
        "ReportCase",
        "OpenCaseFromHotline",
        "NoteHotlineEvent",
        "RecordHotlineSatisfaction",
        "ScanCaseDeadline",
        "AcceptCase",
        "DeclineCase",
        "ReferCase",
        "AdvanceCase",
        "RequestSkip",
        "ApproveSkip",
        "RejectSkip",
        "RecordEmergency",
        "StartTemporaryGuardianship",
        "EndTemporaryGuardianship",
        "AssessCase",
        "AddPlanItem",
        "SetPlanItemStatus",
        "RecordIntervention",
        "CloseCase",
        "RecordFollowUp",
        "ReopenCase",
        "RegisterChild",
        "UpdateChildDetails",
        "SetGuardians",
        "SetCaregiver",
        "RecordCareAgreement",
        "ChangeChildRisk",
        "ScheduleVisit",
        "RecordVisit",
        "MarkMissedVisits",
    }


def test_bootstrap_binds_the_policies_from_the_settings() -> None:
    settings = ChildProtectionSettings(
        deadlines={"reported": {"critical": {"hours": 0.5}}},
        visit_interval_days={"red": 3},
        missed_visit_retry_days=2,
    )
    runtime = bootstrap(settings, None)  # type: ignore[arg-type]  # nothing is connected at bootstrap
    assert runtime.cipher is not None and runtime.metrics is not None
    assert runtime.deadlines.rules["reported"]["critical"].hours == 0.5
    assert runtime.deadlines.rules["reported"]["urgent"].hours == 4
    assert (runtime.visits.colour_days("red"), runtime.visits.missed_retry_days) == (3, 2)
    assert set(runtime.bus.dependencies) == {"settings", "clock", "deadlines", "visits", "metrics"}


def test_the_worker_relays_consumes_intake_and_runs_both_scans() -> None:
    settings = ChildProtectionSettings(deadline_scan_interval_s=5, visit_scan_interval_s=7)
    spec = worker_spec(settings)
    assert spec.outbox is True and spec.subscription is SUBSCRIPTION
    assert SUBSCRIPTION.topics == (INTAKE_WORK_ORDER_V1,)
    assert [(p.name, p.interval_s, p.run) for p in spec.periodic] == [
        ("deadline_scan", 5, scan_deadlines),
        ("missed_visit_scan", 7, scan_missed_visits),
    ]
