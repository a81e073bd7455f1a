"""The register API (监测预防, 一人一档) and its 走访: thin, each change one command through the bus.

Access follows the cases': child-protection staff of the child's region change a file, auditors of the
region read it, anyone else gets 403 (wrong program or role) or 404 (outside the region scope: a child's
file does not disclose that it exists). Every view of a file, and a 审核人's reveal of the ID number, is
written to the access log (record type "child").
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.exc import IntegrityError

from child_protection.bootstrap import ChildProtectionRuntime
from child_protection.domain.child_parts import age_on, china_date
from child_protection.domain.commands import ChildCommand
from child_protection.domain.errors import NotAllowed
from child_protection.entrypoints.api.case_schemas import RevealIn
from child_protection.entrypoints.api.child_read_schemas import (
    ChildChangeOut,
    ChildFileOut,
    ChildListOut,
    ChildRevealOut,
    ChildSummaryOut,
    VisitDueOut,
    VisitsDueOut,
)
from child_protection.entrypoints.api.child_schemas import (
    AgreementIn,
    CaregiverUpdateIn,
    Category,
    ChildFileIn,
    Colour,
    DetailsIn,
    Flag,
    GuardiansIn,
    RiskIn,
    VisitIn,
    VisitRecordIn,
)
from child_protection.entrypoints.api.deps import RuntimeDep, actor_of
from child_protection.service_layer import child_views
from child_protection.service_layer.access import (
    can_act,
    can_use_service,
    checked_child,
    log_access,
)
from shared.auth.deps import CurrentPrincipal, require_roles
from shared.auth.principal import Principal, Role
from shared.kit.errors import Conflict
from shared.regions import region_prefix

router = APIRouter(prefix="/api/v1", tags=["register of children"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {},
    404: {"description": "儿童档案不存在，或不在您的管辖范围内"},
}


async def register_child_file(
    runtime: ChildProtectionRuntime, principal: Principal, body: ChildFileIn
) -> ChildChangeOut:
    """建档 through the bus; a second file for the same child is refused without saying where it is."""
    if not can_act(principal, body.region_code):
        raise NotAllowed("只有本辖区的未成年人保护工作人员可以为儿童建档")
    try:
        return ChildChangeOut.of(await runtime.bus.handle(body.command(actor_of(principal))))
    except IntegrityError as exc:
        raise Conflict("该儿童已建档（一人一档）") from exc


async def change_file(
    runtime: ChildProtectionRuntime, principal: Principal, child_id: uuid.UUID, command: ChildCommand
) -> ChildChangeOut:
    """One change of a file, once the caller may change it."""
    async with runtime.sessions() as session:
        await checked_child(session, principal, child_id, acting=True)
    return ChildChangeOut.of(await runtime.bus.handle(command))


@router.post(
    "/children", status_code=201, response_model=ChildChangeOut, responses={403: {}, 409: {}, 422: {}}
)
async def register_child(
    body: ChildFileIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """建档: a child's file (一人一档), the first 走访 scheduled by colour and category; 409 if one exists."""
    return await register_child_file(runtime, principal, body)


@router.get("/children", response_model=ChildListOut)
async def list_children(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    category: Category | None = None,
    colour: Colour | None = None,
    visits: Literal["due", "overdue"] | None = Query(
        default=None, description="due：待走访（含已逾期）；overdue：仅已逾期"
    ),
    flag: Flag | None = None,
    region: str | None = Query(default=None, pattern=r"^[0-9]{2,12}$", description="区划代码前缀"),
    q: str | None = Query(default=None, max_length=50, description="按姓名查找"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> ChildListOut:
    """The register in the caller's region: overdue for a 走访 first, then due, then by risk colour."""
    if not can_use_service(principal):
        raise NotAllowed("只有未成年人保护工作人员和审计人员可以查看儿童名册")
    today = china_date(runtime.clock())
    async with runtime.sessions() as session:
        rows, total = await child_views.list_children(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            due_until=today + timedelta(days=runtime.settings.visit_due_window_days),
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
    runtime: RuntimeDep,
    days: int | None = Query(default=None, ge=0, le=90, description="未来多少天内到期；默认为提醒期"),
    mine: bool = Query(False, description="只看负责人是我的走访"),
) -> VisitsDueOut:
    """走访 to make in the caller's region: overdue and missed (last 30 days, not made good) first."""
    if not can_use_service(principal):
        raise NotAllowed("只有未成年人保护工作人员和审计人员可以查看走访计划")
    today = china_date(runtime.clock())
    until = today + timedelta(days=runtime.settings.visit_due_window_days if days is None else days)
    async with runtime.sessions() as session:
        rows = await child_views.visits_due(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            until=until,
            missed_since=today - timedelta(days=30),
            assigned_to=actor_of(principal).name if mine else None,
        )
    return VisitsDueOut(today=today, until=until, items=[VisitDueOut.model_validate(r) for r in rows])


async def readable_child(
    runtime: ChildProtectionRuntime,
    principal: Principal,
    child_id: uuid.UUID | None,
    *,
    action: str = "view",
    reason: str | None = None,
) -> dict[str, Any]:
    """The file, once the caller may read it; the view (or the reveal) is written to the access log."""
    assert runtime.cipher is not None
    async with runtime.sessions() as session, session.begin():
        region = await checked_child(session, principal, child_id, acting=False)
        assert child_id is not None
        reveal = action == "reveal_id"
        detail = await child_views.child_detail(session, runtime.cipher, child_id, reveal_id=reveal)
        assert detail is not None
        await log_access(
            session,
            principal,
            record_type="child",
            record_id=str(child_id),
            action=action,
            region_code=region,
            reason=reason,
        )
    return {**detail, "age": age_on(detail["birth_date"], china_date(runtime.clock()))}


@router.get("/children/{child_id}", response_model=ChildFileOut, responses=_ERRORS)
async def get_child(child_id: uuid.UUID, principal: CurrentPrincipal, runtime: RuntimeDep) -> ChildFileOut:
    """A child's file with its risk history, 走访, history and cases (the view is access-logged)."""
    return ChildFileOut.model_validate(await readable_child(runtime, principal, child_id))


@router.post(
    "/children/{child_id}/reveal-id",
    response_model=ChildRevealOut,
    responses=_ERRORS,
    dependencies=[Depends(require_roles(Role.supervisor, Role.admin))],
)
async def reveal_id(
    child_id: uuid.UUID,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    body: RevealIn,
) -> ChildRevealOut:
    """A 审核人 sees the child's full ID number; the reveal and its reason (in the body, never in the URL)
    are logged."""
    detail = await readable_child(runtime, principal, child_id, action="reveal_id", reason=body.reason)
    return ChildRevealOut(child_id=child_id, id_number=detail["id_number"])


@router.post("/children/{child_id}/details", response_model=ChildChangeOut, responses=_ERRORS)
async def update_details(
    child_id: uuid.UUID, body: DetailsIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """Basic details, categories, responsible person; a new ID number gives the file its stable personkey."""
    if body.region_code is not None and not can_act(principal, body.region_code):
        raise NotAllowed(f"区划 {body.region_code} 不在您的管辖范围内")
    return await change_file(runtime, principal, child_id, body.command(child_id, actor_of(principal)))


@router.post("/children/{child_id}/guardians", response_model=ChildChangeOut, responses=_ERRORS)
async def set_guardians(
    child_id: uuid.UUID, body: GuardiansIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """The guardians (replaces the list; exactly one primary)."""
    return await change_file(runtime, principal, child_id, body.command(child_id, actor_of(principal)))


@router.post("/children/{child_id}/caregiver", response_model=ChildChangeOut, responses=_ERRORS)
async def set_caregiver(
    child_id: uuid.UUID, body: CaregiverUpdateIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """The entrusted caregiver (MP-73); another caregiver needs a new written agreement."""
    return await change_file(runtime, principal, child_id, body.command(child_id, actor_of(principal)))


@router.post("/children/{child_id}/agreement", response_model=ChildChangeOut, responses=_ERRORS)
async def record_agreement(
    child_id: uuid.UUID, body: AgreementIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """The written care agreement (MP-73): a left-behind child without a signed one is flagged."""
    return await change_file(runtime, principal, child_id, body.command(child_id, actor_of(principal)))


@router.post("/children/{child_id}/risk", response_model=ChildChangeOut, responses=_ERRORS)
async def change_risk(
    child_id: uuid.UUID, body: RiskIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """A new colour with its reason (kept in the history); a rise to red or yellow opens a report."""
    return await change_file(runtime, principal, child_id, body.command(child_id, actor_of(principal)))


@router.post("/children/{child_id}/visits", status_code=201, response_model=ChildChangeOut, responses=_ERRORS)
async def schedule_visit(
    child_id: uuid.UUID, body: VisitIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """Plan a 家庭走访 or a 电话联系 on a day from today on."""
    return await change_file(runtime, principal, child_id, body.command(child_id, actor_of(principal)))


@router.post("/children/{child_id}/visits/record", response_model=ChildChangeOut, responses=_ERRORS)
async def record_unplanned_visit(
    child_id: uuid.UUID, body: VisitRecordIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> ChildChangeOut:
    """Record a 走访 that was not planned; the next one is scheduled, a risk found opens a report."""
    command = body.command(child_id, actor_of(principal), None)
    return await change_file(runtime, principal, child_id, command)


@router.post(
    "/children/{child_id}/visits/{visit_id}/record", response_model=ChildChangeOut, responses=_ERRORS
)
async def record_visit(
    child_id: uuid.UUID,
    visit_id: uuid.UUID,
    body: VisitRecordIn,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
) -> ChildChangeOut:
    """Record a planned 走访; the next one is scheduled, a risk found opens a report."""
    command = body.command(child_id, actor_of(principal), visit_id)
    return await change_file(runtime, principal, child_id, command)
