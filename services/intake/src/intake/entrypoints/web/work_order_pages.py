"""Intake desk pages of work orders: the list, the triage queue, one work order, routing from triage."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from intake.domain.commands import RouteFromTriage
from intake.domain.errors import WorkOrderNotFound
from intake.domain.model import OPEN, Status
from intake.domain.routing import SERVICES, responsible_county
from intake.entrypoints.web.common import (
    PAGE_SIZE,
    DeskUser,
    RuntimeDep,
    actor_of,
    not_found,
    pages,
)
from intake.service_layer.routing_table import seed_rules
from intake.service_layer.views import (
    ListFilter,
    current_routing,
    list_work_orders,
    work_order_detail,
    work_order_row,
)
from shared.audit import record_access
from shared.auth.policy import INTAKE_DESK, Action
from shared.auth.principal import Principal
from shared.contracts.labels import common as common_labels
from shared.contracts.labels import intake as labels
from shared.kit.errors import DomainError
from shared.masking import mask_text
from shared.regions import is_region_code, region_prefix
from shared.web.formatting import CST, form_text, int_param, normalize_code, pager, parse_id
from shared.web.security import PageExit, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _visible(principal: Principal, row: Mapping[str, Any]) -> bool:
    """Visible to the desk of the reported region and to the county it was routed to."""
    regions = (row["region_code"], row.get("responsible_region"))
    return any(INTAKE_DESK.allows(principal, Action.read, code) for code in regions if code)


def _day(raw: str, label: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{label}格式应为 年-月-日，例如 2026-11-23")
        return None


def parse_filters(
    params: Mapping[str, str], principal: Principal
) -> tuple[dict[str, str], ListFilter, list[str]]:
    """The filter form's values, the query filter (always inside the caller's scope), and any errors."""
    form = {
        key: params.get(key, "").strip()[:32]
        for key in ("status", "region", "category", "urgency", "from", "to")
    }
    errors: list[str] = []
    status = form["status"]
    if status and status not in set(Status):
        errors.append("状态无效")
        status = ""
    urgency = form["urgency"]
    if urgency and urgency not in common_labels.URGENCY:
        errors.append("紧急程度无效")
        urgency = ""
    region = normalize_code(form["region"])
    if region and not (region.isascii() and region.isdigit() and len(region) <= 12):
        errors.append("区划代码应为数字（可填写前几位）")
        region = ""
    elif is_region_code(region):
        region = region_prefix(region)
    received_from = _day(form["from"], "接收日期（起）", errors)
    received_to = _day(form["to"], "接收日期（止）", errors)
    list_filter = ListFilter(
        status=status or None,
        region_prefix=region or None,
        category_code=form["category"] or None,
        urgency=urgency or None,
        received_from=datetime.combine(received_from, time.min, CST) if received_from else None,
        received_to=datetime.combine(received_to + timedelta(days=1), time.min, CST) if received_to else None,
        scope_prefix=INTAKE_DESK.scope(principal) or "-",
    )
    return form, list_filter, errors


async def _listing(
    request: Request, runtime: RuntimeDep, list_filter: ListFilter
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    params = request.query_params
    page = int_param(params.get("page"), 1, low=1, high=100_000)
    async with runtime.sessions() as session:
        rows, total = await list_work_orders(
            session, list_filter, now=datetime.now(UTC), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
    return rows, pager(params, page, total, size=PAGE_SIZE)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/desk/work-orders", status_code=303)


@router.get("/desk/work-orders")
async def work_order_list(request: Request, principal: DeskUser, runtime: RuntimeDep) -> HTMLResponse:
    form, list_filter, errors = parse_filters(request.query_params, principal)
    rows, page_links = await _listing(request, runtime, list_filter)
    async with runtime.sessions() as session:
        _, rules = await current_routing(session, seed_rules())
    categories = sorted(rules, key=lambda r: r["code"])
    return pages.render(
        request,
        "work_orders.html",
        principal=principal,
        form=form,
        errors=errors,
        rows=rows,
        pages=page_links,
        categories=[f"{r['code']} {r['name']}" for r in categories],
        statuses=list(labels.STATUSES.items()),
        status_code=400 if errors else 200,
    )


@router.get("/desk/triage")
async def triage_queue(request: Request, principal: DeskUser, runtime: RuntimeDep) -> HTMLResponse:
    list_filter = ListFilter(status=Status.TRIAGE.value, scope_prefix=INTAKE_DESK.scope(principal) or "-")
    rows, page_links = await _listing(request, runtime, list_filter)
    return pages.render(request, "triage.html", principal=principal, rows=rows, pages=page_links)


async def _detail_page(
    request: Request,
    runtime: RuntimeDep,
    principal: Principal,
    work_order_id: uuid.UUID,
    *,
    notice: str | None = None,
    form_error: str | None = None,
    form_values: Mapping[str, str] | None = None,
    status_code: int = 200,
    reveal_reason: str | None = None,
    reveal_error: str | None = None,
) -> HTMLResponse:
    """One work order; free text, names and numbers masked unless this render is an audited reveal."""
    assert runtime.cipher is not None
    async with runtime.sessions() as session:
        row = await work_order_row(session, work_order_id)
        if row is None or not _visible(principal, row):
            raise not_found(request, principal)
        detail = await work_order_detail(session, runtime.cipher, work_order_id=work_order_id)
        if detail is not None and reveal_reason is not None:
            await record_access(
                session,
                principal,
                record_type="work_order",
                record_id=str(work_order_id),
                action="reveal_text",
                reason=mask_text(reveal_reason),
                region_code=row["responsible_region"] or row["region_code"],
            )
            await session.commit()
    if detail is None:
        raise not_found(request, principal)
    deadline = row["deadline_at"]
    overdue = deadline is not None and deadline < datetime.now(UTC) and row["status"] in set(OPEN)
    values = dict(form_values or {})
    values.setdefault("target", "")
    values.setdefault("county", row["responsible_region"] or "")
    return pages.render(
        request,
        "detail.html",
        principal=principal,
        status_code=status_code,
        row=row,
        wo=detail,
        received=detail["work_order"],
        overdue=overdue,
        notice=notice,
        form_error=form_error,
        form_values=values,
        services=[(s, labels.TARGETS[s]) for s in SERVICES],
        can_route=row["status"] == Status.TRIAGE.value,
        can_reveal=_may_reveal(principal, row),
        revealed_text=reveal_reason is not None,
        reveal_error=reveal_error,
    )


def _may_reveal(principal: Principal, row: Mapping[str, Any]) -> bool:
    """审核人 and admins of the work order's regions may see its personal data unmasked, with a reason."""
    regions = (row["region_code"], row.get("responsible_region"))
    return any(INTAKE_DESK.allows(principal, Action.supervise, code) for code in regions if code)


@router.get("/desk/work-orders/{work_order_id}")
async def work_order_page(
    work_order_id: str, request: Request, principal: DeskUser, runtime: RuntimeDep
) -> HTMLResponse:
    parsed = parse_id(work_order_id)
    if parsed is None:
        raise not_found(request, principal)
    notice = "工单已派发。" if request.query_params.get("done") == "routed" else None
    return await _detail_page(request, runtime, principal, parsed, notice=notice)


async def _posted_to(
    request: Request, principal: Principal, runtime: RuntimeDep, work_order_id: str
) -> tuple[uuid.UUID, Mapping[str, Any]]:
    """The work order a form posts to: from this site, and visible to the caller (else 403 / 404)."""
    pages.check_origin(request, principal)
    parsed = parse_id(work_order_id)
    if parsed is None:
        raise not_found(request, principal)
    async with runtime.sessions() as session:
        row = await work_order_row(session, parsed)
    if row is None or not _visible(principal, row):
        raise not_found(request, principal)
    return parsed, row


@router.post("/desk/work-orders/{work_order_id}/reveal")
async def reveal_work_order(
    work_order_id: str, request: Request, principal: DeskUser, runtime: RuntimeDep
) -> Response:
    """A 审核人 sees the work order unmasked (once); who, when and why go to the access log first."""
    parsed, row = await _posted_to(request, principal, runtime, work_order_id)
    if not _may_reveal(principal, row):
        raise PageExit(pages.error(request, 403, "只有审核人可以查看工单的完整个人信息。", principal))
    reason = form_text(await request.form(), "reason", 200)
    if len(reason) < 2:
        return await _detail_page(
            request, runtime, principal, parsed, reveal_error="请填写查看理由（至少 2 个字）", status_code=422
        )
    return await _detail_page(request, runtime, principal, parsed, reveal_reason=reason)


def _route_form_error(principal: Principal, target: str, county: str) -> tuple[str, int] | None:
    if target not in SERVICES:
        return "请选择承办业务", 400
    if len(county) != 6 or not county.isascii() or responsible_county(county) is None:
        return "请填写 6 位区县级行政区划代码（不以 00 结尾）", 400
    if not INTAKE_DESK.allows(principal, Action.act, county):
        return f"区县 {county} 不在您的管辖范围内，不能派发到该区县", 403
    return None


@router.post("/desk/work-orders/{work_order_id}/route")
async def route_work_order(
    work_order_id: str, request: Request, principal: DeskUser, runtime: RuntimeDep
) -> Response:
    """分拨: send a work order from the triage queue to a service and a county in the caller's scope."""
    parsed, _ = await _posted_to(request, principal, runtime, work_order_id)
    form = await request.form()
    values = {
        "target": form_text(form, "target", 32),
        "county": normalize_code(form_text(form, "county", 12)),
    }
    problem = _route_form_error(principal, values["target"], values["county"])
    if problem is None:
        command = RouteFromTriage(
            work_order_id=parsed, target=values["target"], county=values["county"], actor=actor_of(principal)
        )
        try:
            await runtime.bus.handle(command)
        except WorkOrderNotFound as exc:
            raise not_found(request, principal) from exc
        except DomainError as exc:
            problem = exc.message, 400 if exc.status == 422 else exc.status
        except IntegrityError:
            problem = "工单已被其他操作修改，请刷新后重试", 409
    if problem is not None:
        message, code = problem
        return await _detail_page(
            request, runtime, principal, parsed, form_error=message, form_values=values, status_code=code
        )
    return RedirectResponse(f"/desk/work-orders/{parsed}?done=routed", status_code=303)
