"""Domain events -> contracts on child_protection.case.v1 and child_protection.child.v1 (the only place
cases and register files map out). No names or ID numbers of children leave: person keys only; free text
is masked by the contracts and redacted of the names and contacts the case or file holds."""

from __future__ import annotations

from typing import Any

from child_protection.domain import case_events as ev
from child_protection.domain import child_events as ch
from child_protection.domain.case_model import Case
from child_protection.domain.child_model import ChildFile
from child_protection.domain.child_parts import Caregiver, Guardian
from shared.contracts import child_protection as cp
from shared.contracts.base import Contract
from shared.kit.unit_of_work import Message


def case_contract(c: Case, event: ev.Event) -> Contract:
    """The contract for one case event, carrying the case's stage right after it."""
    base: dict[str, Any] = {
        "case_id": c.id,
        "case_ref": c.case_ref,
        "region_code": c.region_code,
        "occurred_at": event.at,
        "stage": event.stage or c.stage.value,
        "work_order_id": c.work_order_id,
        "order_no": c.order_no,
        "child_personkey": c.child.personkey,
        "actor": event.actor or None,
    }
    match event:
        case ev.Reported(report_id=rid) | ev.ReportLinked(report_id=rid):
            report = next(r for r in c.reports if r.id == rid)
            extra = {"source": report.source, "reporter_type": report.reporter_type}
            if isinstance(event, ev.ReportLinked):
                return cp.CaseReportLinked(**base, **extra)
            return cp.CaseReported(**base, **extra, urgency=c.urgency, summary=report.content[:200])
        case ev.Accepted():
            return cp.CaseAccepted(**base)
        case ev.Declined(reason=reason, referred_to=to):
            return cp.CaseDeclined(**base, reason=reason, referred_to=to)
        case ev.StageChanged(previous=prev, skipped=skipped, skip_reason=why, approved_by=by):
            return cp.CaseStageChanged(
                **base, previous=prev, skipped=list(skipped), skip_reason=why, approved_by=by
            )
        case ev.EmergencyResponded(action=action, note=note):
            return cp.CaseEmergencyResponded(**base, action=action, note=note)
        case ev.TemporaryGuardianshipStarted(institution=inst, legal_basis=basis):
            return cp.CaseTemporaryGuardianshipStarted(**base, institution=inst, legal_basis=basis)
        case ev.TemporaryGuardianshipEnded(outcome=outcome):
            return cp.CaseTemporaryGuardianshipEnded(**base, outcome=outcome)
        case ev.Assessed(risk_colour=colour, capacity=capacity, hardship=hardship):
            return cp.CaseAssessed(
                **base, risk_colour=colour, guardianship_capacity=capacity, hardship=hardship
            )
        case ev.RiskChanged(previous=prev, current=cur):
            return cp.CaseRiskChanged(**base, previous=prev, current=cur)
        case ev.ReferralRequested(reason=reason):
            return cp.CaseReferralRequested(**base, reason=reason, household_region=c.region_code)
        case ev.ServicePlanUpdated(items=n, open_items=open_n):
            return cp.CaseServicePlanUpdated(**base, items=n, open_items=open_n)
        case ev.InterventionRecorded(kind=kind, legal_basis=basis):
            return cp.CaseInterventionRecorded(**base, kind=kind, legal_basis=basis)
        case ev.DeadlineBreached(step=step, due_at=due, owner=owner):
            return cp.CaseDeadlineBreached(**base, step=step, due_at=due, owner=owner)
        case ev.Closed(feedback=feedback):
            return cp.CaseClosed(**base, feedback=feedback)
        case ev.Reopened(reason=reason):
            return cp.CaseReopened(**base, reason=reason)
        case ev.CrossCountyDuplicateFound(other_case_id=other):
            return cp.CaseCrossCountyDuplicateFound(**base, other_case_id=other)
    raise TypeError(f"no contract for {type(event).__name__}")


def child_contract(child: ChildFile, event: ch.ChildEvent) -> Contract:
    """The contract for one event of a child's file (no name, no ID number: the personkey only)."""
    base: dict[str, Any] = {
        "child_id": child.id,
        "personkey": child.personkey,
        "region_code": child.region_code,
        "occurred_at": event.at,
        "actor": event.actor or None,
    }
    match event:
        case ch.Registered():
            return cp.ChildRegistered(
                **base, categories=list(child.categories), risk_colour=child.risk_colour, flags=child.flags
            )
        case ch.Updated(fields=fields):
            return cp.ChildUpdated(**base, fields=list(fields), flags=child.flags)
        case ch.RiskChanged(previous=prev, current=cur, reason=reason, case_id=case_id):
            return cp.ChildRiskChanged(
                **base, previous=prev, current=cur, reason=reason or None, case_id=case_id
            )
        case ch.VisitScheduled(visit_id=vid, due_date=due, visit_type=kind):
            return cp.ChildVisitScheduled(**base, visit_id=vid, due_date=due, visit_type=kind)
        case ch.VisitRecorded(visit_id=vid, visit_type=kind, risk_raised=raised, case_id=case_id):
            return cp.ChildVisitRecorded(
                **base, visit_id=vid, visit_type=kind, risk_raised=raised, case_id=case_id
            )
        case ch.VisitMissed(visit_id=vid, due_date=due, case_id=case_id):
            missed = next((v.visit_type for v in child.visits if v.id == vid), None)
            return cp.ChildVisitMissed(**base, visit_id=vid, due_date=due, visit_type=missed, case_id=case_id)
    raise TypeError(f"no contract for {type(event).__name__}")


def to_message(aggregate: Case | ChildFile, event: Any) -> Message:
    """The outgoing message of one event, keyed by its aggregate, carrying the child's person key.

    A case opened from 12345 keeps the work order's correlation, as intake's own events do.
    """
    if isinstance(aggregate, Case):
        reports = aggregate.reports
        return Message(
            contract=case_contract(aggregate, event),
            key=str(aggregate.id),
            correlationid=str(aggregate.work_order_id or aggregate.id),
            personkey=aggregate.child.personkey,
            regioncode=aggregate.region_code,
            names=_known(aggregate.child.name, *(r.reporter_name for r in reports)),
            others=_known(*(r.reporter_contact for r in reports)),
        )
    people: list[Guardian | Caregiver] = [*aggregate.guardians, *filter(None, [aggregate.caregiver])]
    return Message(
        contract=child_contract(aggregate, event),
        key=str(aggregate.id),
        correlationid=str(aggregate.id),
        personkey=aggregate.personkey,
        regioncode=aggregate.region_code,
        names=_known(aggregate.name, *(p.name for p in people)),
        others=_known(aggregate.address, *(p.phone for p in people)),
    )


def _known(*values: str | None) -> tuple[str, ...]:
    return tuple(v for v in values if v)
