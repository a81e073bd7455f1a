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
from starlette.datastructures import FormData

from child_protection.bootstrap import ChildProtectionRuntime
from child_protection.domain.child_parts import age_on, china_date
from child_protection.domain.commands import Actor, ChildCommand
from child_protection.domain.errors import ChildNotFound
from child_protection.entrypoints.api import child_schemas as s
from child_protection.entrypoints.api.deps import RuntimeDep, actor_of
from child_protection.entrypoints.web.common import (
    CpUser,
    FormError,
    form_values,
    int_param,
    pages,
    parse_form,
)
from child_protection.service_layer import child_views
from child_protection.service_layer.access import can_act, checked_child, is_supervisor, log_access
from child_protection.service_layer.child_handlers import ChildChange
from shared.auth.principal import Principal
from shared.kit.errors import DomainError
from shared.regions import is_region_code
from shared.web.formatting import normalize_code
from shared.web.security import PageExit, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
GUARDIAN_ROWS_EXTRA = 2
MAX_GUARDIAN_ROWS = 12
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
NAMES = {
    "guardians.name": "监护人姓名",
    "guardians.relation": "与儿童关系",
    "caregiver.name": "被委托照护人姓名",
    "caregiver.relation": "被委托照护人与儿童关系",
    "name": "姓名",
    "birth_date": "出生日期",
    "region_code": "行政区划代码",
    "categories": "儿童类别",
    "signed_date": "签订日期",
    "colour": "新的风险等级",
    "reason": "调整理由",
    "due_date": "计划走访日期",
    "visited_on": "走访日期",
    "notes": "走访情况",
}


def parse_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


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
    if notice and case_ref:
        text = "已并入该儿童在办的案件" if params.get("linked") == "1" else "已生成报告并建立案件"
        case_link = {"href": f"/cases/{case_ref}", "text": f"{text} {case_ref}"}
    return await child_page(
        request, runtime, principal, parse_id(child_id), notice=notice, case_link=case_link
    )


def guardian_rows(form: FormData, values: Mapping[str, str]) -> list[dict[str, Any]]:
    count = int_param(values.get("row_count"), 0, low=0, high=MAX_GUARDIAN_ROWS)
    primary = values.get("primary", "")
    return [
        {
            "name": values.get(f"g-{i}-name", "")[:50],
            "relation": values.get(f"g-{i}-relation", "")[:20],
            "phone": values.get(f"g-{i}-phone", "")[:20],
            "is_primary": primary == str(i),
            "working_away": f"g-{i}-away" in form,
            "delete": f"g-{i}-delete" in form,
        }
        for i in range(count)
    ]


def form_command(
    name: str,
    form: FormData,
    values: Mapping[str, str],
    child_id: uuid.UUID,
    actor: Actor,
    principal: Principal,
) -> ChildCommand:
    """One of the file's forms as the API's request model, then its command."""
    match name:
        case "details":
            region = normalize_code(values.get("region_code", ""))
            if is_region_code(region) and not can_act(principal, region):
                raise FormError([f"行政区划 {region} 不在您的管辖范围内"], 403)
            details = {
                **values,
                "region_code": region,
                "id_number": normalize_code(values.get("id_number", "")),
            }
            details["categories"] = list(form.getlist("categories"))  # type: ignore[assignment]
            return parse_form(s.DetailsIn, details, NAMES).command(child_id, actor)
        case "guardians":
            rows = [r for r in guardian_rows(form, values) if not r.pop("delete")]
            kept = [r for r in rows if r["name"] or r["relation"] or r["phone"]]
            return parse_form(s.GuardiansIn, {"guardians": kept}, NAMES).command(child_id, actor)
        case "caregiver":
            person = (
                None if "remove" in form else {k: values.get(k, "") for k in ("name", "relation", "phone")}
            )
            return parse_form(s.CaregiverUpdateIn, {"caregiver": person}, NAMES).command(child_id, actor)
        case "agreement":
            signed = values.get("signed") == "yes"
            agreement: dict[str, Any] = {"signed": signed}
            if signed:
                agreement.update(
                    signed_date=values.get("signed_date", ""), document_ref=values.get("document_ref", "")
                )
            return parse_form(s.AgreementIn, agreement, NAMES).command(child_id, actor)
        case "risk":
            return parse_form(s.RiskIn, values, NAMES).command(child_id, actor)
        case "schedule":
            return parse_form(s.VisitIn, values, NAMES).command(child_id, actor)
    raw_visit = values.get("visit_id", "")
    visit_id = parse_id(raw_visit) if raw_visit else None
    if raw_visit and visit_id is None:
        raise FormError(["请选择要记录的走访"])
    data = {k: v for k, v in values.items() if k != "visit_id"}
    return parse_form(s.VisitRecordIn, {**data, "risk_raised": "risk_raised" in form}, NAMES).command(
        child_id, actor, visit_id
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
