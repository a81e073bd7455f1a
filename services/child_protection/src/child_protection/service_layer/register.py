"""Use cases of the register of children under watch (监测预防), each inside one unit of work.

A missed visit, a visit that found a risk, or a colour raised to red or yellow opens a report in the
same transaction through `handlers.report` (source and reporter type "monitoring"), so a child who
already has an open case gets the report linked to it instead of a second case.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from child_protection.adapters.child_repository import children_with_overdue_visits, open_case_id_for_child
from child_protection.domain.child import (
    GENDERS,
    VISIT_TYPES,
    AlreadyRegistered,
    CareAgreement,
    Caregiver,
    ChildFile,
    Guardian,
    InvalidChildData,
    Visit,
    VisitPolicy,
    china_date,
)
from child_protection.domain.deadlines import StepRule
from child_protection.domain.errors import NotFound
from child_protection.domain.model import RISK_LABELS, Case, Child, Report
from child_protection.service_layer import handlers
from child_protection.service_layer.unit_of_work import UnitOfWork, unit_of_work
from child_protection.settings import ChildProtectionSettings
from shared.crypto import FieldCipher
from shared.identity import parse_id_number, personkey, provisional_personkey

log = structlog.get_logger(__name__)
MONITORING = "monitoring"
SYSTEM_ACTOR = "system"


def visit_policy(settings: ChildProtectionSettings) -> VisitPolicy:
    """The contact cadence from the settings (documented defaults in settings.py)."""
    return VisitPolicy(
        interval_days=dict(settings.visit_interval_days),
        left_behind_contact_days=settings.left_behind_contact_days,
        missed_retry_days=settings.missed_visit_retry_days,
    )


@dataclass(frozen=True)
class Identity:
    """Who the child is for matching: the personkey, the checked ID number, and what it tells."""

    personkey: str
    id_number: str | None
    birth_date: date | None = None
    gender: str | None = None


def identify(id_number: str | None, secret: str) -> Identity:
    """A valid ID number gives the stable personkey; none gives a provisional key; a bad one is refused."""
    raw = (id_number or "").strip()
    if not raw:
        return Identity(provisional_personkey(), None)
    info = parse_id_number(raw)
    if not info.valid or not info.normalized:
        raise InvalidChildData("身份证号校验未通过，请核对；没有身份证号的儿童可以先留空")
    return Identity(personkey(info.normalized, secret), info.normalized, info.birth_date, info.sex)


def _consistent(identity: Identity, birth_date: date | None, gender: str) -> tuple[date | None, str]:
    """Birth date and gender from the form, checked against (or filled from) the ID number."""
    if identity.birth_date is not None:
        if birth_date is not None and birth_date != identity.birth_date:
            raise InvalidChildData("出生日期与身份证号不一致，请核对")
        birth_date = identity.birth_date
    if identity.gender is not None:
        if gender not in ("unknown", identity.gender):
            raise InvalidChildData("性别与身份证号不一致，请核对")
        gender = identity.gender
    return birth_date, gender


@dataclass(frozen=True)
class NewChild:
    """What a caseworker enters to open a child's file."""

    name: str
    region_code: str
    categories: Sequence[str]
    risk_colour: str
    gender: str = "unknown"
    birth_date: date | None = None
    id_number: str | None = None
    address: str = ""
    responsible: str = ""
    risk_reason: str = ""
    guardians: Sequence[Guardian] = field(default_factory=tuple)
    caregiver: Caregiver | None = None
    agreement: CareAgreement | None = None


async def register_child(
    uow: UnitOfWork, new: NewChild, *, at: datetime, actor: str, secret: str, policy: VisitPolicy
) -> ChildFile:
    """建档: one file per child (a second file for the same ID number is refused)."""
    identity = identify(new.id_number, secret)
    if new.gender not in GENDERS:
        raise InvalidChildData("性别应为男、女或未知")
    birth_date, gender = _consistent(identity, new.birth_date, new.gender)
    existing = await uow.children.find_by_personkey(identity.personkey)
    if existing is not None:
        raise AlreadyRegistered("该儿童已建档（一人一档），请在原档案中更新", *existing)
    child = ChildFile.register(
        id=uuid.uuid4(),
        personkey=identity.personkey,
        name=new.name,
        gender=gender,
        birth_date=birth_date,
        id_number=identity.id_number,
        region_code=new.region_code,
        address=new.address,
        categories=new.categories,
        risk_colour=new.risk_colour,
        risk_reason=new.risk_reason,
        responsible=new.responsible,
        guardians=new.guardians,
        caregiver=new.caregiver,
        agreement=new.agreement,
        at=at,
        actor=actor,
        policy=policy,
    )
    await uow.children.add(child)
    return child


async def load(uow: UnitOfWork, child_id: uuid.UUID) -> ChildFile:
    child = await uow.children.get(child_id)
    if child is None:
        raise NotFound("儿童档案不存在")
    return child


@dataclass(frozen=True)
class Details:
    """Changes to the basic details; None leaves a field as it is."""

    name: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    address: str | None = None
    region_code: str | None = None
    categories: Sequence[str] | None = None
    responsible: str | None = None


async def update_details(
    uow: UnitOfWork,
    child_id: uuid.UUID,
    details: Details,
    *,
    at: datetime,
    actor: str,
    secret: str,
    policy: VisitPolicy,
) -> ChildFile:
    child = await load(uow, child_id)
    gender, birth_date = details.gender, details.birth_date
    identity: Identity | None = None
    if details.id_number is not None and details.id_number.strip():
        identity = identify(details.id_number, secret)
        if identity.personkey != child.personkey:
            existing = await uow.children.find_by_personkey(identity.personkey)
            if existing is not None:
                raise AlreadyRegistered("该身份证号已有儿童档案（一人一档）", *existing)
    elif child.id_number:
        # Birth date and gender stay consistent with the ID number on file.
        info = parse_id_number(child.id_number)
        identity = Identity(child.personkey, child.id_number, info.birth_date, info.sex)
    if identity is not None:
        birth_date, gender = _consistent(identity, birth_date, gender if gender is not None else "unknown")
        child.set_identity(identity.personkey, identity.id_number, at, actor)
    child.update_details(
        at=at,
        actor=actor,
        policy=policy,
        name=details.name,
        gender=gender,
        birth_date=birth_date,
        address=details.address,
        region_code=details.region_code,
        categories=details.categories,
        responsible=details.responsible,
    )
    await uow.children.save(child)
    return child


async def set_guardians(
    uow: UnitOfWork, child_id: uuid.UUID, guardians: Sequence[Guardian], *, at: datetime, actor: str
) -> ChildFile:
    child = await load(uow, child_id)
    child.set_guardians(guardians, at, actor)
    await uow.children.save(child)
    return child


async def set_caregiver(
    uow: UnitOfWork, child_id: uuid.UUID, caregiver: Caregiver | None, *, at: datetime, actor: str
) -> ChildFile:
    child = await load(uow, child_id)
    child.set_caregiver(caregiver, at, actor)
    await uow.children.save(child)
    return child


async def record_agreement(
    uow: UnitOfWork, child_id: uuid.UUID, agreement: CareAgreement, *, at: datetime, actor: str
) -> ChildFile:
    child = await load(uow, child_id)
    child.record_agreement(agreement, at, actor)
    await uow.children.save(child)
    return child


@dataclass(frozen=True)
class Opened:
    """The case that took a monitoring report (None when none was due)."""

    case: Case | None = None
    linked: bool = False


async def change_risk(
    uow: UnitOfWork,
    child_id: uuid.UUID,
    colour: str,
    reason: str,
    *,
    at: datetime,
    actor: str,
    policy: VisitPolicy,
    window_days: int,
) -> tuple[ChildFile, Opened]:
    """A new colour; a rise to red or yellow opens a report (or links it to the open case)."""
    child = await load(uow, child_id)
    previous = child.risk_colour
    opened = Opened()
    if child.change_risk(colour, reason, at, actor, policy):
        content = (
            f"监测预防：儿童风险等级由{RISK_LABELS[previous]}调整为{RISK_LABELS[child.risk_colour]}。"
            f"理由：{reason.strip()}"
        )
        opened = await open_report(
            uow, child, content=content, risk_found=True, at=at, actor=actor, window_days=window_days
        )
    await uow.children.save(child)
    return child, opened


async def schedule_visit(
    uow: UnitOfWork,
    child_id: uuid.UUID,
    *,
    due_date: date,
    visit_type: str,
    assigned_to: str,
    note: str,
    at: datetime,
    actor: str,
) -> tuple[ChildFile, Visit]:
    child = await load(uow, child_id)
    visit = child.schedule_visit(due_date, visit_type, assigned_to, at, actor, note)
    await uow.children.save(child)
    return child, visit


@dataclass(frozen=True)
class VisitRecord:
    """What the visitor reports; `visit_id` None records an unplanned visit."""

    visited_on: date
    notes: str
    visit_id: uuid.UUID | None = None
    visit_type: str | None = None
    risk_raised: bool = False
    new_colour: str | None = None
    risk_reason: str = ""


async def record_visit(
    uow: UnitOfWork,
    child_id: uuid.UUID,
    record: VisitRecord,
    *,
    at: datetime,
    actor: str,
    policy: VisitPolicy,
    window_days: int,
) -> tuple[ChildFile, Visit, Opened]:
    """走访: the visit is recorded, the next one scheduled, and a risk found opens a report."""
    child = await load(uow, child_id)
    visit, alert = child.record_visit(
        visit_id=record.visit_id,
        visited_on=record.visited_on,
        notes=record.notes,
        visit_type=record.visit_type,
        risk_raised=record.risk_raised,
        new_colour=record.new_colour,
        risk_reason=record.risk_reason,
        at=at,
        actor=actor,
        policy=policy,
    )
    opened = Opened()
    if alert:
        content = (
            f"监测预防：{record.visited_on.isoformat()} {VISIT_TYPES[visit.visit_type]}发现风险"
            f"（当前风险等级：{RISK_LABELS[child.risk_colour]}）。访视情况：{visit.notes}"
        )
        opened = await open_report(
            uow, child, content=content, risk_found=True, at=at, actor=actor, window_days=window_days
        )
    await uow.children.save(child)
    return child, visit, opened


async def mark_missed(
    uow: UnitOfWork, child_id: uuid.UUID, now: datetime, *, policy: VisitPolicy, window_days: int
) -> int:
    """The child's visits past their day become missed (once each) and open one report; returns how many."""
    child = await uow.children.get(child_id, skip_locked=True)
    if child is None:
        return 0  # gone, or another scanner holds it right now
    missed = child.mark_missed(now, policy)
    if not missed:
        return 0
    listing = "；".join(
        f"{VISIT_TYPES[v.visit_type]}（应于 {v.due_date.isoformat()} 完成，负责人 {v.assigned_to}）"
        for v in missed
    )
    content = (
        f"监测预防：计划访视未按期完成：{listing}。"
        f"儿童风险等级：{RISK_LABELS[child.risk_colour]}。请核实儿童现状。"
    )
    await open_report(
        uow, child, content=content, risk_found=False, at=now, actor=SYSTEM_ACTOR, window_days=window_days
    )
    await uow.children.save(child)
    return len(missed)


def report_urgency(child: ChildFile, *, risk_found: bool) -> str:
    """A risk found, or any report about a red child, is urgent; a missed contact otherwise normal."""
    return "urgent" if risk_found or child.risk_colour == "red" else "normal"


async def open_report(
    uow: UnitOfWork,
    child: ChildFile,
    *,
    content: str,
    risk_found: bool,
    at: datetime,
    actor: str,
    window_days: int,
) -> Opened:
    """发现报告 from monitoring: linked to the child's open case if there is one, else a new case."""
    report = Report(
        id=uuid.uuid4().hex,
        received_at=at,
        source=MONITORING,
        reporter_type=MONITORING,
        content=content,
        reporter_name=None if actor == SYSTEM_ACTOR else actor,
    )
    since = at - timedelta(days=window_days)
    existing_id = await open_case_id_for_child(uow.session, child.id, since)
    existing = await uow.cases.get(existing_id) if existing_id is not None else None
    if existing is not None and existing.is_open:
        # The register's own link (also for a child known only by a provisional key).
        existing.link_report(report, at, actor)
        await uow.save(existing)
        outcome = handlers.ReportOutcome(existing, linked=True)
    else:
        outcome = await handlers.report(
            uow,
            handlers.NewReport(
                region_code=child.region_code,
                urgency=report_urgency(child, risk_found=risk_found),
                child=Child(
                    personkey=child.personkey,
                    name=child.name,
                    gender=child.gender,
                    age=child.age(at),
                    id_number=child.id_number,
                    child_id=str(child.id),
                ),
                report=report,
            ),
            at=at,
            actor=actor,
            window_days=window_days,
        )
    c = outcome.case
    child.report_opened(c.id, c.case_ref, linked=outcome.linked, reason=content[:200], at=at, actor=actor)
    return Opened(c, outcome.linked)


async def scan_missed_visits(
    sessions: async_sessionmaker[AsyncSession],
    cipher: FieldCipher,
    now: datetime,
    *,
    settings: ChildProtectionSettings,
    rules: dict[str, dict[str, StepRule]],
    limit: int = 100,
) -> int:
    """Mark every visit not done by the end of its day (China time) as missed, one child per transaction."""
    async with sessions() as session:
        child_ids = await children_with_overdue_visits(session, china_date(now), limit=limit)
    policy = visit_policy(settings)
    count = 0
    for child_id in child_ids:
        try:
            async with unit_of_work(sessions, cipher, rules=rules, correlation_id=str(child_id)) as uow:
                count += await mark_missed(
                    uow, child_id, now, policy=policy, window_days=settings.duplicate_window_days
                )
        except Exception as exc:  # one bad file must not stop the others
            log.warning("visit_missed_scan_failed", child_id=str(child_id), error=repr(exc))
    return count
