"""Use cases of child_protection, each inside one unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from child_protection.adapters.tables import case
from child_protection.domain.errors import NotFound
from child_protection.domain.model import Case, Child, PlanItem, Report
from child_protection.domain.stages import Stage
from child_protection.service_layer.unit_of_work import UnitOfWork
from shared.identity import is_provisional


@dataclass(frozen=True)
class NewReport:
    """A report about a child from any channel (12345 via intake, a mandatory reporter, monitoring)."""

    region_code: str
    urgency: str
    child: Child
    report: Report


@dataclass(frozen=True)
class ReportOutcome:
    case: Case
    linked: bool


async def report(
    uow: UnitOfWork, new: NewReport, *, at: datetime, actor: str, window_days: int
) -> ReportOutcome:
    """Open a case, or link the report to the child's open case (no second case for one child)."""
    if not is_provisional(new.child.personkey):
        existing = await uow.cases.open_case_for_child(new.child.personkey, at - timedelta(days=window_days))
        if existing is not None:
            existing.link_report(new.report, at, actor)
            await uow.save(existing)
            return ReportOutcome(existing, linked=True)
    case_ref = await uow.cases.next_case_ref(new.region_code, at.year)
    c = Case(
        id=uuid.uuid4(),
        case_ref=case_ref,
        region_code=new.region_code,
        urgency=new.urgency,
        child=new.child,
        opened_at=at,
    )
    c.open(new.report, at, actor)
    await uow.add(c)
    return ReportOutcome(c, linked=False)


async def load(uow: UnitOfWork, case_id: uuid.UUID) -> Case:
    c = await uow.cases.get(case_id)
    if c is None:
        raise NotFound("案件不存在")
    return c


ACTIONS = {
    "accept",
    "decline",
    "refer",
    "advance",
    "request_skip",
    "approve_skip",
    "reject_skip",
    "record_emergency",
    "start_temporary_guardianship",
    "end_temporary_guardianship",
    "assess",
    "add_plan_item",
    "set_plan_item_status",
    "record_intervention",
    "close",
    "record_follow_up",
    "reopen",
}
SUPERVISOR_ACTIONS = {"approve_skip", "reject_skip"}


async def act(
    uow: UnitOfWork, case_id: uuid.UUID, action: str, params: dict[str, Any], *, at: datetime, actor: str
) -> Case:
    """Apply one caseworker action to a case (the domain model checks every rule)."""
    c = await load(uow, case_id)
    p = params
    match action:
        case "accept":
            c.accept(at, actor)
        case "decline":
            c.decline(at, actor, str(p.get("reason", "")))
        case "refer":
            c.decline(
                at, actor, str(p.get("reason", "")), referred_to=str(p.get("referred_to") or "其他部门")
            )
        case "advance":
            c.advance(Stage(p["target"]), at, actor)
        case "request_skip":
            c.request_skip(Stage(p["target"]), str(p.get("reason", "")), at, actor)
        case "approve_skip":
            c.approve_skip(at, actor, feedback=p.get("feedback"))
        case "reject_skip":
            c.reject_skip(at, actor, str(p.get("reason", "")))
        case "record_emergency":
            c.record_emergency(str(p["action"]), p.get("note"), at, actor)
        case "start_temporary_guardianship":
            c.start_temporary_guardianship(
                str(p.get("institution", "")), str(p.get("legal_basis", "")), at, actor
            )
        case "end_temporary_guardianship":
            c.end_temporary_guardianship(str(p.get("outcome", "")), at, actor)
        case "assess":
            c.assess(
                situation=str(p.get("situation", "")),
                capacity=str(p.get("capacity", "")),
                risk_colour=p["risk_colour"],
                findings=str(p.get("findings", "")),
                hardship=bool(p.get("hardship")),
                at=at,
                actor=actor,
            )
        case "add_plan_item":
            c.add_plan_item(
                PlanItem(
                    id=uuid.uuid4().hex[:12],
                    kind=str(p.get("kind", "")),
                    description=str(p.get("description", "")),
                    owner=str(p.get("owner", "")),
                    agency=str(p.get("agency", "")),
                    due_date=str(p.get("due_date", "")),
                ),
                at,
                actor,
            )
        case "set_plan_item_status":
            c.set_plan_item_status(str(p["item_id"]), str(p["status"]), at, actor)
        case "record_intervention":
            c.record_intervention(
                str(p.get("kind", "")),
                str(p.get("legal_basis", "")),
                str(p.get("documents", "")),
                str(p.get("note", "")),
                at,
                actor,
            )
        case "close":
            c.close(at, actor, str(p.get("feedback", "")))
        case "record_follow_up":
            c.record_follow_up(str(p.get("note", "")), at, actor)
        case "reopen":
            c.reopen(str(p.get("reason", "")), at, actor)
        case _:
            raise NotFound(f"未知操作 {action}")
    await uow.save(c)
    return c


async def scan_deadlines(uow: UnitOfWork, now: datetime, *, limit: int = 100) -> int:
    """Emit one deadline_breached event for each overdue step not reported yet; returns how many."""
    ids = (
        (
            await uow.session.execute(
                select(case.c.id)
                .where(case.c.step_due_at < now, case.c.step_breached_at.is_(None))
                .order_by(case.c.step_due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    breached = 0
    for case_id in ids:
        c = await uow.cases.get(case_id)
        if c is not None and c.breach_deadline(now):
            # Saved without rescheduling: the due time stays, now marked as breached.
            await uow.cases.save(c)
            breached += 1
    return breached
