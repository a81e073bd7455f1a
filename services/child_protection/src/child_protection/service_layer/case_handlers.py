"""The caseworkers' changes to a case and the deadline scan; each handler runs in the unit of work the bus
opens and commits."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from child_protection.domain import commands
from child_protection.domain.case_model import Case
from child_protection.domain.case_parts import PlanItem
from child_protection.domain.deadlines import DeadlinePolicy
from child_protection.domain.errors import CaseNotFound
from child_protection.service_layer.unit_of_work import ChildProtectionUnitOfWork
from shared.kit.clock import Clock
from shared.observability.metrics import Metrics


async def scan_case_deadline(
    cmd: commands.ScanCaseDeadline, uow: ChildProtectionUnitOfWork, *, metrics: Metrics
) -> str | None:
    """One deadline_breached event per overdue step, counted in `deadline_breaches_total` once committed."""
    case = await uow.cases.get(cmd.case_id)
    step = case.breach_deadline(cmd.now) if case is not None else None
    if case is None or step is None:
        return None
    # Saved without rescheduling: the due time stays, now marked as breached.
    await uow.cases.save(case)
    uow.after_commit.append(lambda: metrics.count_deadline_breach(step))
    return step


async def _change(
    uow: ChildProtectionUnitOfWork,
    cmd: commands.CaseCommand,
    deadlines: DeadlinePolicy,
    change: Callable[[Case], None],
) -> Case:
    case = await uow.cases.get(cmd.case_id)
    if case is None:
        raise CaseNotFound("案件不存在，或不在您的管辖范围内")
    change(case)
    case.schedule(deadlines)
    await uow.cases.save(case)
    return case


async def accept_case(
    cmd: commands.AcceptCase, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(uow, cmd, deadlines, lambda c: c.accept(clock(), cmd.actor.name, cmd.actor.sub))


async def decline_case(
    cmd: commands.DeclineCase, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(uow, cmd, deadlines, lambda c: c.decline(clock(), cmd.actor.name, cmd.reason))


async def refer_case(
    cmd: commands.ReferCase, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(
        uow, cmd, deadlines, lambda c: c.refer(clock(), cmd.actor.name, cmd.referred_to, cmd.reason)
    )


async def advance_case(
    cmd: commands.AdvanceCase, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(uow, cmd, deadlines, lambda c: c.advance(cmd.target, clock(), cmd.actor.name))


async def request_skip(
    cmd: commands.RequestSkip, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(
        uow, cmd, deadlines, lambda c: c.request_skip(cmd.target, cmd.reason, clock(), cmd.actor.name)
    )


async def approve_skip(
    cmd: commands.ApproveSkip, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(
        uow, cmd, deadlines, lambda c: c.approve_skip(clock(), cmd.actor.name, feedback=cmd.feedback)
    )


async def reject_skip(
    cmd: commands.RejectSkip, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(uow, cmd, deadlines, lambda c: c.reject_skip(clock(), cmd.actor.name, cmd.reason))


async def record_emergency(
    cmd: commands.RecordEmergency, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(
        uow, cmd, deadlines, lambda c: c.record_emergency(cmd.action, cmd.note, clock(), cmd.actor.name)
    )


async def start_temporary_guardianship(
    cmd: commands.StartTemporaryGuardianship,
    uow: ChildProtectionUnitOfWork,
    *,
    clock: Clock,
    deadlines: DeadlinePolicy,
) -> Case:
    return await _change(
        uow,
        cmd,
        deadlines,
        lambda c: c.start_temporary_guardianship(cmd.institution, cmd.legal_basis, clock(), cmd.actor.name),
    )


async def end_temporary_guardianship(
    cmd: commands.EndTemporaryGuardianship,
    uow: ChildProtectionUnitOfWork,
    *,
    clock: Clock,
    deadlines: DeadlinePolicy,
) -> Case:
    return await _change(
        uow, cmd, deadlines, lambda c: c.end_temporary_guardianship(cmd.outcome, clock(), cmd.actor.name)
    )


async def assess_case(
    cmd: commands.AssessCase, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    def assess(c: Case) -> None:
        c.assess(
            situation=cmd.situation,
            capacity=cmd.capacity,
            risk_colour=cmd.risk_colour,
            findings=cmd.findings,
            hardship=cmd.hardship,
            at=clock(),
            actor=cmd.actor.name,
        )

    return await _change(uow, cmd, deadlines, assess)


async def add_plan_item(
    cmd: commands.AddPlanItem, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    item = PlanItem(uuid.uuid4().hex[:12], cmd.kind, cmd.description, cmd.owner, cmd.agency, cmd.due_date)
    return await _change(uow, cmd, deadlines, lambda c: c.add_plan_item(item, clock(), cmd.actor.name))


async def set_plan_item_status(
    cmd: commands.SetPlanItemStatus,
    uow: ChildProtectionUnitOfWork,
    *,
    clock: Clock,
    deadlines: DeadlinePolicy,
) -> Case:
    return await _change(
        uow,
        cmd,
        deadlines,
        lambda c: c.set_plan_item_status(cmd.item_id, cmd.status, clock(), cmd.actor.name),
    )


async def record_intervention(
    cmd: commands.RecordIntervention,
    uow: ChildProtectionUnitOfWork,
    *,
    clock: Clock,
    deadlines: DeadlinePolicy,
) -> Case:
    return await _change(
        uow,
        cmd,
        deadlines,
        lambda c: c.record_intervention(
            cmd.kind, cmd.legal_basis, cmd.documents, cmd.note, clock(), cmd.actor.name
        ),
    )


async def close_case(
    cmd: commands.CloseCase, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(uow, cmd, deadlines, lambda c: c.close(clock(), cmd.actor.name, cmd.feedback))


async def record_follow_up(
    cmd: commands.RecordFollowUp, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(uow, cmd, deadlines, lambda c: c.record_follow_up(cmd.note, clock(), cmd.actor.name))


async def reopen_case(
    cmd: commands.ReopenCase, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> Case:
    return await _change(uow, cmd, deadlines, lambda c: c.reopen(cmd.reason, clock(), cmd.actor.name))
