"""Reports from every channel (by hand, 12345 via intake, and 12345's later events on the work order);
each handler runs in the unit of work the bus opens and commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from child_protection.domain import commands
from child_protection.domain.case_model import LOW_SATISFACTION, Case
from child_protection.domain.case_parts import HOTLINE, Child, Report
from child_protection.domain.deadlines import CHINA, DeadlinePolicy
from child_protection.domain.errors import InvalidChildData
from child_protection.service_layer.unit_of_work import ChildProtectionUnitOfWork
from child_protection.settings import ChildProtectionSettings
from shared.contracts.labels import child_protection as labels
from shared.identity import is_provisional, key_of_id_number, provisional_personkey
from shared.kit.clock import Clock

HAND_REPORTER_TYPES = tuple(t for t in labels.REPORTER_TYPES if t not in ("hotline_12345", "monitoring"))


@dataclass(frozen=True)
class ReportOutcome:
    """The case that took a report, and whether the report joined a case already open."""

    case: Case
    linked: bool


async def file_report(
    uow: ChildProtectionUnitOfWork,
    report: Report,
    child: Child,
    *,
    region_code: str,
    urgency: str,
    at: datetime,
    actor: str,
    window_days: int,
    deadlines: DeadlinePolicy,
    hotline_deadline: datetime | None = None,
) -> ReportOutcome:
    """Open a case, or link the report to the child's open case in the same county (no second case for one
    child there). An open case in another county is never written to: this county opens its own, flagged
    as a cross-county duplicate for both counties' 审核人 to settle."""
    since = at - timedelta(days=window_days)
    county = region_code[:6]
    existing = await uow.cases.open_case_for_file(child.child_id, since, county) if child.child_id else None
    known = not is_provisional(child.personkey)
    if existing is None and known:
        existing = await uow.cases.open_case_for_child(child.personkey, since, county)
    if existing is not None:
        existing.link_report(report, at, actor)
        existing.bind_hotline_deadline(hotline_deadline)
        existing.schedule(deadlines)
        await uow.cases.save(existing)
        return ReportOutcome(existing, linked=True)
    case_ref = await uow.cases.next_case_ref(region_code, at.astimezone(CHINA).year)
    new = Case(
        id=uuid.uuid4(),
        case_ref=case_ref,
        region_code=region_code,
        urgency=urgency,
        child=child,
        opened_at=at,
    )
    new.open(report, at, actor)
    elsewhere = await uow.cases.open_elsewhere(child.personkey, since, county) if known else None
    if elsewhere is not None:
        new.flag_cross_county(elsewhere, at)
    new.bind_hotline_deadline(hotline_deadline)
    new.schedule(deadlines)
    await uow.cases.add(new)
    return ReportOutcome(new, linked=False)


async def report_case(
    cmd: commands.ReportCase,
    uow: ChildProtectionUnitOfWork,
    *,
    settings: ChildProtectionSettings,
    clock: Clock,
    deadlines: DeadlinePolicy,
) -> ReportOutcome:
    """A report entered by hand; its source (强制报告 or 群众报告) follows from the reporter type."""
    if cmd.reporter_type not in HAND_REPORTER_TYPES:
        raise InvalidChildData("请选择报告人类型")
    key, info = key_of_id_number(cmd.child_id_number, settings.personkey_secret.get_secret_value())
    if info is not None and key is None:
        raise InvalidChildData("身份证号格式或校验位不正确，请核对；不清楚时可以不填")
    at = clock()
    report = Report(
        id=uuid.uuid4().hex,
        received_at=at,
        source=labels.SOURCE_OF_REPORTER[cmd.reporter_type],
        reporter_type=cmd.reporter_type,
        content=cmd.content,
        reporter_name=cmd.reporter_name,
        reporter_contact=cmd.reporter_contact,
    )
    child = Child(
        personkey=key or provisional_personkey(),
        name=cmd.child_name,
        gender=cmd.child_gender,
        age=cmd.child_age,
        id_number=info.normalized if info is not None else None,
    )
    return await file_report(
        uow,
        report,
        child,
        region_code=cmd.region_code,
        urgency=cmd.urgency,
        at=at,
        actor=cmd.actor.name,
        window_days=settings.duplicate_window_days,
        deadlines=deadlines,
    )


async def open_case_from_hotline(
    cmd: commands.OpenCaseFromHotline,
    uow: ChildProtectionUnitOfWork,
    *,
    settings: ChildProtectionSettings,
    clock: Clock,
    deadlines: DeadlinePolicy,
) -> ReportOutcome:
    """A 12345 work order routed here: its deadline binds every step while the case is open."""
    report = Report(
        id=cmd.report_id,
        received_at=cmd.received_at,
        source="12345",
        reporter_type="hotline_12345",
        content=cmd.content,
        reporter_name=cmd.caller_masked_name,
        work_order_id=cmd.work_order_id,
        order_no=cmd.order_no,
    )
    child = Child(
        personkey=cmd.child_personkey or provisional_personkey(),
        name=cmd.child_name,
        gender=cmd.child_gender,
        age=cmd.child_age,
    )
    return await file_report(
        uow,
        report,
        child,
        region_code=cmd.region_code,
        urgency=cmd.urgency,
        at=clock(),
        actor=HOTLINE,
        window_days=settings.duplicate_window_days,
        deadlines=deadlines,
        hotline_deadline=cmd.deadline_at,
    )


async def note_hotline_event(
    cmd: commands.NoteHotlineEvent, uow: ChildProtectionUnitOfWork, *, clock: Clock, deadlines: DeadlinePolicy
) -> None:
    """补充 / 催办 / 撤单 on a work order whose case is here; other work orders are none of ours."""
    case = await uow.cases.for_work_order(cmd.work_order_id)
    if case is None:
        return
    if cmd.kind == "revoked":
        case.hotline_revoked(cmd.note or "", clock())
    else:
        case.note_hotline(cmd.kind, cmd.note, clock())
    case.schedule(deadlines)
    await uow.cases.save(case)


async def record_hotline_satisfaction(
    cmd: commands.RecordHotlineSatisfaction,
    uow: ChildProtectionUnitOfWork,
    *,
    clock: Clock,
    deadlines: DeadlinePolicy,
) -> bool:
    """A low 回访 score reaches the case: a closed case is handled again, an open one is flagged."""
    case = await uow.cases.for_work_order(cmd.work_order_id)
    if case is None or cmd.score > LOW_SATISFACTION:
        return False
    reopened = case.hotline_dissatisfied(cmd.score, cmd.comment, clock())
    case.schedule(deadlines)
    await uow.cases.save(case)
    return reopened
