"""The JSON API of the register of children under watch (监测预防, 一人一档) and its visits.

Access follows the cases': child-protection staff of the child's region change a file, auditors of the
region read it, anyone else gets 403 (wrong program or role) or 404 (outside the region scope: a child's
file does not disclose that it exists). Every view of a file, and a supervisor's reveal of the ID number,
is written to the access log (record type "child").
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError

from child_protection.adapters import child_repository as reads
from child_protection.domain.child import (
    AlreadyRegistered,
    CareAgreement,
    Caregiver,
    ChildFile,
    Guardian,
    InvalidChildData,
    age_on,
    china_date,
)
from child_protection.domain.errors import ChildProtectionError
from child_protection.entrypoints.api.deps import CipherDep, RulesDep, SessionsDep, SettingsDep
from child_protection.entrypoints.api.routes import actor_of, problem_for
from child_protection.service_layer import register
from child_protection.service_layer.access import can_act, can_read, can_use_service, log_access
from child_protection.service_layer.unit_of_work import UnitOfWork, unit_of_work
from shared.auth.deps import CurrentPrincipal, require_roles
from shared.auth.principal import Principal, Role
from shared.problems import ProblemException
from shared.regions import region_prefix

router = APIRouter(prefix="/api/v1", tags=["register of children"])

Category = Literal["left_behind", "in_difficulty", "orphan", "de_facto_unsupported", "disabled", "other"]
Colour = Literal["red", "yellow", "blue", "green"]
Gender = Literal["male", "female", "unknown"]
VisitType = Literal["home", "phone"]
Flag = Literal["agreement_missing", "caregiver_missing", "no_guardian"]
RegionCode = Annotated[str, Field(pattern=r"^[0-9]{6}([0-9]{3}){0,2}$")]
NOT_FOUND = "儿童档案不存在，或不在您的管辖范围内"


# ---- bodies ------------------------------------------------------------------------------------------


class GuardianIn(BaseModel):
    """A guardian (监护人); exactly one of a child's guardians is primary."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    relation: str = Field(min_length=1, max_length=20, description="与儿童关系，如 父亲、母亲、祖母")
    phone: str = Field(default="", max_length=20)
    is_primary: bool = False
    working_away: bool = Field(default=False, description="外出务工（留守儿童的父母）")


class CaregiverIn(BaseModel):
    """The entrusted caregiver (被委托照护人, MP-73)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    relation: str = Field(min_length=1, max_length=20)
    phone: str = Field(default="", max_length=20)


class AgreementIn(BaseModel):
    """The written care agreement (书面照护协议); signed needs the date and the document reference."""

    model_config = ConfigDict(extra="forbid")

    signed: bool
    signed_date: date | None = None
    document_ref: str = Field(default="", max_length=200, description="文书编号或存档位置")


class ChildFileIn(BaseModel):
    """A new file (建档). Birth date and gender may come from a valid ID number; an invalid one is refused."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=50)
    gender: Gender = "unknown"
    birth_date: date | None = None
    id_number: str | None = Field(
        default=None, max_length=32, description="身份证号（加密保存，仅显示脱敏号码）"
    )
    region_code: RegionCode = Field(description="村（居）、乡镇（街道）或区县行政区划代码")
    address: str = Field(default="", max_length=200)
    categories: list[Category] = Field(min_length=1)
    risk_colour: Colour = Field(description="四色分级：red 红、yellow 黄、blue 蓝、green 绿")
    risk_reason: str = Field(default="", max_length=2000)
    responsible: str = Field(default="", max_length=50, description="负责的儿童主任；默认为建档人")
    guardians: list[GuardianIn] = Field(default=[], max_length=10)
    caregiver: CaregiverIn | None = None
    agreement: AgreementIn | None = None


class DetailsIn(BaseModel):
    """Changes to the basic details; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=50)
    gender: Gender | None = None
    birth_date: date | None = None
    id_number: str | None = Field(default=None, max_length=32)
    region_code: RegionCode | None = None
    address: str | None = Field(default=None, max_length=200)
    categories: list[Category] | None = Field(default=None, min_length=1)
    responsible: str | None = Field(default=None, max_length=50)


class GuardiansIn(BaseModel):
    """The whole list of guardians (replaces the current one)."""

    model_config = ConfigDict(extra="forbid")

    guardians: list[GuardianIn] = Field(max_length=10)


class CaregiverUpdateIn(BaseModel):
    """The entrusted caregiver, or null to remove; another caregiver voids a signed agreement."""

    model_config = ConfigDict(extra="forbid")

    caregiver: CaregiverIn | None


class RiskIn(BaseModel):
    """A change of the four-colour classification; a rise to red or yellow opens a report."""

    model_config = ConfigDict(extra="forbid")

    colour: Colour
    reason: str = Field(min_length=1, max_length=2000)


class VisitIn(BaseModel):
    """A visit planned by hand (visits are also scheduled automatically by colour and category)."""

    model_config = ConfigDict(extra="forbid")

    due_date: date
    visit_type: VisitType = "home"
    assigned_to: str = Field(default="", max_length=50, description="默认为档案负责人")
    note: str = Field(default="", max_length=2000)


class VisitRecordIn(BaseModel):
    """What the visit found; `risk_raised` (or a colour raised to red/yellow) opens a report."""

    model_config = ConfigDict(extra="forbid")

    visited_on: date
    notes: str = Field(min_length=1, max_length=2000)
    visit_type: VisitType | None = None
    risk_raised: bool = False
    risk_colour: Colour | None = Field(default=None, description="访视后调整的风险等级（可选）")
    risk_reason: str = Field(default="", max_length=2000)


# ---- answers -----------------------------------------------------------------------------------------


class GuardianOut(BaseModel):
    name: str
    relation: str
    phone: str
    is_primary: bool
    working_away: bool


class CaregiverOut(BaseModel):
    name: str
    relation: str
    phone: str


class AgreementOut(BaseModel):
    signed: bool
    signed_date: date | None = None
    document_ref: str = ""


class RiskEntryOut(BaseModel):
    colour: Colour
    previous: Colour | None
    at: datetime
    by: str
    reason: str


class VisitOut(BaseModel):
    id: uuid.UUID
    due_date: date
    visit_type: VisitType
    assigned_to: str
    status: Literal["scheduled", "done", "missed"]
    auto: bool
    note: str
    scheduled_at: datetime
    scheduled_by: str
    visited_on: date | None
    recorded_at: datetime | None
    recorded_by: str | None
    notes: str
    risk_raised: bool
    missed_at: datetime | None
    case_id: uuid.UUID | None


class HistoryOut(BaseModel):
    at: datetime
    action: str
    actor: str
    detail: dict[str, Any]


class CaseLinkOut(BaseModel):
    id: uuid.UUID
    case_ref: str
    stage: str
    urgency: str
    risk_colour: str | None
    opened_at: datetime
    closed_at: datetime | None


class ChildFileOut(BaseModel):
    """A child's file; the ID number is masked (a supervisor may reveal it, which is logged)."""

    id: uuid.UUID
    personkey: str
    name: str
    gender: Gender
    birth_date: date
    age: int
    id_number: str | None = Field(description="脱敏的身份证号")
    has_id_number: bool
    region_code: str
    address: str
    categories: list[str]
    responsible: str
    guardians: list[GuardianOut]
    caregiver: CaregiverOut | None
    agreement: AgreementOut | None
    risk_colour: Colour
    risk_history: list[RiskEntryOut]
    flags: list[str]
    registered_at: datetime
    updated_at: datetime
    version: int
    visits: list[VisitOut]
    history: list[HistoryOut]
    cases: list[CaseLinkOut]


class ChildSummaryOut(BaseModel):
    id: uuid.UUID
    name: str
    gender: str
    birth_date: date
    region_code: str
    categories: list[str]
    risk_colour: Colour
    flags: list[str]
    responsible: str
    has_id_number: bool
    next_visit_due: date | None
    last_visited_on: date | None
    overdue: bool = Field(description="已逾期：计划访视已过期，或逾期未访后尚未补访")
    due: bool = Field(description="待访视：下一次访视在提醒期内")


class ChildListOut(BaseModel):
    total: int
    items: list[ChildSummaryOut]


class VisitDueOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    name: str
    region_code: str
    categories: list[str]
    risk_colour: Colour
    flags: list[str]
    due_date: date
    visit_type: VisitType
    assigned_to: str
    status: Literal["scheduled", "missed"]
    overdue: bool
    case_id: uuid.UUID | None


class VisitsDueOut(BaseModel):
    today: date
    until: date
    items: list[VisitDueOut]


class ChildChangeOut(BaseModel):
    """The file after a change; `case_id` names the case that took a report when one was opened or linked."""

    child_id: uuid.UUID
    version: int
    risk_colour: Colour
    flags: list[str]
    next_visit_due: date | None
    visit_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    case_ref: str | None = None
    linked: bool | None = None


class RevealOut(BaseModel):
    child_id: uuid.UUID
    id_number: str | None


# ---- plumbing ----------------------------------------------------------------------------------------


def register_problem(exc: ChildProtectionError) -> ProblemException:
    if isinstance(exc, AlreadyRegistered):
        return ProblemException(409, "Conflict", exc.message)
    if isinstance(exc, InvalidChildData):
        return ProblemException(422, "Unprocessable Entity", exc.message)
    return problem_for(exc)


def changed(
    child: ChildFile, *, visit_id: uuid.UUID | None = None, opened: register.Opened | None = None
) -> ChildChangeOut:
    upcoming = child.open_visits()
    case = opened.case if opened is not None else None
    return ChildChangeOut(
        child_id=child.id,
        version=child.version,
        risk_colour=child.risk_colour,
        flags=child.flags,
        next_visit_due=upcoming[0].due_date if upcoming else None,
        visit_id=visit_id,
        case_id=case.id if case is not None else None,
        case_ref=case.case_ref if case is not None else None,
        linked=opened.linked if case is not None and opened is not None else None,
    )


def guardian(g: GuardianIn) -> Guardian:
    return Guardian(g.name, g.relation, g.phone, g.is_primary, g.working_away)


def caregiver(c: CaregiverIn | None) -> Caregiver | None:
    return Caregiver(c.name, c.relation, c.phone) if c is not None else None


def agreement(a: AgreementIn | None) -> CareAgreement | None:
    return CareAgreement(a.signed, a.signed_date, a.document_ref) if a is not None else None


async def checked_region(sessions: SessionsDep, principal: Principal, child_id: uuid.UUID) -> str:
    """The child's region, once the caller may change the file (404 outside scope, 403 auditors)."""
    async with sessions() as session:
        region = await reads.child_region(session, child_id)
    if region is None or not can_read(principal, region):
        raise ProblemException(404, "Not Found", NOT_FOUND)
    if not can_act(principal, region):
        raise ProblemException(403, "Forbidden", "您没有修改该儿童档案的权限")
    return region


Change = Callable[[UnitOfWork], Awaitable[ChildChangeOut]]


async def run_change(
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
    principal: Principal,
    child_id: uuid.UUID,
    change: Change,
) -> ChildChangeOut:
    await checked_region(sessions, principal, child_id)
    try:
        async with unit_of_work(sessions, cipher, rules=rules, correlation_id=str(child_id)) as uow:
            return await change(uow)
    except ChildProtectionError as exc:
        raise register_problem(exc) from exc
    except IntegrityError as exc:
        raise ProblemException(409, "Conflict", "儿童档案已被其他操作修改，请刷新后重试") from exc


# ---- the register ------------------------------------------------------------------------------------


@router.post("/children", status_code=201, response_model=ChildChangeOut)
async def register_child(
    body: ChildFileIn,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """建档: a child's file (一人一档); the first visit is scheduled by colour and category.

    A second file for the same ID number is refused with 409.
    """
    if not can_act(principal, body.region_code):
        raise ProblemException(403, "Forbidden", "只有本辖区的未成年人保护工作人员可以为儿童建档")
    new = register.NewChild(
        name=body.name,
        gender=body.gender,
        birth_date=body.birth_date,
        id_number=body.id_number,
        region_code=body.region_code,
        address=body.address,
        categories=list(body.categories),
        risk_colour=body.risk_colour,
        risk_reason=body.risk_reason,
        responsible=body.responsible,
        guardians=[guardian(g) for g in body.guardians],
        caregiver=caregiver(body.caregiver),
        agreement=agreement(body.agreement),
    )
    try:
        async with unit_of_work(sessions, cipher, rules=rules) as uow:
            child = await register.register_child(
                uow,
                new,
                at=datetime.now(UTC),
                actor=actor_of(principal),
                secret=settings.personkey_secret.get_secret_value(),
                policy=register.visit_policy(settings),
            )
    except AlreadyRegistered as exc:
        detail = exc.message if can_read(principal, exc.region_code) else "该儿童已在其他辖区建档（一人一档）"
        raise ProblemException(409, "Conflict", detail) from exc
    except ChildProtectionError as exc:
        raise register_problem(exc) from exc
    except IntegrityError as exc:
        raise ProblemException(409, "Conflict", "该儿童已建档（一人一档）") from exc
    return changed(child)


@router.get("/children", response_model=ChildListOut)
async def list_children(
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    category: Category | None = None,
    colour: Colour | None = None,
    visits: Literal["due", "overdue"] | None = Query(
        default=None, description="due：待访视（含已逾期）；overdue：仅已逾期"
    ),
    flag: Flag | None = None,
    region: str | None = Query(default=None, pattern=r"^[0-9]{2,12}$", description="区划代码前缀"),
    q: str | None = Query(default=None, max_length=50, description="按姓名查找"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> ChildListOut:
    """The register in the caller's region: overdue for a visit first, then due, then by risk colour."""
    if not can_use_service(principal):
        raise ProblemException(403, "Forbidden", "只有未成年人保护工作人员和审计人员可以查看儿童名册")
    today = china_date(datetime.now(UTC))
    async with sessions() as session:
        rows, total = await reads.list_children(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            due_until=today + timedelta(days=settings.visit_due_window_days),
            category=category,
            colour=colour,
            visits=visits,
            flag=flag,
            region=region,
            q=q,
            limit=limit,
            offset=offset,
        )
    return ChildListOut(total=total, items=[ChildSummaryOut.model_validate(r) for r in rows])


@router.get("/children/visits", response_model=VisitsDueOut)
async def visits_due(
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    days: int | None = Query(default=None, ge=0, le=90, description="未来多少天内到期；默认为提醒期"),
    mine: bool = False,
) -> VisitsDueOut:
    """Visits to make in the caller's region: overdue and missed (last 30 days, not made good) first."""
    if not can_use_service(principal):
        raise ProblemException(403, "Forbidden", "只有未成年人保护工作人员和审计人员可以查看访视计划")
    today = china_date(datetime.now(UTC))
    until = today + timedelta(days=settings.visit_due_window_days if days is None else days)
    async with sessions() as session:
        rows = await reads.visits_due(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            until=until,
            missed_since=today - timedelta(days=30),
            assigned_to=actor_of(principal) if mine else None,
        )
    return VisitsDueOut(today=today, until=until, items=[VisitDueOut.model_validate(r) for r in rows])


async def readable_child(
    sessions: SessionsDep,
    cipher: CipherDep,
    principal: Principal,
    child_id: uuid.UUID,
    *,
    action: str = "view",
    reveal: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """The file, once the caller may read it; the view (or reveal) is written to the access log."""
    async with sessions() as session, session.begin():
        detail = await reads.child_detail(session, cipher, child_id, reveal_id=reveal)
        if detail is None or not can_read(principal, detail["region_code"]):
            raise ProblemException(404, "Not Found", NOT_FOUND)
        await log_access(
            session,
            principal,
            record_type="child",
            record_id=str(child_id),
            action=action,
            region_code=detail["region_code"],
            reason=reason,
        )
    detail["age"] = age_on(detail["birth_date"], china_date(datetime.now(UTC)))
    return detail


@router.get("/children/{child_id}", response_model=ChildFileOut)
async def get_child(
    child_id: uuid.UUID, principal: CurrentPrincipal, sessions: SessionsDep, cipher: CipherDep
) -> ChildFileOut:
    """A child's file with its risk history, visits, history and cases (the view is access-logged)."""
    return ChildFileOut.model_validate(await readable_child(sessions, cipher, principal, child_id))


@router.post(
    "/children/{child_id}/reveal-id",
    response_model=RevealOut,
    dependencies=[Depends(require_roles(Role.supervisor, Role.admin))],
)
async def reveal_id(
    child_id: uuid.UUID,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    cipher: CipherDep,
    reason: str = Query(min_length=2, max_length=200),
) -> RevealOut:
    """A supervisor sees the child's full ID number; the reveal and its reason are logged."""
    detail = await readable_child(
        sessions, cipher, principal, child_id, action="reveal_id", reveal=True, reason=reason
    )
    return RevealOut(child_id=child_id, id_number=detail["id_number"])


# ---- changes to a file -------------------------------------------------------------------------------


@router.post("/children/{child_id}/details", response_model=ChildChangeOut)
async def update_details(
    child_id: uuid.UUID,
    body: DetailsIn,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """Basic details, categories, responsible person; a new ID number gives the file its stable personkey."""
    if body.region_code is not None and not can_act(principal, body.region_code):
        raise ProblemException(403, "Forbidden", f"区划 {body.region_code} 不在您的管辖范围内")
    details = register.Details(
        name=body.name,
        gender=body.gender,
        birth_date=body.birth_date,
        id_number=body.id_number,
        address=body.address,
        region_code=body.region_code,
        categories=list(body.categories) if body.categories is not None else None,
        responsible=body.responsible,
    )

    async def change(uow: UnitOfWork) -> ChildChangeOut:
        child = await register.update_details(
            uow,
            child_id,
            details,
            at=datetime.now(UTC),
            actor=actor_of(principal),
            secret=settings.personkey_secret.get_secret_value(),
            policy=register.visit_policy(settings),
        )
        return changed(child)

    return await run_change(sessions, cipher, rules, principal, child_id, change)


@router.post("/children/{child_id}/guardians", response_model=ChildChangeOut)
async def set_guardians(
    child_id: uuid.UUID,
    body: GuardiansIn,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """The guardians (replaces the list; exactly one primary)."""

    async def change(uow: UnitOfWork) -> ChildChangeOut:
        child = await register.set_guardians(
            uow,
            child_id,
            [guardian(g) for g in body.guardians],
            at=datetime.now(UTC),
            actor=actor_of(principal),
        )
        return changed(child)

    return await run_change(sessions, cipher, rules, principal, child_id, change)


@router.post("/children/{child_id}/caregiver", response_model=ChildChangeOut)
async def set_caregiver(
    child_id: uuid.UUID,
    body: CaregiverUpdateIn,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """The entrusted caregiver (MP-73); another caregiver needs a new written agreement."""

    async def change(uow: UnitOfWork) -> ChildChangeOut:
        child = await register.set_caregiver(
            uow, child_id, caregiver(body.caregiver), at=datetime.now(UTC), actor=actor_of(principal)
        )
        return changed(child)

    return await run_change(sessions, cipher, rules, principal, child_id, change)


@router.post("/children/{child_id}/agreement", response_model=ChildChangeOut)
async def record_agreement(
    child_id: uuid.UUID,
    body: AgreementIn,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """The written care agreement (MP-73): a left-behind child without a signed one is flagged."""
    signed = agreement(body)
    assert signed is not None

    async def change(uow: UnitOfWork) -> ChildChangeOut:
        child = await register.record_agreement(
            uow, child_id, signed, at=datetime.now(UTC), actor=actor_of(principal)
        )
        return changed(child)

    return await run_change(sessions, cipher, rules, principal, child_id, change)


@router.post("/children/{child_id}/risk", response_model=ChildChangeOut)
async def change_risk(
    child_id: uuid.UUID,
    body: RiskIn,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """A new colour with its reason (kept in the history); a rise to red or yellow opens a report."""

    async def change(uow: UnitOfWork) -> ChildChangeOut:
        child, opened = await register.change_risk(
            uow,
            child_id,
            body.colour,
            body.reason,
            at=datetime.now(UTC),
            actor=actor_of(principal),
            policy=register.visit_policy(settings),
            window_days=settings.duplicate_window_days,
        )
        return changed(child, opened=opened)

    return await run_change(sessions, cipher, rules, principal, child_id, change)


@router.post("/children/{child_id}/visits", status_code=201, response_model=ChildChangeOut)
async def schedule_visit(
    child_id: uuid.UUID,
    body: VisitIn,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """Plan a visit (家访) or a phone contact (电话联系) on a day from today on."""

    async def change(uow: UnitOfWork) -> ChildChangeOut:
        child, visit = await register.schedule_visit(
            uow,
            child_id,
            due_date=body.due_date,
            visit_type=body.visit_type,
            assigned_to=body.assigned_to,
            note=body.note,
            at=datetime.now(UTC),
            actor=actor_of(principal),
        )
        return changed(child, visit_id=visit.id)

    return await run_change(sessions, cipher, rules, principal, child_id, change)


async def _record(
    child_id: uuid.UUID,
    visit_id: uuid.UUID | None,
    body: VisitRecordIn,
    principal: Principal,
    settings: SettingsDep,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    record = register.VisitRecord(
        visit_id=visit_id,
        visited_on=body.visited_on,
        notes=body.notes,
        visit_type=body.visit_type,
        risk_raised=body.risk_raised,
        new_colour=body.risk_colour,
        risk_reason=body.risk_reason,
    )

    async def change(uow: UnitOfWork) -> ChildChangeOut:
        child, visit, opened = await register.record_visit(
            uow,
            child_id,
            record,
            at=datetime.now(UTC),
            actor=actor_of(principal),
            policy=register.visit_policy(settings),
            window_days=settings.duplicate_window_days,
        )
        return changed(child, visit_id=visit.id, opened=opened)

    return await run_change(sessions, cipher, rules, principal, child_id, change)


@router.post("/children/{child_id}/visits/record", response_model=ChildChangeOut)
async def record_unplanned_visit(
    child_id: uuid.UUID,
    body: VisitRecordIn,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """Record a visit that was not planned; the next one is scheduled, a risk found opens a report."""
    return await _record(child_id, None, body, principal, settings, sessions, cipher, rules)


@router.post("/children/{child_id}/visits/{visit_id}/record", response_model=ChildChangeOut)
async def record_visit(
    child_id: uuid.UUID,
    visit_id: uuid.UUID,
    body: VisitRecordIn,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ChildChangeOut:
    """Record a planned visit; the next one is scheduled, a risk found opens a report."""
    return await _record(child_id, visit_id, body, principal, settings, sessions, cipher, rules)
