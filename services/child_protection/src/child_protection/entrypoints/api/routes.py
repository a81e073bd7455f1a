"""The child_protection JSON API: reports, the work queue, cases, actions, the access log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from child_protection.domain.errors import (
    ApprovalRequired,
    ChildProtectionError,
    InvalidTransition,
    MissingPrerequisite,
    NotFound,
)
from child_protection.domain.model import Child, Report
from child_protection.entrypoints.api.deps import CipherDep, RulesDep, SessionsDep, SettingsDep
from child_protection.entrypoints.api.schemas import ReportIn, ReportOut
from child_protection.service_layer import handlers, views
from child_protection.service_layer.access import (
    can_act,
    can_read,
    can_use_service,
    is_supervisor,
    log_access,
)
from child_protection.service_layer.unit_of_work import unit_of_work
from shared.auth.deps import CurrentPrincipal, require_roles
from shared.auth.principal import Principal, Role
from shared.identity import parse_id_number, personkey, provisional_personkey
from shared.problems import ProblemException
from shared.regions import region_prefix

router = APIRouter(prefix="/api/v1", tags=["child protection"])


def actor_of(principal: Principal) -> str:
    return (
        f"{principal.sub}（{principal.name}）"
        if principal.name and principal.name != principal.sub
        else principal.sub
    )


def problem_for(exc: ChildProtectionError) -> ProblemException:
    """Domain refusals as problem+json: 404 missing, 409 wrong stage, 422 missing input."""
    if isinstance(exc, NotFound):
        return ProblemException(404, "Not Found", exc.message)
    if isinstance(exc, MissingPrerequisite):
        return ProblemException(422, "Unprocessable Entity", exc.message)
    if isinstance(exc, ApprovalRequired | InvalidTransition):
        return ProblemException(409, "Conflict", exc.message)
    return ProblemException(400, "Bad Request", exc.message)


def child_from(body: ReportIn, secret: str) -> Child:
    key = None
    if body.child.id_number:
        info = parse_id_number(body.child.id_number)
        if info.valid and info.normalized:
            key = personkey(info.normalized, secret)
    return Child(
        personkey=key or provisional_personkey(),
        name=body.child.name,
        gender=body.child.gender,
        age=body.child.age,
        id_number=body.child.id_number,
        child_id=body.child.child_id,
    )


@router.post("/reports", status_code=201, response_model=ReportOut)
async def create_report(
    body: ReportIn,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> ReportOut:
    """A mandatory reporter's (or a caseworker's) report; linked to the child's open case if there is one."""
    if not can_act(principal, body.region_code):
        raise ProblemException(403, "Forbidden", "只有本辖区的未成年人保护工作人员可以登记报告")
    now = datetime.now(UTC)
    new = handlers.NewReport(
        region_code=body.region_code,
        urgency=body.urgency,
        child=child_from(body, settings.personkey_secret.get_secret_value()),
        report=Report(
            id=uuid.uuid4().hex,
            received_at=now,
            source="mandatory_reporter",
            reporter_type=body.reporter_type,
            content=body.content,
            reporter_name=body.reporter_name,
            reporter_contact=body.reporter_contact,
        ),
    )
    async with unit_of_work(sessions, cipher, rules=rules) as uow:
        outcome = await handlers.report(
            uow, new, at=now, actor=actor_of(principal), window_days=settings.duplicate_window_days
        )
    c = outcome.case
    return ReportOut(case_id=str(c.id), case_ref=c.case_ref, stage=c.stage.value, linked=outcome.linked)


@router.get("/cases")
async def list_cases(
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    mine: bool = False,
    stage: str | None = None,
    include_closed: bool = False,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> JSONResponse:
    """The work queue: my cases or my region's, overdue first, by risk colour and urgency."""
    if not can_use_service(principal):
        raise ProblemException(403, "Forbidden", "只有未成年人保护工作人员和审计人员可以查看案件")
    async with sessions() as session:
        rows, total = await views.work_queue(
            session,
            scope_prefix=region_prefix(principal.region),
            now=datetime.now(UTC),
            owner=actor_of(principal) if mine else None,
            stage=stage,
            include_closed=include_closed,
            limit=limit,
            offset=offset,
        )
    return JSONResponse({"total": total, "items": _json(rows)})


async def _readable_case(
    sessions: SessionsDep,
    cipher: CipherDep,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    action: str = "view",
    reveal: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    async with sessions() as session, session.begin():
        detail = await views.case_detail(session, cipher, case_id, reveal_id=reveal)
        if detail is None or not can_read(principal, detail["region_code"]):
            # Out of scope looks like missing: a child's case does not disclose that it exists.
            raise ProblemException(404, "Not Found", "案件不存在，或不在您的管辖范围内")
        await log_access(
            session,
            principal,
            record_type="case",
            record_id=str(case_id),
            action=action,
            region_code=detail["region_code"],
            reason=reason,
        )
    return detail


@router.get("/cases/{case_id}")
async def get_case(
    case_id: uuid.UUID, principal: CurrentPrincipal, sessions: SessionsDep, cipher: CipherDep
) -> JSONResponse:
    """One case (the view is recorded in the access log); the child's ID number is masked."""
    return JSONResponse(_json(await _readable_case(sessions, cipher, principal, case_id)))


@router.post("/cases/{case_id}/reveal-id", dependencies=[Depends(require_roles(Role.supervisor, Role.admin))])
async def reveal_id(
    case_id: uuid.UUID,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    cipher: CipherDep,
    reason: str = Query(min_length=2, max_length=200),
) -> JSONResponse:
    """A supervisor sees the child's full ID number; the reveal and its reason are logged."""
    detail = await _readable_case(
        sessions, cipher, principal, case_id, action="reveal_id", reveal=True, reason=reason
    )
    return JSONResponse({"case_id": str(case_id), "id_number": detail["child"]["id_number"]})


@router.post("/cases/{case_id}/actions/{action}")
async def case_action(
    case_id: uuid.UUID,
    action: str,
    params: dict[str, Any],
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    cipher: CipherDep,
    rules: RulesDep,
) -> JSONResponse:
    """Carry a case along the chain: accept, advance, record_emergency, assess, add_plan_item, close…"""
    if action not in handlers.ACTIONS:
        raise ProblemException(404, "Not Found", f"未知操作 {action}")
    if action in handlers.SUPERVISOR_ACTIONS and not is_supervisor(principal):
        raise ProblemException(403, "Forbidden", "跳过环节须由督导（主管）审批")
    async with sessions() as session:
        region = await views.case_region(session, case_id)
    if region is None or not can_read(principal, region):
        raise ProblemException(404, "Not Found", "案件不存在，或不在您的管辖范围内")
    if not can_act(principal, region):
        raise ProblemException(403, "Forbidden", "您没有办理该案件的权限")
    try:
        async with unit_of_work(sessions, cipher, rules=rules) as uow:
            c = await handlers.act(
                uow, case_id, action, params, at=datetime.now(UTC), actor=actor_of(principal)
            )
    except (KeyError, ValueError) as exc:
        raise ProblemException(422, "Unprocessable Entity", f"参数缺失或无效：{exc}") from exc
    except ChildProtectionError as exc:
        raise problem_for(exc) from exc
    return JSONResponse(
        {
            "case_id": str(c.id),
            "case_ref": c.case_ref,
            "stage": c.stage.value,
            "step_due_at": c.step_due_at.isoformat() if c.step_due_at else None,
        }
    )


@router.get("/access-log", dependencies=[Depends(require_roles(Role.auditor, Role.admin))])
async def access_log(
    principal: CurrentPrincipal, sessions: SessionsDep, record_id: str | None = None
) -> JSONResponse:
    """Who viewed which child's case or file, when, and the trace id (auditors)."""
    async with sessions() as session:
        entries = await views.access_entries(
            session, scope_prefix=region_prefix(principal.region), record_id=record_id
        )
    return JSONResponse({"items": _json(entries)})


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value
