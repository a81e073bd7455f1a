"""Timeline pages of one case and of one 12345 work order: a vertical timeline grouped by China day, with
an icon and a colour per service, filtered and paged like the API (the same queries, the same `Viewer`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.auth.principal import Principal
from shared.contracts.labels import common as common_labels
from shared.web.formatting import CST
from shared.web.security import PageRoute
from timeline.domain.errors import BadCursor
from timeline.domain.renderers import RENDERERS, service_label
from timeline.domain.viewer import Filters, Viewer
from timeline.entrypoints.web.common import PageUser, RuntimeDep, by_day, entry_subject, pages, type_option
from timeline.service_layer import case_views
from timeline.service_layer.views import DEFAULT_LIMIT, MAX_LIMIT, Page

router = APIRouter(include_in_schema=False, route_class=PageRoute)
Fetch = Callable[[AsyncConnection, Viewer, Filters, str | None, int], Awaitable[Page]]


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
            "limit": "" if self.limit == DEFAULT_LIMIT else str(self.limit),
            **changes,
        }
        query = urlencode({k: v for k, v in params.items() if v})
        return f"{path}?{query}" if query else path


def _day(raw: str, name: str, errors: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(f"{name}应为日期（如 2026-11-23）")
        return None


def parse_query(request: Request) -> tuple[Query, list[str]]:
    """The filter form of a timeline page; China dates, from 00:00 of the first to 24:00 of the last day."""
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
        limit = min(max(int(params.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        limit = DEFAULT_LIMIT
    filters = Filters(
        services=(service,) if service else (),
        types=(type_,) if type_ else (),
        since=datetime.combine(since, time(), CST) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), CST) if until else None,
    )
    query = Query(service, type_, since_raw, until_raw, filters, params.get("cursor") or None, limit)
    return query, errors


async def timeline_page(
    request: Request,
    principal: Principal,
    runtime: RuntimeDep,
    fetch: Fetch,
    *,
    title: str,
    subject: Callable[[Page], str],
    kind: str,
) -> HTMLResponse:
    """A timeline page: the filter form, the entries of one page, links to the next and the first."""
    query, errors = parse_query(request)
    if errors:
        return pages.error(request, 400, "；".join(errors), principal)
    viewer = Viewer.from_principal(principal)
    try:
        async with runtime.sessions() as session:
            page = await fetch(session, viewer, query.filters, query.cursor, query.limit)
    except BadCursor:
        return pages.error(request, 400, "分页参数无效，请从第一页重新查看。", principal)
    path = request.url.path
    types = [(t, type_option(t)) for t in sorted(RENDERERS)]
    if query.type and query.type not in RENDERERS:
        types.append((query.type, type_option(query.type)))
    context: dict[str, Any] = {
        "title": title,
        "subject": subject(page),
        "kind": kind,
        "page": page,
        "days": by_day(page.entries),
        "query": query,
        "show_traces": viewer.can_see_traces,
        "services": [(k, v) for k, v in common_labels.SERVICES.items() if k != "timeline"],
        "types": types,
        "next_url": query.url(path, cursor=page.next_cursor) if page.next_cursor else None,
        "first_url": query.url(path) if query.cursor else None,
    }
    return pages.render(request, "timeline.html", principal=principal, **context)


@router.get("/timeline/cases/{case_service}/{case_id}")
async def case_page(
    request: Request, principal: PageUser, runtime: RuntimeDep, case_service: str, case_id: str
) -> HTMLResponse:
    """One case, named by its id or its reference."""

    async def fetch(s: AsyncConnection, v: Viewer, f: Filters, c: str | None, n: int) -> Page:
        return await case_views.case_timeline(s, case_service, case_id, v, f, c, n, settings=runtime.settings)

    def subject(page: Page) -> str:
        # The case's own name from its entries (its reference, not the id in the address).
        own = [e for e in page.entries if e.service == case_service]
        return entry_subject(own[0]) if own else f"{service_label(case_service)} · 案件 {case_id}"

    return await timeline_page(
        request, principal, runtime, fetch, title="案件时间线", subject=subject, kind="case"
    )


@router.get("/timeline/work-orders/{order_no}")
async def work_order_page(
    request: Request, principal: PageUser, runtime: RuntimeDep, order_no: str
) -> HTMLResponse:
    """Everything one 12345 work order caused, across services."""

    async def fetch(s: AsyncConnection, v: Viewer, f: Filters, c: str | None, n: int) -> Page:
        return await case_views.work_order_timeline(s, order_no, v, f, c, n, settings=runtime.settings)

    return await timeline_page(
        request,
        principal,
        runtime,
        fetch,
        title="工单时间线",
        subject=lambda _: f"12345工单 {order_no}",
        kind="work_order",
    )
