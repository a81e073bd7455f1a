"""One child's file (一人一档) and its forms: details, guardians, caregiver, care agreement, risk colour,
走访 planned and recorded. Each form is read into the API's request model and issues the same command;
every view of the file is written to the access log."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from child_protection.bootstrap import ChildProtectionRuntime
from child_protection.domain.child_parts import age_on, china_date
from child_protection.domain.errors import ChildNotFound
from child_protection.entrypoints.api.deps import RuntimeDep, actor_of
from child_protection.entrypoints.web.child_forms import form_command, guardian_rows
from child_protection.entrypoints.web.common import CpUser, FormError, form_values, pages
from child_protection.service_layer import child_views
from child_protection.service_layer.access import can_act, checked_child, is_supervisor, log_access
from child_protection.service_layer.case_views import CASE_REF
from child_protection.service_layer.child_handlers import ChildChange
from shared.auth.principal import Principal
from shared.kit.errors import DomainError
from shared.web.formatting import parse_id
from shared.web.security import PageExit, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
GUARDIAN_ROWS_EXTRA = 2
# The page's forms and the section each returns to.
SECTIONS = {
    "details": "basic",
    "guardians": "guardians",
    "caregiver": "care",
    "agreement": "care",
    "risk": "risk",
    "schedule": "visits",
    "record": "visits",
}
DONE_NOTICES = {
    "registered": "儿童档案已建立，首次走访已按风险等级自动安排。",
    "details": "基本信息已更新。",
    "guardians": "监护人信息已更新。",
    "caregiver": "被委托照护人已更新。",
    "agreement": "书面照护协议已记录。",
    "risk": "风险等级已调整。",
    "schedule": "走访已安排。",
    "record": "走访已记录，下一次走访已自动安排。",
}


async def child_page(
    request: Request,
    runtime: ChildProtectionRuntime,
    principal: Principal,
    child_id: uuid.UUID | None,
    *,
    notice: str | None = None,
    case_link: Mapping[str, str] | None = None,
    form_errors: Mapping[str, str] | None = None,
    form_values_: Mapping[str, Mapping[str, Any]] | None = None,
    reveal_reason: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The child's file with all its sections and forms; the view (or the reveal) is access-logged."""
    assert runtime.cipher is not None
    reveal = reveal_reason is not None
    try:
        async with runtime.sessions() as session, session.begin():
            region = await checked_child(session, principal, child_id, acting=False)
            assert child_id is not None
            detail = await child_views.child_detail(session, runtime.cipher, child_id, reveal_id=reveal)
            assert detail is not None
            action = "reveal_id" if reveal else "view"
            await log_access(
                session,
                principal,
                record_type="child",
                record_id=str(child_id),
                action=action,
                region_code=region,
                reason=reveal_reason,
            )
    except DomainError as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc
    today = china_date(runtime.clock())
    detail["age"] = age_on(detail["birth_date"], today)
    open_visits = sorted(
        (v for v in detail["visits"] if v["status"] == "scheduled"), key=lambda v: v["due_date"]
    )
    values = {k: dict(v) for k, v in (form_values_ or {}).items()}
    blank = {"name": "", "relation": "", "phone": "", "is_primary": False, "working_away": False}
    guardian_rows = values.get("guardians", {}).get("rows") or [
        *[dict(g) for g in detail["guardians"]],
        *[dict(blank) for _ in range(GUARDIAN_ROWS_EXTRA)],
    ]
    return pages.render(
        request,
        "register_child.html",
        principal=principal,
        status_code=status_code,
        child=detail,
        today=today,
        open_visits=open_visits,
        can_change=can_act(principal, detail["region_code"]),
        can_reveal=is_supervisor(principal) and bool(detail["has_id_number"]),
        revealed=reveal,
        revealed_text=reveal,
        notice=notice,
        case_link=case_link,
        form_errors=dict(form_errors or {}),
        values=values,
        guardian_rows=guardian_rows,
    )


@router.get("/children/{child_id}")
async def child_file(child_id: str, request: Request, principal: CpUser, runtime: RuntimeDep) -> HTMLResponse:
    params = request.query_params
    notice = DONE_NOTICES.get(params.get("done", ""))
    case_link = None
    case_ref = params.get("case", "")
    if notice and CASE_REF.fullmatch(case_ref):
        text = "已并入该儿童在办的案件" if params.get("linked") == "1" else "已生成报告并建立案件"
        case_link = {"href": f"/cases/{case_ref}", "text": f"{text} {case_ref}"}
    return await child_page(
        request, runtime, principal, parse_id(child_id), notice=notice, case_link=case_link
    )


@router.post("/children/{child_id}/reveal-id")
async def reveal_id(child_id: str, request: Request, principal: CpUser, runtime: RuntimeDep) -> Response:
    """A 审核人 sees the full ID number on the page (once); the reveal and its reason are logged."""
    pages.check_origin(request, principal)
    parsed = parse_id(child_id)
    try:
        async with runtime.sessions() as session:
            await checked_child(session, principal, parsed, acting=False)
    except DomainError as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc
    if not is_supervisor(principal):
        raise PageExit(pages.error(request, 403, "只有审核人可以查看完整身份证号。", principal))
    reason = form_values(await request.form(), 200).get("reason", "")
    if len(reason) < 2:
        errors = {"reveal": "请填写查看完整身份证号的理由（至少 2 个字）"}
        return await child_page(
            request,
            runtime,
            principal,
            parsed,
            form_errors=errors,
            form_values_={"reveal": {"reason": reason}},
            status_code=422,
        )
    return await child_page(request, runtime, principal, parsed, reveal_reason=reason)


@router.post("/children/{child_id}/{form_name}")
async def child_form(
    child_id: str, form_name: str, request: Request, principal: CpUser, runtime: RuntimeDep
) -> Response:
    """One of the file's forms: details, guardians, caregiver, agreement, risk, schedule, record."""
    pages.check_origin(request, principal)
    if form_name not in SECTIONS:
        raise PageExit(pages.error(request, 404, "未知的操作。", principal))
    parsed = parse_id(child_id)
    try:
        async with runtime.sessions() as session:
            await checked_child(session, principal, parsed, acting=True)
    except DomainError as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc
    assert parsed is not None
    form = await request.form()
    values = form_values(form, 2000)
    try:
        change: ChildChange = await runtime.bus.handle(
            form_command(form_name, form, values, parsed, actor_of(principal), principal)
        )
    except ChildNotFound as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc
    except (FormError, DomainError) as exc:
        message, status = (
            ("；".join(exc.messages), exc.status) if isinstance(exc, FormError) else (exc.message, exc.status)
        )
        kept: dict[str, Any] = {**values, "categories": [str(v) for v in form.getlist("categories")]}
        kept["checked"] = [k for k in ("risk_raised", "remove") if k in form]
        if form_name == "guardians":
            kept["rows"] = guardian_rows(form, values)
        return await child_page(
            request,
            runtime,
            principal,
            parsed,
            form_errors={form_name: message},
            form_values_={form_name: kept},
            status_code=status,
        )
    query = {"done": form_name}
    if change.opened is not None:
        query.update(case=change.opened.case.case_ref, linked="1" if change.opened.linked else "0")
    return RedirectResponse(f"/children/{parsed}?{urlencode(query)}#{SECTIONS[form_name]}", status_code=303)
