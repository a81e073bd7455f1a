"""Intake desk pages (Simplified Chinese, server-rendered, plain HTML forms, no JavaScript).

Who may use the desk: `intake_agent`, `supervisor` and `admin`; everything is limited to the
caller's region scope. A browser without a session is sent to the development login page when it
is enabled, otherwise it gets the 401 problem. Every POST must come from this site (Origin/Referer).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import FormData

from intake.domain.errors import ConflictingRequest, IntakeError, InvalidTransition, WorkOrderNotFound
from intake.domain.model import OPEN, STATUS_LABELS, Status
from intake.domain.routing import SERVICES, TARGETS, responsible_county
from intake.service_layer import handlers
from intake.service_layer.routing_table import current_table, save_new_version
from intake.service_layer.routing_table import history as routing_history
from intake.service_layer.unit_of_work import unit_of_work
from intake.service_layer.views import ListFilter, list_work_orders, work_order_detail, work_order_row
from shared.auth.deps import current_principal
from shared.auth.login import ROLE_LABELS
from shared.auth.principal import Principal, Role
from shared.crypto import FieldCipher
from shared.identity import mask_id_number, mask_name, mask_phone
from shared.problems import ProblemException
from shared.regions import NATIONAL_SCOPES, is_region_code, region_prefix
from shared.settings import ServiceSettings

DESK_ROLES = (Role.intake_agent, Role.supervisor, Role.admin)
PAGE_SIZE = 20
EXTRA_RULE_ROWS = 3
MAX_RULE_ROWS = 500
MAX_COMMENT = 500
# China has one time zone and no daylight saving: times are shown and filtered in UTC+8.
CST = timezone(timedelta(hours=8), "CST")

TARGET_LABELS = {
    "child_protection": "未成年人保护",
    "assistance": "社会救助",
    "vagrant_rescue": "流浪乞讨救助",
    "triage": "人工分拨",
}
FLAG_LABELS = {
    "id_number_invalid": "身份证号校验未通过",
    "minor_involved": "涉及未成年人",
    "unknown_category": "未知分类",
    "region_needs_county": "需指定区县",
    "category_requires_triage": "需人工分拨",
    "declined_by_service": "承办业务退回",
}
URGENCY_LABELS = {"normal": "一般", "urgent": "紧急", "critical": "特急"}
CHANNEL_LABELS = {
    "phone": "电话",
    "web": "网站",
    "app": "客户端",
    "wechat": "微信",
    "sms": "短信",
    "other": "其他",
}
GENDER_LABELS = {"male": "男", "female": "女", "unknown": "未知"}
ACTION_LABELS = {
    "received": "接收工单",
    "routed": "派发",
    "triage_required": "转入待分拨",
    "supplemented": "补充",
    "urged": "催办",
    "revoked": "撤单",
    "accepted": "签收",
    "in_progress": "办理中",
    "declined": "承办业务退回",
    "replied": "办结回复",
    "satisfaction_recorded": "回访",
    "closed": "结案",
    "reopened": "重启",
}
ACTOR_LABELS = {"12345": "12345 热线", "auto": "系统自动分拨", "system": "系统", **TARGET_LABELS}
_DETAIL_LABELS = {
    "routed_to": "承办业务",
    "responsible_region": "承办区县",
    "reasons": "原因",
    "reason": "原因",
    "content": "补充内容",
    "subject_count": "补充人员数",
    "note": "催办说明",
    "urge_count": "催办次数",
    "case_ref": "案件编号",
    "reply_text": "回复内容",
    "score": "满意度评分",
    "comment": "评价",
}

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def format_time(value: datetime | str | None) -> str:
    """A time as people in China read it: `2026-11-23 09:30` in UTC+8 (extreme values as sent)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    try:
        return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError):
        return moment.isoformat()


def history_details(detail: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A history line's details as Chinese label/value pairs."""
    pairs: list[tuple[str, str]] = []
    for key, value in detail.items():
        if value is None or value == "":
            continue
        if key == "routed_to":
            text = TARGET_LABELS.get(str(value), str(value))
        elif key == "reasons" and isinstance(value, list):
            text = "、".join(FLAG_LABELS.get(str(v), str(v)) for v in value)
        else:
            text = str(value)
        pairs.append((_DETAIL_LABELS.get(key, key), text))
    return pairs


def _masked(value: object, mask: Callable[[str], str]) -> str:
    return mask(value) if isinstance(value, str) and value.strip() else ""


_env.filters["time"] = format_time
_env.filters["masked_name"] = lambda v: _masked(v, mask_name)
_env.filters["masked_phone"] = lambda v: _masked(v, mask_phone)
_env.filters["masked_id"] = lambda v: _masked(v, mask_id_number)
_env.globals.update(
    STATUS_LABELS={s.value: label for s, label in STATUS_LABELS.items()},
    TARGET_LABELS=TARGET_LABELS,
    FLAG_LABELS=FLAG_LABELS,
    URGENCY_LABELS=URGENCY_LABELS,
    CHANNEL_LABELS=CHANNEL_LABELS,
    GENDER_LABELS=GENDER_LABELS,
    ACTION_LABELS=ACTION_LABELS,
    ACTOR_LABELS=ACTOR_LABELS,
    history_details=history_details,
)


class _PageExit(Exception):
    """Stop handling a page request and answer with `response` (a redirect or an error page)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class DeskRoute(APIRoute):
    """Turns `_PageExit` raised by a page or its dependencies into its response; adds security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except _PageExit as exc:
                response = exc.response
            for name, value in _SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return route_handler


router = APIRouter(include_in_schema=False, route_class=DeskRoute)


def _settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


def _cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


def dev_login_enabled(settings: ServiceSettings) -> bool:
    """Whether `/dev/login` exists (the same rule as `install_auth`)."""
    return settings.dev_login_enabled and settings.environment != "production" and not settings.jwt_jwks_url


def _region_label(region: str) -> str:
    return "全国" if region in NATIONAL_SCOPES else region


def render(
    request: Request,
    template: str,
    *,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a desk page with the navigation bar for `principal`."""
    user = None
    if principal is not None:
        roles = [ROLE_LABELS.get(r, r.value) for r in sorted(principal.roles)]
        user = {"name": principal.name, "region": _region_label(principal.region), "roles": "、".join(roles)}
    html = _env.get_template(template).render(
        user=user,
        path=request.url.path,
        logout=dev_login_enabled(_settings(request)),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, status_code: int, message: str, principal: Principal | None) -> HTMLResponse:
    titles = {400: "请求有误", 403: "无权访问", 404: "未找到", 409: "操作冲突"}
    return render(
        request,
        "error.html",
        principal=principal,
        status_code=status_code,
        title=titles.get(status_code, "出错了"),
        message=message,
    )


def _login_next(request: Request) -> str:
    """Where to come back after logging in; a form's POST comes back to the page that showed it."""
    path = request.url.path
    if request.method != "GET":
        return path.removesuffix("/route")
    return f"{path}?{request.url.query}" if request.url.query else path


async def desk_principal(request: Request) -> Principal:
    """The logged-in desk user; otherwise a redirect to the login page, the 401 problem, or a 403 page."""
    try:
        principal = await current_principal(request)
    except ProblemException as exc:
        if exc.status == 401 and dev_login_enabled(_settings(request)):
            target = "/dev/login?" + urlencode({"next": _login_next(request)})
            raise _PageExit(RedirectResponse(target, status_code=303)) from exc
        raise
    if not principal.has_role(*DESK_ROLES):
        message = "受理台仅供受理员、审核人和管理员使用，当前账号没有这些角色。"
        raise _PageExit(error_page(request, 403, message, principal))
    return principal


DeskUser = Annotated[Principal, Depends(desk_principal)]


def same_origin(request: Request) -> None:
    """CSRF defence for forms: the POST must name this host in `Origin` (or, failing that, `Referer`)."""
    host = request.headers.get("host", "").lower()
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    netloc = urlsplit(source).netloc.lower() if source and source != "null" else ""
    if not host or netloc != host:
        message = "请求来源校验失败：请从受理台页面提交表单。"
        raise _PageExit(error_page(request, 403, message, None))


def _actor(principal: Principal) -> str:
    return f"{principal.sub}（{principal.name}）" if principal.name != principal.sub else principal.sub


def _parse_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _visible(principal: Principal, row: Mapping[str, Any]) -> bool:
    """Visible to the desk of the reported region and to the county it was routed to."""
    regions = (row["region_code"], row.get("responsible_region"))
    return any(code and principal.can_see_region(code) for code in regions)


def _not_found(request: Request, principal: Principal) -> _PageExit:
    # Outside the caller's scope looks the same as missing, so existence is not disclosed.
    return _PageExit(error_page(request, 404, "未找到该工单，或该工单不在您的管辖范围内。", principal))


def _field(form: FormData | Mapping[str, Any], name: str, limit: int = 200) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _code(value: str) -> str:
    """A code as typed; full-width digits from a Chinese input method become ASCII (５００１５４ → 500154)."""
    return unicodedata.normalize("NFKC", value).strip()


# ---------------------------------------------------------------------------------------------- list


def _int_param(raw: str | None, default: int, *, low: int, high: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return min(max(value, low), high)


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
    if urgency and urgency not in URGENCY_LABELS:
        errors.append("紧急程度无效")
        urgency = ""
    region = _code(form["region"])
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
        scope_prefix=region_prefix(principal.region),
    )
    return form, list_filter, errors


def _pages(params: Mapping[str, str], page: int, total: int) -> dict[str, Any]:
    last = max(1, -(-total // PAGE_SIZE))
    kept = {k: v for k, v in params.items() if k != "page" and v}

    def url(n: int) -> str:
        return "?" + urlencode({**kept, "page": str(n)})

    return {
        "page": page,
        "last": last,
        "total": total,
        "prev": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < last else None,
    }


async def _listing(
    request: Request, list_filter: ListFilter
) -> tuple[list[dict[str, Any]], dict[str, Any], list[str]]:
    params = request.query_params
    page = _int_param(params.get("page"), 1, low=1, high=100_000)
    now = datetime.now(UTC)
    async with _sessions(request)() as session, session.begin():
        rows, total = await list_work_orders(
            session, list_filter, now=now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        table = await current_table(session)
    categories = sorted(table.rules.values(), key=lambda r: r.code)
    return rows, _pages(params, page, total), [f"{r.code} {r.name}" for r in categories]


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/desk/work-orders", status_code=303)


@router.get("/desk/work-orders")
async def work_order_list(request: Request, principal: DeskUser) -> HTMLResponse:
    form, list_filter, errors = parse_filters(request.query_params, principal)
    rows, pages, categories = await _listing(request, list_filter)
    return render(
        request,
        "work_orders.html",
        principal=principal,
        form=form,
        errors=errors,
        rows=rows,
        pages=pages,
        categories=categories,
        statuses=[(s.value, label) for s, label in STATUS_LABELS.items()],
        status_code=400 if errors else 200,
    )


@router.get("/desk/triage")
async def triage_queue(request: Request, principal: DeskUser) -> HTMLResponse:
    list_filter = ListFilter(status=Status.TRIAGE.value, scope_prefix=region_prefix(principal.region))
    rows, pages, _ = await _listing(request, list_filter)
    return render(request, "triage.html", principal=principal, rows=rows, pages=pages)


# -------------------------------------------------------------------------------------------- detail


async def _detail_page(
    request: Request,
    principal: Principal,
    work_order_id: uuid.UUID,
    *,
    notice: str | None = None,
    form_error: str | None = None,
    form_values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    async with _sessions(request)() as session:
        row = await work_order_row(session, work_order_id)
        if row is None or not _visible(principal, row):
            raise _not_found(request, principal)
        detail = await work_order_detail(session, _cipher(request), work_order_id=work_order_id)
    if detail is None:
        raise _not_found(request, principal)
    deadline = row["deadline_at"]
    overdue = deadline is not None and deadline < datetime.now(UTC) and row["status"] in set(OPEN)
    values = dict(form_values or {})
    values.setdefault("target", "")
    values.setdefault("county", row["responsible_region"] or "")
    return render(
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
        services=[(s, TARGET_LABELS[s]) for s in SERVICES],
        can_route=row["status"] == Status.TRIAGE.value,
    )


@router.get("/desk/work-orders/{work_order_id}")
async def work_order_page(work_order_id: str, request: Request, principal: DeskUser) -> HTMLResponse:
    parsed = _parse_id(work_order_id)
    if parsed is None:
        raise _not_found(request, principal)
    notice = "工单已派发。" if request.query_params.get("done") == "routed" else None
    return await _detail_page(request, principal, parsed, notice=notice)


def _route_form_error(principal: Principal, target: str, county: str) -> tuple[str, int] | None:
    if target not in SERVICES:
        return "请选择承办业务", 400
    if len(county) != 6 or not county.isascii() or responsible_county(county) is None:
        return "请填写 6 位区县级行政区划代码（不以 00 结尾）", 400
    if not principal.can_see_region(county):
        return f"区县 {county} 不在您的管辖范围内，不能派发到该区县", 403
    return None


@router.post("/desk/work-orders/{work_order_id}/route", dependencies=[Depends(same_origin)])
async def route_work_order(work_order_id: str, request: Request, principal: DeskUser) -> Response:
    """分拨: send a work order from the triage queue to a service and a county in the caller's scope."""
    parsed = _parse_id(work_order_id)
    if parsed is None:
        raise _not_found(request, principal)
    form = await request.form()
    values = {"target": _field(form, "target", 32), "county": _code(_field(form, "county", 12))}
    async with _sessions(request)() as session:
        row = await work_order_row(session, parsed)
    if row is None or not _visible(principal, row):
        raise _not_found(request, principal)
    problem = _route_form_error(principal, values["target"], values["county"])
    if problem is None:
        try:
            async with unit_of_work(_sessions(request), _cipher(request)) as uow:
                await handlers.route_from_triage(
                    uow,
                    parsed,
                    target=values["target"],
                    county=values["county"],
                    actor=_actor(principal),
                    now=datetime.now(UTC),
                )
        except WorkOrderNotFound as exc:
            raise _not_found(request, principal) from exc
        except (InvalidTransition, ConflictingRequest) as exc:
            problem = exc.message, 409
        except IntakeError as exc:
            problem = exc.message, 400
        except IntegrityError:
            problem = "工单已被其他操作修改，请刷新后重试", 409
    if problem is not None:
        message, code = problem
        return await _detail_page(
            request, principal, parsed, form_error=message, form_values=values, status_code=code
        )
    return RedirectResponse(f"/desk/work-orders/{parsed}?done=routed", status_code=303)


# ------------------------------------------------------------------------------------------- routing


class _StaleTable(Exception):
    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


async def _routing_page(
    request: Request,
    principal: Principal,
    *,
    rows: list[dict[str, str]] | None = None,
    comment: str = "",
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    async with _sessions(request)() as session, session.begin():
        table = await current_table(session)
        versions = await routing_history(session)
    current = [{"code": r.code, "name": r.name, "target": r.target} for r in table.rules.values()]
    editing = [r for r in (rows if rows is not None else current) if r["code"] or r["name"]]
    editing += [{"code": "", "name": "", "target": "triage"} for _ in range(EXTRA_RULE_ROWS)]
    return render(
        request,
        "routing.html",
        principal=principal,
        status_code=status_code,
        version=table.version,
        rules=current,
        versions=versions,
        is_admin=principal.has_role(Role.admin),
        editing=editing,
        targets=[(t, TARGET_LABELS[t]) for t in TARGETS],
        comment=comment,
        error=error,
        notice=notice,
    )


@router.get("/desk/routing")
async def routing_page(request: Request, principal: DeskUser) -> HTMLResponse:
    saved = request.query_params.get("saved", "")
    notice = f"分拨规则已保存为第 {int(saved)} 版。" if saved.isdigit() and len(saved) < 10 else None
    return await _routing_page(request, principal, notice=notice)


def _submitted_rules(form: FormData) -> list[dict[str, str]]:
    count = _int_param(_field(form, "row_count", 8) or None, 0, low=0, high=MAX_RULE_ROWS)
    return [
        {
            "code": _field(form, f"rules-{i}-code", 64),
            "name": _field(form, f"rules-{i}-name", 200),
            "target": _field(form, f"rules-{i}-target", 32),
        }
        for i in range(count)
    ]


@router.post("/desk/routing", dependencies=[Depends(same_origin)])
async def save_routing(request: Request, principal: DeskUser) -> Response:
    """Save the edited rules as the next version of the routing table (admins only)."""
    if not principal.has_role(Role.admin):
        raise _PageExit(error_page(request, 403, "只有管理员可以修改分拨规则。", principal))
    form = await request.form()
    rules = _submitted_rules(form)
    comment = _field(form, "comment", MAX_COMMENT + 1)
    base = _field(form, "base_version", 10)
    error: tuple[str, int] | None = None
    if not comment:
        error = "请填写修改说明（会记入变更记录）", 400
    elif len(comment) > MAX_COMMENT:
        error = f"修改说明不能超过 {MAX_COMMENT} 个字", 400
    else:
        try:
            async with _sessions(request)() as session, session.begin():
                current = await current_table(session)
                if not base.isdigit() or int(base) != current.version:
                    raise _StaleTable(current.version)
                version = await save_new_version(
                    session, rules, changed_by=_actor(principal), comment=comment
                )
        except _StaleTable as exc:
            error = f"分拨规则已被他人更新为第 {exc.version} 版，请核对后重新保存", 409
        except IntegrityError:
            error = "分拨规则刚被他人修改，请刷新页面后重新保存", 409
        except IntakeError as exc:
            error = exc.message, 400
    if error is not None:
        message, code = error
        return await _routing_page(
            request, principal, rows=rules, comment=comment, error=message, status_code=code
        )
    return RedirectResponse(f"/desk/routing?saved={version}", status_code=303)
