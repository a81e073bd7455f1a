"""The case API's reports and reads: a report entered by hand, the work queue, one case (by id or by
reference), the reveal of the child's ID number, the access log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from child_protection.bootstrap import ChildProtectionRuntime
from child_protection.domain.errors import NotAllowed
from child_protection.entrypoints.api.case_read_schemas import (
    AccessEntryOut,
    AccessLogOut,
    CaseListOut,
    CaseOut,
    CaseRevealOut,
    CaseSummaryOut,
)
from child_protection.entrypoints.api.case_schemas import (
    ReportIn,
    ReportOut,
    RevealIn,
)
from child_protection.entrypoints.api.deps import CaseKey, RuntimeDep, actor_of
from child_protection.service_layer import case_views
from child_protection.service_layer.access import can_act, can_use_service, checked_case, log_access
from child_protection.service_layer.report_handlers import ReportOutcome
from shared.auth.deps import CurrentPrincipal, require_roles
from shared.auth.principal import Principal, Role
from shared.regions import region_prefix

router = APIRouter(prefix="/api/v1", tags=["child protection"])
_READ: dict[int | str, dict[str, Any]] = {404: {"description": "案件不存在，或不在您的管辖范围内"}}


@router.post("/reports", status_code=201, response_model=ReportOut, responses={403: {}, 422: {}})
async def create_report(body: ReportIn, principal: CurrentPrincipal, runtime: RuntimeDep) -> ReportOut:
    """A report entered by hand (强制报告 or 群众报告); linked to the child's open case if there is one."""
    if not can_act(principal, body.region_code):
        raise NotAllowed("只有本辖区的未成年人保护工作人员可以登记报告")
    outcome: ReportOutcome = await runtime.bus.handle(body.command(actor_of(principal)))
    c = outcome.case
    return ReportOut(case_id=c.id, case_ref=c.case_ref, stage=c.stage.value, linked=outcome.linked)


@router.get("/cases", response_model=CaseListOut)
async def list_cases(
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    mine: bool = Query(False, description="只看我承办的案件"),
    stage: str | None = None,
    include_closed: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> CaseListOut:
    """The work queue: my cases or my region's, overdue first, by risk colour and urgency."""
    if not can_use_service(principal):
        raise NotAllowed("只有未成年人保护工作人员和审计人员可以查看案件")
    async with runtime.sessions() as session:
        rows, total = await case_views.work_queue(
            session,
            scope_prefix=region_prefix(principal.region),
            now=runtime.clock(),
            owner=principal.sub if mine else None,
            stage=stage,
            include_closed=include_closed,
            limit=limit,
            offset=offset,
        )
    return CaseListOut(total=total, items=[CaseSummaryOut.model_validate(r) for r in rows])


async def readable_case(
    runtime: ChildProtectionRuntime,
    principal: Principal,
    key: str,
    *,
    action: str = "view",
    reason: str | None = None,
) -> dict[str, Any]:
    """The case once the caller may read it; the view (or the reveal) is written to the access log."""
    assert runtime.cipher is not None
    async with runtime.sessions() as session, session.begin():
        scope = await checked_case(session, principal, key, acting=False)
        detail = await case_views.case_detail(
            session, runtime.cipher, scope.id, reveal_id=action == "reveal_id"
        )
        assert detail is not None
        await log_access(
            session,
            principal,
            record_type="case",
            record_id=str(scope.id),
            action=action,
            region_code=scope.region_code,
            reason=reason,
        )
    return detail


@router.get("/cases/{case}", response_model=CaseOut, responses=_READ)
async def get_case(case: CaseKey, principal: CurrentPrincipal, runtime: RuntimeDep) -> CaseOut:
    """One case by its id or its reference (the view is recorded in the access log); the ID number masked."""
    return CaseOut.model_validate(await readable_case(runtime, principal, case))


@router.post(
    "/cases/{case}/reveal-id",
    response_model=CaseRevealOut,
    responses=_READ,
    dependencies=[Depends(require_roles(Role.supervisor, Role.admin))],
)
async def reveal_id(
    case: CaseKey,
    principal: CurrentPrincipal,
    runtime: RuntimeDep,
    body: RevealIn,
) -> CaseRevealOut:
    """A 审核人 sees the child's full ID number; the reveal and its reason (in the body, never in the URL)
    are logged."""
    detail = await readable_case(runtime, principal, case, action="reveal_id", reason=body.reason)
    return CaseRevealOut(case_id=detail["id"], id_number=detail["child"]["id_number"])


@router.get(
    "/access-log",
    response_model=AccessLogOut,
    dependencies=[Depends(require_roles(Role.auditor, Role.admin))],
)
async def access_log(
    principal: CurrentPrincipal, runtime: RuntimeDep, record_id: str | None = None
) -> AccessLogOut:
    """Who viewed which child's case or file, when, and the trace id (auditors)."""
    async with runtime.sessions() as session:
        entries = await case_views.access_entries(
            session, scope_prefix=region_prefix(principal.region), record_id=record_id
        )
    return AccessLogOut(items=[AccessEntryOut.model_validate(e) for e in entries])
