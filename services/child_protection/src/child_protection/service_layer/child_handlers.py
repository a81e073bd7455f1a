"""The register's command handlers (监测预防); each runs in the unit of work the bus opens and commits.

A missed visit, a visit that found a risk, or a colour raised to red or yellow opens a report in the
same transaction (source and reporter type "monitoring"), so a child who already has an open case gets
the report linked to it instead of a second case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from child_protection.domain import commands
from child_protection.domain.case_parts import SYSTEM, Child, Report
from child_protection.domain.child_model import ChildFile
from child_protection.domain.child_visits import Visit, VisitPolicy
from child_protection.domain.deadlines import DeadlinePolicy
from child_protection.domain.errors import AlreadyRegistered, ChildNotFound
from child_protection.service_layer.child_identity import Identity, consistent, identify
from child_protection.service_layer.report_handlers import ReportOutcome, file_report
from child_protection.service_layer.unit_of_work import ChildProtectionUnitOfWork
from child_protection.settings import ChildProtectionSettings
from shared.contracts.labels import child_protection as labels
from shared.identity import parse_id_number
from shared.kit.clock import Clock

MONITORING = "monitoring"


@dataclass(frozen=True)
class ChildChange:
    """A file after a change: the visit it concerned, and the case that took a report, if one was due."""

    child: ChildFile
    visit: Visit | None = None
    opened: ReportOutcome | None = None


async def _load(uow: ChildProtectionUnitOfWork, child_id: uuid.UUID) -> ChildFile:
    child = await uow.children.get(child_id)
    if child is None:
        raise ChildNotFound("儿童档案不存在，或不在您的管辖范围内")
    return child


async def register_child(
    cmd: commands.RegisterChild,
    uow: ChildProtectionUnitOfWork,
    *,
    settings: ChildProtectionSettings,
    clock: Clock,
    visits: VisitPolicy,
) -> ChildChange:
    """建档: one file per child (a second file for the same ID number is refused)."""
    identity = identify(cmd.id_number, settings.personkey_secret.get_secret_value())
    birth_date, gender = consistent(identity, cmd.birth_date, cmd.gender)
    existing = await uow.children.find_by_personkey(identity.personkey, cmd.region_code[:6])
    if existing is not None:
        raise AlreadyRegistered("该儿童已建档（一人一档），请在原档案中更新", *existing)
    child = ChildFile.register(
        id=uuid.uuid4(),
        personkey=identity.personkey,
        name=cmd.name,
        gender=gender,
        birth_date=birth_date,
        id_number=identity.id_number,
        region_code=cmd.region_code,
        address=cmd.address,
        categories=cmd.categories,
        risk_colour=cmd.risk_colour,
        risk_reason=cmd.risk_reason,
        responsible=cmd.responsible,
        guardians=cmd.guardians,
        caregiver=cmd.caregiver,
        agreement=cmd.agreement,
        at=clock(),
        actor=cmd.actor.name,
        policy=visits,
    )
    await uow.children.add(child)
    return ChildChange(child)


async def update_child_details(
    cmd: commands.UpdateChildDetails,
    uow: ChildProtectionUnitOfWork,
    *,
    settings: ChildProtectionSettings,
    clock: Clock,
    visits: VisitPolicy,
) -> ChildChange:
    """Basic details; a new ID number gives the file its stable personkey (one file per person)."""
    child = await _load(uow, cmd.child_id)
    at, gender, birth_date = clock(), cmd.gender, cmd.birth_date
    identity: Identity | None = None
    if cmd.id_number is not None and cmd.id_number.strip():
        identity = identify(cmd.id_number, settings.personkey_secret.get_secret_value())
        if identity.personkey != child.personkey:
            existing = await uow.children.find_by_personkey(identity.personkey, child.region_code[:6])
            if existing is not None:
                raise AlreadyRegistered("该身份证号已有儿童档案（一人一档）", *existing)
    elif child.id_number:
        # Birth date and gender stay consistent with the ID number on file.
        info = parse_id_number(child.id_number)
        identity = Identity(child.personkey, child.id_number, info.birth_date, info.sex)
    if identity is not None:
        birth_date, gender = consistent(identity, birth_date, gender if gender is not None else "unknown")
        child.set_identity(identity.personkey, identity.id_number, at, cmd.actor.name)
    child.update_details(
        at=at,
        actor=cmd.actor.name,
        policy=visits,
        name=cmd.name,
        gender=gender,
        birth_date=birth_date,
        address=cmd.address,
        region_code=cmd.region_code,
        categories=cmd.categories,
        responsible=cmd.responsible,
    )
    await uow.children.save(child)
    return ChildChange(child)


async def set_guardians(
    cmd: commands.SetGuardians, uow: ChildProtectionUnitOfWork, *, clock: Clock
) -> ChildChange:
    child = await _load(uow, cmd.child_id)
    child.set_guardians(cmd.guardians, clock(), cmd.actor.name)
    await uow.children.save(child)
    return ChildChange(child)


async def set_caregiver(
    cmd: commands.SetCaregiver, uow: ChildProtectionUnitOfWork, *, clock: Clock
) -> ChildChange:
    child = await _load(uow, cmd.child_id)
    child.set_caregiver(cmd.caregiver, clock(), cmd.actor.name)
    await uow.children.save(child)
    return ChildChange(child)


async def record_care_agreement(
    cmd: commands.RecordCareAgreement, uow: ChildProtectionUnitOfWork, *, clock: Clock
) -> ChildChange:
    child = await _load(uow, cmd.child_id)
    child.record_agreement(cmd.agreement, clock(), cmd.actor.name)
    await uow.children.save(child)
    return ChildChange(child)


async def change_child_risk(
    cmd: commands.ChangeChildRisk,
    uow: ChildProtectionUnitOfWork,
    *,
    settings: ChildProtectionSettings,
    clock: Clock,
    visits: VisitPolicy,
    deadlines: DeadlinePolicy,
) -> ChildChange:
    """A new colour; a rise to red or yellow opens a report (or links it to the open case)."""
    child, at = await _load(uow, cmd.child_id), clock()
    previous = child.risk_colour
    opened = None
    if child.change_risk(cmd.colour, cmd.reason, at, cmd.actor.name, visits):
        content = (
            f"监测预防：儿童风险等级由{labels.RISK[previous]}调整为{labels.RISK[child.risk_colour]}。"
            f"理由：{cmd.reason.strip()}"
        )
        opened = await _monitoring_report(uow, child, content, True, at, cmd.actor.name, settings, deadlines)
    await uow.children.save(child)
    return ChildChange(child, opened=opened)


async def schedule_visit(
    cmd: commands.ScheduleVisit, uow: ChildProtectionUnitOfWork, *, clock: Clock
) -> ChildChange:
    child = await _load(uow, cmd.child_id)
    visit = child.schedule_visit(
        cmd.due_date, cmd.visit_type, cmd.assigned_to, clock(), cmd.actor.name, cmd.note
    )
    await uow.children.save(child)
    return ChildChange(child, visit)


async def record_visit(
    cmd: commands.RecordVisit,
    uow: ChildProtectionUnitOfWork,
    *,
    settings: ChildProtectionSettings,
    clock: Clock,
    visits: VisitPolicy,
    deadlines: DeadlinePolicy,
) -> ChildChange:
    """走访: the visit is recorded, the next one scheduled, and a risk found opens a report."""
    child, at = await _load(uow, cmd.child_id), clock()
    visit, alert = child.record_visit(
        visit_id=cmd.visit_id,
        visited_on=cmd.visited_on,
        notes=cmd.notes,
        kind=cmd.visit_type,
        risk_raised=cmd.risk_raised,
        new_colour=cmd.risk_colour,
        risk_reason=cmd.risk_reason,
        at=at,
        actor=cmd.actor.name,
        policy=visits,
    )
    opened = None
    if alert:
        content = (
            f"监测预防：{cmd.visited_on.isoformat()} {labels.VISIT_TYPES[visit.visit_type]}发现风险"
            f"（当前风险等级：{labels.RISK[child.risk_colour]}）。走访情况：{visit.notes}"
        )
        opened = await _monitoring_report(uow, child, content, True, at, cmd.actor.name, settings, deadlines)
    await uow.children.save(child)
    return ChildChange(child, visit, opened)


async def mark_missed_visits(
    cmd: commands.MarkMissedVisits,
    uow: ChildProtectionUnitOfWork,
    *,
    settings: ChildProtectionSettings,
    visits: VisitPolicy,
    deadlines: DeadlinePolicy,
) -> int:
    """The child's visits past their day become missed (once each) and open one report; returns how many."""
    child = await uow.children.get(cmd.child_id)
    missed = child.mark_missed(cmd.now, visits) if child is not None else []
    if child is None or not missed:
        return 0
    listing = "；".join(
        f"{labels.VISIT_TYPES[v.visit_type]}（应于 {v.due_date.isoformat()} 完成，负责人 {v.assigned_to}）"
        for v in missed
    )
    content = (
        f"监测预防：计划走访未按期完成：{listing}。"
        f"儿童风险等级：{labels.RISK[child.risk_colour]}。请核实儿童现状。"
    )
    await _monitoring_report(uow, child, content, False, cmd.now, SYSTEM, settings, deadlines)
    await uow.children.save(child)
    return len(missed)


async def _monitoring_report(
    uow: ChildProtectionUnitOfWork,
    child: ChildFile,
    content: str,
    risk_found: bool,
    at: datetime,
    actor: str,
    settings: ChildProtectionSettings,
    deadlines: DeadlinePolicy,
) -> ReportOutcome:
    """发现报告 from monitoring: linked to the child's open case if there is one, else a new case.

    A risk found, or any report about a red child, is urgent; a missed contact otherwise normal.
    """
    report = Report(
        id=uuid.uuid4().hex,
        received_at=at,
        source=MONITORING,
        reporter_type=MONITORING,
        content=content,
        reporter_name=None if actor == SYSTEM else actor,
    )
    reported = Child(
        personkey=child.personkey,
        name=child.name,
        gender=child.gender,
        age=child.age(at),
        id_number=child.id_number,
        child_id=child.id,
    )
    outcome = await file_report(
        uow,
        report,
        reported,
        region_code=child.region_code,
        urgency="urgent" if risk_found or child.risk_colour == "red" else "normal",
        at=at,
        actor=actor,
        window_days=settings.duplicate_window_days,
        deadlines=deadlines,
    )
    c = outcome.case
    child.report_opened(c.id, c.case_ref, linked=outcome.linked, reason=content[:200], at=at, actor=actor)
    return outcome
