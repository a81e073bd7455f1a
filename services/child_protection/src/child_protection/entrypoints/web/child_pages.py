"""Pages of the register of children under watch (一人一档): the register, the 走访 plan, a new file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData

from child_protection.domain.child_parts import age_on, china_date
from child_protection.domain.errors import AlreadyRegistered
from child_protection.entrypoints.api.child_schemas import ChildFileIn
from child_protection.entrypoints.api.deps import RuntimeDep, actor_of
from child_protection.entrypoints.web.common import (
    PAGE_SIZE,
    CpUser,
    FormError,
    checked,
    form_values,
    pages,
    parse_form,
)
from child_protection.service_layer import child_views
from child_protection.service_layer.access import can_act, is_worker
from child_protection.service_layer.child_handlers import ChildChange
from shared.auth.principal import Principal
from shared.contracts.labels import child_protection as labels
from shared.kit.errors import DomainError
from shared.regions import is_region_code, region_prefix
from shared.web.formatting import int_param, normalize_code, pager
from shared.web.security import PageExit, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
VISIT_FILTERS = [("", "全部"), ("due", "待走访（含已逾期）"), ("overdue", "已逾期")]
# The new-file form's fields as the page names them (ChildFileIn's, guardians and caregiver nested).
FILE_NAMES = {
    "name": "儿童姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "region_code": "行政区划代码",
    "address": "住址",
    "categories": "儿童类别",
    "risk_colour": "风险等级",
    "risk_reason": "分级理由",
    "responsible": "负责的儿童主任",
    "guardians.name": "监护人姓名",
    "guardians.relation": "监护人与儿童关系",
    "guardians.phone": "监护人联系电话",
    "caregiver.name": "被委托照护人姓名",
    "caregiver.relation": "被委托照护人与儿童关系",
    "caregiver.phone": "被委托照护人联系电话",
    "agreement.signed_date": "照护协议签订日期",
    "agreement.document_ref": "协议文书编号或存档位置",
}


@router.get("/children")
async def register_list(request: Request, principal: CpUser, runtime: RuntimeDep) -> HTMLResponse:
    """The register: filters, colour badges; children overdue for a 走访 first, then those due soon."""
    params = request.query_params
    form = {
        key: params.get(key, "").strip()[:50]
        for key in ("q", "category", "colour", "visits", "flag", "region")
    }
    errors: list[str] = []
    for key, allowed, message in (
        ("category", labels.CATEGORIES, "儿童类别无效"),
        ("colour", labels.RISK, "风险等级无效"),
        ("visits", {"due", "overdue"}, "走访筛选无效"),
        ("flag", labels.CHILD_FLAGS, "提示筛选无效"),
    ):
        if form[key] and not checked(allowed, form[key]):
            errors.append(message)
            form[key] = ""
    region = normalize_code(form["region"])
    if region and not (region.isascii() and region.isdigit() and len(region) <= 12):
        errors.append("区划代码应为数字（可填写前几位）")
        region = ""
    form["region"] = region_prefix(region) if is_region_code(region) else region
    page = int_param(params.get("page"), 1, low=1, high=100_000)
    today = china_date(runtime.clock())
    async with runtime.sessions() as session:
        rows, total = await child_views.list_children(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            due_until=today + timedelta(days=runtime.settings.visit_due_window_days),
            category=form["category"] or None,
            colour=form["colour"] or None,
            visits=form["visits"] or None,
            flag=form["flag"] or None,
            region=form["region"] or None,
            q=form["q"] or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    return pages.render(
        request,
        "register_list.html",
        principal=principal,
        status_code=400 if errors else 200,
        form=form,
        errors=errors,
        rows=[{**r, "age": age_on(r["birth_date"], today)} for r in rows],
        today=today,
        can_register=is_worker(principal),
        visit_filters=VISIT_FILTERS,
        due_days=runtime.settings.visit_due_window_days,
        pages=pager(form, page, total, size=PAGE_SIZE, path="/children"),
    )


@router.get("/children/visits")
async def visits_page(request: Request, principal: CpUser, runtime: RuntimeDep) -> HTMLResponse:
    """走访计划: 走访 to make, overdue (and missed in the last 30 days, not made good) first."""
    params = request.query_params
    days = int_param(params.get("days"), runtime.settings.visit_due_window_days, low=0, high=90)
    mine = params.get("mine") == "1"
    today = china_date(runtime.clock())
    async with runtime.sessions() as session:
        rows = await child_views.visits_due(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            until=today + timedelta(days=days),
            missed_since=today - timedelta(days=30),
            assigned_to=actor_of(principal).name if mine else None,
        )
    return pages.render(
        request,
        "register_visits.html",
        principal=principal,
        rows=rows,
        days=days,
        mine=mine,
        today=today,
        day_choices=sorted({0, 3, 7, 14, 30, 90, days}),
    )


_NEW_FIELDS = ("name", "birth_date", "id_number", "address", "risk_colour", "risk_reason", "responsible")
_PEOPLE = ("g1", "g2", "c")


def _new_defaults(principal: Principal) -> dict[str, str]:
    people = {f"{p}_{k}": "" for p in _PEOPLE for k in ("name", "relation", "phone")}
    region = principal.region if is_region_code(principal.region) else ""
    return {
        **dict.fromkeys(_NEW_FIELDS, ""),
        **people,
        "a_date": "",
        "a_ref": "",
        "gender": "unknown",
        "region_code": region,
    }


def _require_worker(request: Request, principal: Principal) -> None:
    if not is_worker(principal):
        message = "只有未成年人保护工作人员可以为儿童建档；审计人员只能查看。"
        raise PageExit(pages.error(request, 403, message, principal))


def _new_page(
    request: Request,
    principal: Principal,
    values: Mapping[str, str],
    *,
    categories: Sequence[str] = (),
    checks: Sequence[str] = (),
    errors: Sequence[str] = (),
    status_code: int = 200,
) -> HTMLResponse:
    return pages.render(
        request,
        "register_new.html",
        principal=principal,
        values=values,
        categories=list(categories),
        checks=list(checks),
        errors=list(errors),
        status_code=status_code,
    )


@router.get("/children/new")
async def new_child_form(request: Request, principal: CpUser) -> HTMLResponse:
    _require_worker(request, principal)
    return _new_page(request, principal, _new_defaults(principal))


def _person(values: Mapping[str, str], prefix: str) -> dict[str, str] | None:
    person = {k: values[f"{prefix}_{k}"] for k in ("name", "relation", "phone")}
    return person if any(person.values()) else None


def _file_body(values: Mapping[str, str], form: FormData, checks: Sequence[str]) -> ChildFileIn:
    """The form as the API's ChildFileIn: the first guardian is the primary one."""
    people = [(p, g) for p in ("g1", "g2") if (g := _person(values, p)) is not None]
    guardians = [
        {**g, "is_primary": i == 0, "working_away": f"{prefix}_away" in checks}
        for i, (prefix, g) in enumerate(people)
    ]
    caregiver = _person(values, "c")
    agreement: dict[str, Any] | None = None
    if "a_signed" in checks:
        agreement = {"signed": True, "signed_date": values["a_date"], "document_ref": values["a_ref"]}
    elif caregiver is not None:
        agreement = {"signed": False}
    data: dict[str, Any] = {k: values[k] for k in (*_NEW_FIELDS, "gender", "region_code")}
    data.update(categories=list(form.getlist("categories")), guardians=guardians, caregiver=caregiver)
    return parse_form(ChildFileIn, {**data, "agreement": agreement}, FILE_NAMES)


@router.post("/children/new")
async def new_child_submit(request: Request, principal: CpUser, runtime: RuntimeDep) -> Response:
    """建档 from the form: the API's command; a second file for the same child is refused."""
    pages.check_origin(request, principal)
    _require_worker(request, principal)
    form = await request.form()
    values = {
        **_new_defaults(principal),
        **{k: v for k, v in form_values(form, 2000).items() if k in _new_defaults(principal)},
    }
    values["region_code"] = normalize_code(values["region_code"])
    values["id_number"] = normalize_code(values["id_number"])
    categories = [str(v) for v in form.getlist("categories")]
    checks = [str(v) for v in form.getlist("checks")]
    try:
        body = _file_body(values, form, checks)
        if not can_act(principal, body.region_code):
            raise FormError([f"行政区划 {body.region_code} 不在您的管辖范围内"], 403)
        change: ChildChange = await runtime.bus.handle(body.command(actor_of(principal)))
    except FormError as exc:
        errors, status = exc.messages, exc.status
    except AlreadyRegistered as exc:
        # Only this county's own file is ever found: showing where it is discloses nothing.
        errors, status = [f"{exc.message}（档案 /children/{exc.child_id}）"], 409
    except DomainError as exc:
        errors, status = [exc.message], exc.status
    except IntegrityError:
        errors, status = ["该儿童已建档（一人一档）。"], 409
    else:
        return RedirectResponse(f"/children/{change.child.id}?done=registered", status_code=303)
    return _new_page(
        request, principal, values, categories=categories, checks=checks, errors=errors, status_code=status
    )
