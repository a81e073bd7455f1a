"""Pages of the register of children under watch (一人一档) and its visits (Simplified Chinese, plain
HTML forms, no JavaScript).

The same access rules as the JSON API (`entrypoints/api/register_routes.py`): child-protection staff of the
child's region change a file, auditors read it, everybody else gets a 403 page, and a file outside the
caller's region scope is a 404 page. Every view of a child's file is written to the access log, and so is
a supervisor's reveal of the ID number (with the reason given). Without a session a browser is sent to
the development login page when it is enabled; every POST must come from this site (Origin/Referer).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.exc import IntegrityError

from child_protection.adapters import child_repository as reads
from child_protection.domain.child import (
    CATEGORIES,
    FLAGS,
    GENDERS,
    VISIT_STATUS,
    VISIT_TYPES,
    AlreadyRegistered,
    CareAgreement,
    Caregiver,
    Guardian,
    InvalidChildData,
    age_on,
    china_date,
)
from child_protection.domain.errors import (
    ApprovalRequired,
    ChildProtectionError,
    InvalidTransition,
    MissingPrerequisite,
    NotFound,
)
from child_protection.domain.model import RISK_LABELS
from child_protection.domain.stages import LABELS as STAGE_LABELS
from child_protection.entrypoints.api.deps import get_cipher as _cipher
from child_protection.entrypoints.api.deps import get_sessions as _sessions
from child_protection.entrypoints.api.deps import get_settings as _settings
from child_protection.entrypoints.api.routes import actor_of
from child_protection.entrypoints.web.common import int_param, parse_id
from child_protection.service_layer import register
from child_protection.service_layer.access import (
    WORKER_ROLES,
    can_act,
    can_read,
    can_use_service,
    is_supervisor,
    log_access,
)
from child_protection.service_layer.unit_of_work import UnitOfWork, unit_of_work
from shared.auth.login import ROLE_LABELS
from shared.auth.principal import Principal, Program, Role
from shared.regions import NATIONAL_SCOPES, is_region_code, region_prefix
from shared.web import (
    PageExit,
    PageRoute,
    app_settings,
    dev_login_enabled,
    form_text,
    format_time,
    is_same_origin,
    normalize_code,
    page_principal,
)

PAGE_SIZE = 50
MAX_TEXT = 2000
GUARDIAN_ROWS_EXTRA = 2
MAX_GUARDIAN_ROWS = 12
RISK_SHORT = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}
# The page's forms; each posts to /children/{id}/<form> and returns to its section.
FORMS = ("details", "guardians", "caregiver", "agreement", "risk", "schedule", "record")
SECTIONS = {
    "details": "basic",
    "guardians": "guardians",
    "caregiver": "care",
    "agreement": "care",
    "risk": "risk",
    "schedule": "visits",
    "record": "visits",
    "reveal": "basic",
}
DONE_NOTICES = {
    "registered": "儿童档案已建立，首次访视已按风险等级自动安排。",
    "details": "基本信息已更新。",
    "guardians": "监护人信息已更新。",
    "caregiver": "被委托照护人已更新。",
    "agreement": "书面照护协议已记录。",
    "risk": "风险等级已调整。",
    "schedule": "访视已安排。",
    "record": "访视已记录，下一次访视已自动安排。",
}
HISTORY_ACTIONS = {
    "registered": "建档",
    "updated": "更新档案",
    "risk_changed": "风险等级变更",
    "visit_scheduled": "安排访视",
    "visit_rescheduled": "访视提前",
    "visit_recorded": "记录访视",
    "visit_missed": "逾期未访",
    "report_opened": "生成报告（新案件）",
    "report_linked": "报告并入在办案件",
}
FIELD_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "address": "住址",
    "region_code": "行政区划",
    "categories": "儿童类别",
    "responsible": "负责人",
    "guardians": "监护人",
    "caregiver": "被委托照护人",
    "agreement": "书面照护协议",
}
_DETAIL_LABELS = {
    "fields": "变更内容",
    "categories": "儿童类别",
    "risk_colour": "风险等级",
    "previous": "原风险等级",
    "current": "新风险等级",
    "case_ref": "案件编号",
    "reason": "理由",
    "due_date": "计划日期",
    "visit_type": "方式",
    "assigned_to": "负责人",
    "auto": "自动安排",
    "visited_on": "访视日期",
    "risk_raised": "发现风险",
    "planned": "按计划",
    "count": "人数",
    "signed": "已签订",
    "agreement_reset": "原照护协议失效",
    "region_code": "行政区划",
    "responsible": "负责人",
    "gender": "性别",
    "birth_date": "出生日期",
}
_HIDDEN_DETAILS = {"visit_id", "case_id"}

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _detail_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in ("previous", "current", "risk_colour"):
        return RISK_LABELS.get(str(value), str(value))
    if key == "categories" and isinstance(value, list):
        return "、".join(CATEGORIES.get(str(v), str(v)) for v in value)
    if key == "fields" and isinstance(value, list):
        return "、".join(FIELD_LABELS.get(str(v), str(v)) for v in value)
    if key == "visit_type":
        return VISIT_TYPES.get(str(value), str(value))
    if key == "gender":
        return GENDERS.get(str(value), str(value))
    return str(value)


def history_pairs(detail: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """A history line's details as Chinese label/value pairs (empty values and ids left out).

    JSONB does not keep the order of keys: the pairs follow the order of `_DETAIL_LABELS`.
    """
    order = {key: i for i, key in enumerate(_DETAIL_LABELS)}
    items = sorted((detail or {}).items(), key=lambda kv: order.get(kv[0], len(order)))
    return [
        (_DETAIL_LABELS.get(key, key), _detail_text(key, value))
        for key, value in items
        if key not in _HIDDEN_DETAILS and value not in (None, "", [])
    ]


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else (str(value) if value else "")


_env.filters["time"] = format_time
_env.filters["day"] = _day
_env.globals.update(
    CATEGORIES=CATEGORIES,
    GENDERS=GENDERS,
    VISIT_TYPES=VISIT_TYPES,
    VISIT_STATUS=VISIT_STATUS,
    FLAGS=FLAGS,
    RISK_LABELS=RISK_LABELS,
    RISK_SHORT=RISK_SHORT,
    HISTORY_ACTIONS=HISTORY_ACTIONS,
    STAGE_LABELS={s.value: label for s, label in STAGE_LABELS.items()},
    history_pairs=history_pairs,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)


# ------------------------------------------------------------------------------------------ plumbing


def _today() -> date:
    return china_date(datetime.now(UTC))


def render(
    request: Request, template: str, *, principal: Principal | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page inside the service's layout (templates/base.html) with the navigation bar."""
    user = None
    if principal is not None:
        roles = [ROLE_LABELS.get(r, r.value) for r in sorted(principal.roles)]
        user = {
            "name": principal.name,
            "region": "全国" if principal.region in NATIONAL_SCOPES else principal.region,
            "roles": "、".join(roles),
            "can_report": _acts(principal),
            "can_audit": principal.has_role(Role.auditor, Role.admin),
        }
    html = _env.get_template(template).render(
        user=user, path=request.url.path, logout=dev_login_enabled(app_settings(request)), **context
    )
    return HTMLResponse(html, status_code=status_code)


def _acts(principal: Principal) -> bool:
    """Staff who may change files somewhere in their scope (auditors only read)."""
    return principal.has_program(Program.child_protection) and principal.has_role(*WORKER_ROLES)


def error_page(request: Request, status_code: int, message: str, principal: Principal | None) -> HTMLResponse:
    titles = {400: "请求有误", 403: "无权访问", 404: "未找到", 409: "操作冲突", 422: "信息有误"}
    return render(
        request,
        "register_error.html",
        principal=principal,
        status_code=status_code,
        title=titles.get(status_code, "出错了"),
        message=message,
    )


def _form_page(path: str) -> str:
    """The page that shows the form posting to `path` (where to come back after logging in)."""
    if path == "/children/new":
        return path
    return re.sub(r"/(details|guardians|caregiver|agreement|risk|schedule|record|reveal-id)$", "", path)


async def register_principal(request: Request) -> Principal:
    """The logged-in user if child-protection staff or an auditor; else a login redirect or a 403 page."""
    back = None if request.method == "GET" else _form_page(request.url.path)
    principal = await page_principal(request, back=back)
    if not can_use_service(principal):
        message = "儿童档案仅供未成年人保护工作人员和审计人员查看，当前账号没有相应的业务或角色。"
        raise PageExit(error_page(request, 403, message, principal))
    return principal


RegisterUser = Annotated[Principal, Depends(register_principal)]


def same_origin(request: Request) -> None:
    """CSRF defence for every form POST."""
    if not is_same_origin(request):
        message = "请求来源校验失败：请从本系统的页面提交表单。"
        raise PageExit(error_page(request, 403, message, None))


def _not_found(request: Request, principal: Principal) -> PageExit:
    # Outside the caller's scope looks the same as missing: a child's file does not disclose itself.
    return PageExit(error_page(request, 404, "儿童档案不存在，或不在您的管辖范围内。", principal))


def _status_for(exc: ChildProtectionError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, AlreadyRegistered | InvalidTransition | ApprovalRequired):
        return 409
    if isinstance(exc, InvalidChildData | MissingPrerequisite):
        return 422
    return 400


def _date(raw: str, label: str, errors: list[str], *, required: bool = False) -> date | None:
    if not raw:
        if required:
            errors.append(f"请填写{label}")
        return None
    try:
        return date.fromisoformat(normalize_code(raw))
    except ValueError:
        errors.append(f"{label}格式应为 年-月-日，例如 2026-11-23")
        return None


def _values(form: Any, limit: int = MAX_TEXT) -> dict[str, str]:
    """Every single-valued text field of a form, stripped and cut to `limit` characters."""
    return {k: v.strip()[:limit] for k, v in form.multi_items() if isinstance(v, str)}


# ------------------------------------------------------------------------------------------ the register


VISIT_FILTERS = [("", "全部"), ("due", "待访视（含已逾期）"), ("overdue", "已逾期")]


@router.get("/children")
async def register_list(request: Request, principal: RegisterUser) -> HTMLResponse:
    """The register: filters, colour badges; children overdue for a visit first, then those due soon."""
    params = request.query_params
    form = {
        key: params.get(key, "").strip()[:50]
        for key in ("q", "category", "colour", "visits", "flag", "region")
    }
    errors: list[str] = []
    if form["category"] and form["category"] not in CATEGORIES:
        errors.append("儿童类别无效")
        form["category"] = ""
    if form["colour"] and form["colour"] not in RISK_LABELS:
        errors.append("风险等级无效")
        form["colour"] = ""
    if form["visits"] not in ("", "due", "overdue"):
        errors.append("访视筛选无效")
        form["visits"] = ""
    if form["flag"] and form["flag"] not in FLAGS:
        errors.append("提示筛选无效")
        form["flag"] = ""
    region = normalize_code(form["region"])
    if region and not (region.isascii() and region.isdigit() and len(region) <= 12):
        errors.append("区划代码应为数字（可填写前几位）")
        region = ""
    elif is_region_code(region):
        region = region_prefix(region)
    form["region"] = region
    page = int_param(params.get("page"), 1, low=1, high=100_000)
    today = _today()
    async with _sessions(request)() as session:
        rows, total = await reads.list_children(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            due_until=today + timedelta(days=_settings(request).visit_due_window_days),
            category=form["category"] or None,
            colour=form["colour"] or None,
            visits=form["visits"] or None,
            flag=form["flag"] or None,
            region=region or None,
            q=form["q"] or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    for row in rows:
        row["age"] = age_on(row["birth_date"], today)
    last = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in form.items() if v}

    def url(n: int) -> str:
        return "/children?" + urlencode({**kept, "page": str(n)})

    return render(
        request,
        "register_list.html",
        principal=principal,
        status_code=400 if errors else 200,
        form=form,
        errors=errors,
        rows=rows,
        today=today,
        can_register=_acts(principal),
        visit_filters=VISIT_FILTERS,
        due_days=_settings(request).visit_due_window_days,
        pages={
            "page": page,
            "last": last,
            "total": total,
            "prev": url(page - 1) if page > 1 else None,
            "next": url(page + 1) if page < last else None,
        },
    )


@router.get("/children/visits")
async def visits_page(request: Request, principal: RegisterUser) -> HTMLResponse:
    """访视计划: visits to make, overdue (and missed in the last 30 days, not made good) first."""
    params = request.query_params
    settings = _settings(request)
    days = int_param(params.get("days"), settings.visit_due_window_days, low=0, high=90)
    mine = params.get("mine") == "1"
    today = _today()
    async with _sessions(request)() as session:
        rows = await reads.visits_due(
            session,
            scope_prefix=region_prefix(principal.region),
            today=today,
            until=today + timedelta(days=days),
            missed_since=today - timedelta(days=30),
            assigned_to=actor_of(principal) if mine else None,
        )
    return render(
        request,
        "register_visits.html",
        principal=principal,
        rows=rows,
        days=days,
        mine=mine,
        today=today,
        day_choices=sorted({0, 3, 7, 14, 30, 90, days}),
    )


# ------------------------------------------------------------------------------------------ new file


def _new_defaults(principal: Principal) -> dict[str, str]:
    return {
        "name": "",
        "gender": "unknown",
        "birth_date": "",
        "id_number": "",
        "region_code": principal.region if is_region_code(principal.region) else "",
        "address": "",
        "risk_colour": "",
        "risk_reason": "",
        "responsible": "",
        "g1_name": "",
        "g1_relation": "",
        "g1_phone": "",
        "g2_name": "",
        "g2_relation": "",
        "g2_phone": "",
        "c_name": "",
        "c_relation": "",
        "c_phone": "",
        "a_date": "",
        "a_ref": "",
    }


def _require_worker(request: Request, principal: Principal, message: str) -> None:
    if not _acts(principal):
        raise PageExit(error_page(request, 403, message, principal))


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
    return render(
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
async def new_child_form(request: Request, principal: RegisterUser) -> HTMLResponse:
    _require_worker(request, principal, "只有未成年人保护工作人员可以为儿童建档；审计人员只能查看。")
    return _new_page(request, principal, _new_defaults(principal))


def _guardian_from(values: Mapping[str, str], prefix: str, *, primary: bool, away: bool) -> Guardian | None:
    name, relation, phone = (values.get(f"{prefix}_{k}", "") for k in ("name", "relation", "phone"))
    if not (name or relation or phone):
        return None
    return Guardian(name, relation, phone, is_primary=primary, working_away=away)


@router.post("/children/new", dependencies=[Depends(same_origin)])
async def new_child_submit(request: Request, principal: RegisterUser) -> Response:
    """建档 from the form: one file per child; a second file for the same ID number is refused."""
    _require_worker(request, principal, "只有未成年人保护工作人员可以为儿童建档；审计人员只能查看。")
    form = await request.form()
    values = _new_defaults(principal)
    values.update({k: form_text(form, k, MAX_TEXT) for k in values if k in form})
    values["region_code"] = normalize_code(values["region_code"])
    values["id_number"] = normalize_code(values["id_number"])
    categories = [str(v) for v in form.getlist("categories")]
    checks = [str(v) for v in form.getlist("checks")]
    errors: list[str] = []
    status = 422
    birth_date = _date(values["birth_date"], "出生日期", errors)
    signed_date = _date(values["a_date"], "照护协议签订日期", errors)
    if values["gender"] not in GENDERS:
        errors.append("请选择性别")
    if values["risk_colour"] not in RISK_LABELS:
        errors.append("请选择风险等级（红、黄、蓝、绿）")
    if not is_region_code(values["region_code"]):
        errors.append("行政区划代码应为 6 位（区县）、9 位（乡镇街道）或 12 位（村居）数字")
    elif not can_act(principal, values["region_code"]):
        errors.append(f"行政区划 {values['region_code']} 不在您的管辖范围内")
        status = 403
    if errors:
        return _new_page(
            request,
            principal,
            values,
            categories=categories,
            checks=checks,
            errors=errors,
            status_code=status,
        )
    guardians = [
        g
        for g in (
            _guardian_from(values, "g1", primary=True, away="g1_away" in checks),
            _guardian_from(values, "g2", primary=False, away="g2_away" in checks),
        )
        if g is not None
    ]
    if guardians and not guardians[0].is_primary:
        guardians[0].is_primary = True
    caregiver = (
        Caregiver(values["c_name"], values["c_relation"], values["c_phone"])
        if values["c_name"] or values["c_relation"] or values["c_phone"]
        else None
    )
    agreement = (
        CareAgreement(True, signed_date, values["a_ref"])
        if "a_signed" in checks
        else (CareAgreement(False) if caregiver is not None else None)
    )
    new = register.NewChild(
        name=values["name"],
        gender=values["gender"],
        birth_date=birth_date,
        id_number=values["id_number"] or None,
        region_code=values["region_code"],
        address=values["address"],
        categories=categories,
        risk_colour=values["risk_colour"],
        risk_reason=values["risk_reason"],
        responsible=values["responsible"],
        guardians=guardians,
        caregiver=caregiver,
        agreement=agreement,
    )
    settings = _settings(request)
    try:
        async with unit_of_work(
            _sessions(request), _cipher(request), rules=request.app.state.deadline_rules
        ) as uow:
            child = await register.register_child(
                uow,
                new,
                at=datetime.now(UTC),
                actor=actor_of(principal),
                secret=settings.personkey_secret.get_secret_value(),
                policy=register.visit_policy(settings),
            )
    except AlreadyRegistered as exc:
        message = (
            exc.message if can_read(principal, exc.region_code) else "该儿童已在其他辖区建档（一人一档）。"
        )
        existing = str(exc.child_id) if can_read(principal, exc.region_code) else None
        return _new_page(
            request,
            principal,
            values,
            categories=categories,
            checks=checks,
            errors=[message + (f"（档案 /children/{existing}）" if existing else "")],
            status_code=409,
        )
    except ChildProtectionError as exc:
        return _new_page(
            request,
            principal,
            values,
            categories=categories,
            checks=checks,
            errors=[exc.message],
            status_code=_status_for(exc),
        )
    except IntegrityError:
        return _new_page(
            request,
            principal,
            values,
            categories=categories,
            checks=checks,
            errors=["该儿童已建档（一人一档）。"],
            status_code=409,
        )
    return RedirectResponse(f"/children/{child.id}?done=registered", status_code=303)


# ------------------------------------------------------------------------------------------ one file


async def _child_page(
    request: Request,
    principal: Principal,
    child_id: uuid.UUID,
    *,
    notice: str | None = None,
    case_link: Mapping[str, str] | None = None,
    form_errors: Mapping[str, str] | None = None,
    form_values: Mapping[str, Mapping[str, Any]] | None = None,
    reveal_reason: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The child's file with all its sections and forms; the view (or the reveal) is access-logged."""
    reveal = reveal_reason is not None
    async with _sessions(request)() as session, session.begin():
        detail = await reads.child_detail(session, _cipher(request), child_id, reveal_id=reveal)
        if detail is None or not can_read(principal, detail["region_code"]):
            raise _not_found(request, principal)
        await log_access(
            session,
            principal,
            record_type="child",
            record_id=str(child_id),
            action="reveal_id" if reveal else "view",
            region_code=detail["region_code"],
            reason=reveal_reason,
        )
    today = _today()
    detail["age"] = age_on(detail["birth_date"], today)
    visits = detail["visits"]
    open_visits = sorted((v for v in visits if v["status"] == "scheduled"), key=lambda v: v["due_date"])
    values = {k: dict(v) for k, v in (form_values or {}).items()}
    guardian_rows = values.get("guardians", {}).get("rows") or [
        *[dict(g) for g in detail["guardians"]],
        *[
            {"name": "", "relation": "", "phone": "", "is_primary": False, "working_away": False}
            for _ in range(GUARDIAN_ROWS_EXTRA)
        ],
    ]
    return render(
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
async def child_page(child_id: str, request: Request, principal: RegisterUser) -> HTMLResponse:
    parsed = parse_id(child_id)
    if parsed is None:
        raise _not_found(request, principal)
    params = request.query_params
    notice = DONE_NOTICES.get(params.get("done", ""))
    case_link = None
    case_id = parse_id(params.get("case", ""))
    if notice and case_id is not None:
        linked = params.get("linked") == "1"
        case_link = {
            "href": f"/cases/{case_id}",
            "text": "已并入该儿童在办的案件" if linked else "已生成报告并建立案件",
        }
    return await _child_page(request, principal, parsed, notice=notice, case_link=case_link)


async def _changeable(request: Request, principal: Principal, child_id: str) -> uuid.UUID:
    """The file's id once the caller may change it: a 404 page outside scope, a 403 page for auditors."""
    parsed = parse_id(child_id)
    if parsed is None:
        raise _not_found(request, principal)
    async with _sessions(request)() as session:
        region = await reads.child_region(session, parsed)
    if region is None or not can_read(principal, region):
        raise _not_found(request, principal)
    if not can_act(principal, region):
        raise PageExit(
            error_page(request, 403, "您没有修改该儿童档案的权限（审计人员只能查看）。", principal)
        )
    return parsed


def _guardian_rows(form: Any, values: Mapping[str, str]) -> list[dict[str, Any]]:
    count = int_param(values.get("row_count"), 0, low=0, high=MAX_GUARDIAN_ROWS)
    primary = values.get("primary", "")
    rows = []
    for i in range(count):
        rows.append(
            {
                "name": values.get(f"g-{i}-name", "")[:50],
                "relation": values.get(f"g-{i}-relation", "")[:20],
                "phone": values.get(f"g-{i}-phone", "")[:20],
                "is_primary": primary == str(i),
                "working_away": f"g-{i}-away" in form,
                "delete": f"g-{i}-delete" in form,
            }
        )
    return rows


class _FormError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _one_date(raw: str, label: str, *, required: bool) -> date | None:
    errors: list[str] = []
    value = _date(raw, label, errors, required=required)
    if errors:
        raise _FormError(errors[0])
    return value


async def _apply(
    uow: UnitOfWork,
    request: Request,
    principal: Principal,
    child_id: uuid.UUID,
    form_name: str,
    form: Any,
    values: dict[str, str],
) -> register.Opened | None:
    """Carry out one of the file's forms (the domain model checks every rule)."""
    settings = _settings(request)
    at, actor = datetime.now(UTC), actor_of(principal)
    policy = register.visit_policy(settings)
    window = settings.duplicate_window_days
    match form_name:
        case "details":
            region = normalize_code(values.get("region_code", ""))
            if region and is_region_code(region) and not can_act(principal, region):
                raise _FormError(f"行政区划 {region} 不在您的管辖范围内", 403)
            await register.update_details(
                uow,
                child_id,
                register.Details(
                    name=values.get("name", ""),
                    gender=values.get("gender", "unknown"),
                    birth_date=_one_date(values.get("birth_date", ""), "出生日期", required=True),
                    id_number=normalize_code(values.get("id_number", "")) or None,
                    address=values.get("address", ""),
                    region_code=region,
                    categories=[str(v) for v in form.getlist("categories")],
                    responsible=values.get("responsible", ""),
                ),
                at=at,
                actor=actor,
                secret=settings.personkey_secret.get_secret_value(),
                policy=policy,
            )
        case "guardians":
            rows = [r for r in _guardian_rows(form, values) if not r["delete"]]
            guardians = [
                Guardian(r["name"], r["relation"], r["phone"], r["is_primary"], r["working_away"])
                for r in rows
                if r["name"] or r["relation"] or r["phone"]
            ]
            await register.set_guardians(uow, child_id, guardians, at=at, actor=actor)
        case "caregiver":
            caregiver = (
                None
                if "remove" in form
                else Caregiver(values.get("name", ""), values.get("relation", ""), values.get("phone", ""))
            )
            await register.set_caregiver(uow, child_id, caregiver, at=at, actor=actor)
        case "agreement":
            signed = values.get("signed") == "yes"
            agreement = CareAgreement(
                signed,
                _one_date(values.get("signed_date", ""), "签订日期", required=False) if signed else None,
                values.get("document_ref", "") if signed else "",
            )
            await register.record_agreement(uow, child_id, agreement, at=at, actor=actor)
        case "risk":
            _, opened = await register.change_risk(
                uow,
                child_id,
                values.get("colour", ""),
                values.get("reason", ""),
                at=at,
                actor=actor,
                policy=policy,
                window_days=window,
            )
            return opened
        case "schedule":
            due = _one_date(values.get("due_date", ""), "计划访视日期", required=True)
            assert due is not None
            await register.schedule_visit(
                uow,
                child_id,
                due_date=due,
                visit_type=values.get("visit_type", "home"),
                assigned_to=values.get("assigned_to", ""),
                note=values.get("note", ""),
                at=at,
                actor=actor,
            )
        case "record":
            visited_on = _one_date(values.get("visited_on", ""), "访视日期", required=True)
            assert visited_on is not None
            raw_visit = values.get("visit_id", "")
            visit_id = parse_id(raw_visit) if raw_visit else None
            if raw_visit and visit_id is None:
                raise _FormError("请选择要记录的访视")
            _, _, opened = await register.record_visit(
                uow,
                child_id,
                register.VisitRecord(
                    visit_id=visit_id,
                    visited_on=visited_on,
                    notes=values.get("notes", ""),
                    visit_type=values.get("visit_type") or None,
                    risk_raised="risk_raised" in form,
                    new_colour=values.get("risk_colour") or None,
                    risk_reason=values.get("risk_reason", ""),
                ),
                at=at,
                actor=actor,
                policy=policy,
                window_days=window,
            )
            return opened
    return None


@router.post("/children/{child_id}/reveal-id", dependencies=[Depends(same_origin)])
async def reveal_id(child_id: str, request: Request, principal: RegisterUser) -> Response:
    """A supervisor sees the full ID number on the page (once); the reveal and its reason are logged."""
    parsed = parse_id(child_id)
    if parsed is None:
        raise _not_found(request, principal)
    async with _sessions(request)() as session:
        region = await reads.child_region(session, parsed)
    if region is None or not can_read(principal, region):
        raise _not_found(request, principal)
    if not is_supervisor(principal):
        raise PageExit(error_page(request, 403, "只有督导（主管）可以查看完整身份证号。", principal))
    form = await request.form()
    reason = form_text(form, "reason", 200)
    if len(reason) < 2:
        return await _child_page(
            request,
            principal,
            parsed,
            form_errors={"reveal": "请填写查看完整身份证号的理由（至少 2 个字）"},
            form_values={"reveal": {"reason": reason}},
            status_code=422,
        )
    return await _child_page(request, principal, parsed, reveal_reason=reason)


@router.post("/children/{child_id}/{form_name}", dependencies=[Depends(same_origin)])
async def child_form(child_id: str, form_name: str, request: Request, principal: RegisterUser) -> Response:
    """One of the file's forms: details, guardians, caregiver, agreement, risk, schedule, record."""
    if form_name not in FORMS:
        raise PageExit(error_page(request, 404, "未知的操作。", principal))
    parsed = await _changeable(request, principal, child_id)
    form = await request.form()
    values = _values(form)
    try:
        async with unit_of_work(
            _sessions(request),
            _cipher(request),
            rules=request.app.state.deadline_rules,
            correlation_id=str(parsed),
        ) as uow:
            opened = await _apply(uow, request, principal, parsed, form_name, form, values)
    except (_FormError, ChildProtectionError, IntegrityError) as exc:
        if isinstance(exc, _FormError):
            message, status = exc.message, exc.status
        elif isinstance(exc, ChildProtectionError):
            message, status = exc.message, _status_for(exc)
        else:
            message, status = "儿童档案已被其他操作修改，请刷新后重试。", 409
        if status == 404:
            raise _not_found(request, principal) from exc
        kept: dict[str, Any] = dict(values)
        kept["categories"] = [str(v) for v in form.getlist("categories")]
        kept["checked"] = [k for k in ("risk_raised", "remove") if k in form]
        if form_name == "guardians":
            kept["rows"] = _guardian_rows(form, values)
        return await _child_page(
            request,
            principal,
            parsed,
            form_errors={form_name: message},
            form_values={form_name: kept},
            status_code=status,
        )
    query: dict[str, str] = {"done": form_name}
    if opened is not None and opened.case is not None:
        query.update({"case": str(opened.case.id), "linked": "1" if opened.linked else "0"})
    return RedirectResponse(f"/children/{parsed}?{urlencode(query)}#{SECTIONS[form_name]}", status_code=303)
