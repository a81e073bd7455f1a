"""Timeline pages (Simplified Chinese, server-rendered, plain HTML forms, no JavaScript).

Search by case, by 12345 work order or by person (the 身份证号 is typed into a form sent by POST and
never appears in a URL: the page answers with a redirect to the person's `personkey`), and a vertical
timeline grouped by day (China time) with an icon and a colour per service. What a user sees is exactly
what the JSON API shows them: the same query functions with the same `Viewer` built from the principal
(region scope; minor-related entries only for child-protection staff, auditors and admins; trace ids only
for auditors and admins). A browser without a session goes to the development login page when it is
enabled; every POST must come from this site (Origin/Referer).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth.login import ROLE_LABELS
from shared.auth.principal import Principal
from shared.regions import NATIONAL_SCOPES
from shared.web import (
    CST,
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
from timeline.domain.renderers import RENDERERS, SERVICE_LABELS
from timeline.service_layer import views
from timeline.service_layer.views import BadCursor, Entry, Filters, Page, Viewer
from timeline.settings import TimelineSettings

MAX_FIELD = 200
WEEKDAYS = "一二三四五六日"
# Services whose cases can be searched by id on the search page.
CASE_SERVICES: dict[str, str] = {"intake": "一门受理", "child_protection": "未成年人保护"}
# Icon (one character, so it renders with the CJK font alone) and colour of each service's entries.
SERVICE_STYLES: dict[str, tuple[str, str]] = {
    "intake": ("受", "#1d6fb8"),
    "child_protection": ("护", "#c2410c"),
    "assistance": ("助", "#2e7d32"),
    "vagrant_rescue": ("救", "#6d28d9"),
    "notifications": ("通", "#0f766e"),
}
DEFAULT_STYLE = ("事", "#616e7c")

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def service_label(service: str) -> str:
    return SERVICE_LABELS.get(service, service)


def service_style(service: str) -> dict[str, str]:
    icon, colour = SERVICE_STYLES.get(service, DEFAULT_STYLE)
    return {"icon": icon, "colour": colour, "css": service if service in SERVICE_STYLES else "other"}


def clock(value: datetime) -> str:
    """`09:30:05` in China time."""
    return value.astimezone(CST).strftime("%H:%M:%S") if value.tzinfo else value.strftime("%H:%M:%S")


def day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


_env.filters["time"] = format_time
_env.filters["clock"] = clock
_env.globals.update(
    CASE_SERVICES=CASE_SERVICES,
    SERVICE_LABELS=SERVICE_LABELS,
    service_label=service_label,
    service_style=service_style,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)


# ------------------------------------------------------------------------------------------ plumbing


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


def _settings(request: Request) -> TimelineSettings:
    settings: TimelineSettings = request.app.state.settings
    return settings


def render(
    request: Request, template: str, *, principal: Principal | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page with the navigation bar for `principal`."""
    user = None
    if principal is not None:
        roles = [ROLE_LABELS.get(r, r.value) for r in sorted(principal.roles)]
        user = {
            "name": principal.name,
            "region": "全国" if principal.region in NATIONAL_SCOPES else principal.region,
            "roles": "、".join(roles),
        }
    html = _env.get_template(template).render(
        user=user, path=request.url.path, logout=dev_login_enabled(app_settings(request)), **context
    )
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, status_code: int, message: str, principal: Principal | None) -> HTMLResponse:
    titles = {400: "请求有误", 403: "无权访问", 404: "未找到", 422: "信息有误"}
    return render(
        request,
        "error.html",
        principal=principal,
        status_code=status_code,
        title=titles.get(status_code, "出错了"),
        message=message,
    )


async def user(request: Request) -> Principal:
    """Any logged-in user: what they see is limited by the `Viewer` (as in the API)."""
    return await page_principal(request, back=None if request.method == "GET" else "/timeline")


User = Annotated[Principal, Depends(user)]


def same_origin(request: Request) -> None:
    """CSRF defence for every form POST."""
    if not is_same_origin(request):
        message = "请求来源校验失败：请从本系统的页面提交表单。"
        raise PageExit(error_page(request, 403, message, None))


# -------------------------------------------------------------------------------------------- search


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/timeline", status_code=303)


def _search_page(
    request: Request,
    principal: Principal,
    *,
    errors: Sequence[str] = (),
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "search.html",
        principal=principal,
        errors=list(errors),
        values={"service": "child_protection", "case_id": "", "order_no": "", "personkey": ""}
        | dict(values or {}),
        status_code=status_code,
    )


@router.get("/timeline")
async def search(request: Request, principal: User) -> HTMLResponse:
    return _search_page(request, principal)


@router.get("/timeline/cases")
async def search_case(request: Request, principal: User) -> Response:
    service = request.query_params.get("service", "")
    case_id = normalize_code(request.query_params.get("case_id", ""))[:MAX_FIELD]
    if service not in CASE_SERVICES or not case_id:
        values = {"service": service if service in CASE_SERVICES else "child_protection", "case_id": case_id}
        return _search_page(
            request, principal, errors=["请选择业务并填写案件编号"], values=values, status_code=400
        )
    return RedirectResponse(f"/timeline/cases/{service}/{quote(case_id, safe='')}", status_code=303)


@router.get("/timeline/work-orders")
async def search_work_order(request: Request, principal: User) -> Response:
    order_no = normalize_code(request.query_params.get("order_no", ""))[:MAX_FIELD]
    if not order_no:
        return _search_page(request, principal, errors=["请填写12345工单编号"], status_code=400)
    return RedirectResponse(f"/timeline/work-orders/{quote(order_no, safe='')}", status_code=303)


@router.get("/timeline/persons")
async def search_personkey(request: Request, principal: User) -> Response:
    key = request.query_params.get("personkey", "").strip()[:MAX_FIELD]
    if not key:
        return _search_page(request, principal, errors=["请填写人员标识（personkey）"], status_code=400)
    return RedirectResponse(f"/timeline/persons/{quote(key, safe='')}", status_code=303)


@router.post("/timeline/persons/lookup", dependencies=[Depends(same_origin)])
async def lookup_person(request: Request, principal: User) -> Response:
    """The 身份证号 arrives in the form body; the answer is a redirect to its personkey (never the number)."""
    form = await request.form()
    id_number = normalize_code(form_text(form, "id_number", 40)).upper()
    secret = _settings(request).personkey_secret.get_secret_value()
    key = views.lookup_personkey(id_number, secret) if id_number else None
    if key is None:
        message = "身份证号无效（应为 18 位，校验位和出生日期须正确）" if id_number else "请填写身份证号"
        return _search_page(request, principal, errors=[message], status_code=422)
    return RedirectResponse(f"/timeline/persons/{quote(key, safe='')}", status_code=303)


# ------------------------------------------------------------------------------------------ timeline


@dataclass(frozen=True)
class Query:
    """The filter form's values as typed, the `Filters` they mean, the cursor and the page size."""

    service: str
    type: str
    since: str
    until: str
    filters: Filters
    cursor: str | None
    limit: int

    def url(self, path: str, **changes: str) -> str:
        params = {
            "service": self.service,
            "type": self.type,
            "since": self.since,
            "until": self.until,
            "limit": "" if self.limit == views.DEFAULT_LIMIT else str(self.limit),
            **changes,
        }
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{path}?{query}" if query else path


def _day(raw: str, field: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{field}应为日期（如 2026-11-23）")
        return None


def parse_query(request: Request) -> tuple[Query, list[str]]:
    params = request.query_params
    errors: list[str] = []
    service = params.get("service", "").strip()[:50]
    type_ = params.get("type", "").strip()[:100]
    since_raw = params.get("since", "").strip()[:20]
    until_raw = params.get("until", "").strip()[:20]
    since = _day(since_raw, "开始日期", errors)
    until = _day(until_raw, "结束日期", errors)
    if since and until and until < since:
        errors.append("结束日期不能早于开始日期")
    try:
        limit = min(max(int(params.get("limit", views.DEFAULT_LIMIT)), 1), views.MAX_LIMIT)
    except ValueError:
        limit = views.DEFAULT_LIMIT
    # Dates are China dates: from 00:00 of the first day to 24:00 of the last day (UTC+8).
    filters = Filters(
        services=(service,) if service else (),
        types=(type_,) if type_ else (),
        since=datetime.combine(since, time(), CST) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), CST) if until else None,
    )
    query = Query(service, type_, since_raw, until_raw, filters, params.get("cursor") or None, limit)
    return query, errors


def by_day(entries: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    """Consecutive entries of one China day together, keeping the causal order."""
    groups: list[tuple[str, list[Entry]]] = []
    for entry in entries:
        moment = entry.event_time.astimezone(CST) if entry.event_time.tzinfo else entry.event_time
        label = day_label(moment.date())
        if groups and groups[-1][0] == label:
            groups[-1][1].append(entry)
        else:
            groups.append((label, [entry]))
    return groups


Fetch = Callable[[AsyncSession, Viewer, Filters, str | None, int], Awaitable[Page]]


async def timeline_page(
    request: Request, principal: Principal, fetch: Fetch, *, title: str, subject: str, kind: str
) -> HTMLResponse:
    query, errors = parse_query(request)
    if errors:
        return error_page(request, 400, "；".join(errors), principal)
    viewer = Viewer.from_principal(principal)
    try:
        async with _sessions(request)() as session:
            page = await fetch(session, viewer, query.filters, query.cursor, query.limit)
    except BadCursor:
        return error_page(request, 400, "分页参数无效，请从第一页重新查看。", principal)
    path = request.url.path
    return render(
        request,
        "timeline.html",
        principal=principal,
        title=title,
        subject=subject,
        kind=kind,
        page=page,
        days=by_day(page.entries),
        query=query,
        show_traces=viewer.can_see_traces,
        types=sorted(RENDERERS),
        next_url=query.url(path, cursor=page.next_cursor) if page.next_cursor else None,
        first_url=query.url(path) if query.cursor else None,
        case_timeline_url=lambda ref: (
            "/timeline/cases/" + "/".join(quote(p, safe="") for p in ref.split("/", 1))
        ),
    )


@router.get("/timeline/cases/{case_service}/{case_id}")
async def case_page(request: Request, principal: User, case_service: str, case_id: str) -> HTMLResponse:
    settings = _settings(request)

    async def fetch(s: AsyncSession, v: Viewer, f: Filters, c: str | None, n: int) -> Page:
        return await views.case_timeline(s, case_service, case_id, v, f, c, n, settings=settings)

    label = CASE_SERVICES.get(case_service, service_label(case_service))
    return await timeline_page(
        request, principal, fetch, title="案件时间线", subject=f"{label} · 案件 {case_id}", kind="case"
    )


@router.get("/timeline/work-orders/{order_no}")
async def work_order_page(request: Request, principal: User, order_no: str) -> HTMLResponse:
    settings = _settings(request)

    async def fetch(s: AsyncSession, v: Viewer, f: Filters, c: str | None, n: int) -> Page:
        return await views.work_order_timeline(s, order_no, v, f, c, n, settings=settings)

    return await timeline_page(
        request, principal, fetch, title="工单时间线", subject=f"12345工单 {order_no}", kind="work_order"
    )


@router.get("/timeline/persons/{personkey}")
async def person_page(request: Request, principal: User, personkey: str) -> HTMLResponse:
    settings = _settings(request)

    async def fetch(s: AsyncSession, v: Viewer, f: Filters, c: str | None, n: int) -> Page:
        return await views.person_timeline(s, personkey, v, f, c, n, settings=settings)

    return await timeline_page(
        request, principal, fetch, title="人员时间线", subject=f"人员 {personkey}", kind="person"
    )
