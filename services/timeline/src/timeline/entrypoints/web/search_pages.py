"""The search page: a case by its id or reference, a 12345 work order, a person (身份证号 or reference)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared.auth.principal import Principal
from shared.web.formatting import normalize_code
from shared.web.security import PageRoute
from timeline.entrypoints.web.common import CASE_SERVICES, MAX_FIELD, SEARCH, PageUser, pages

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def search_page(
    request: Request,
    principal: Principal,
    *,
    errors: Sequence[str] = (),
    values: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The search forms, with what was typed and what was wrong with it."""
    return pages.render(
        request,
        "search.html",
        principal=principal,
        errors=list(errors),
        values={"service": "child_protection", "case_id": "", "order_no": "", "personkey": ""}
        | dict(values or {}),
        status_code=status_code,
    )


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse(SEARCH, status_code=303)


@router.get(SEARCH)
async def search(request: Request, principal: PageUser) -> HTMLResponse:
    return search_page(request, principal)


@router.get("/timeline/cases")
async def search_case(request: Request, principal: PageUser) -> Response:
    """A case by its id or by its reference (CP-500154-2026-000005; a 12345 order number for intake)."""
    service = request.query_params.get("service", "")
    case_id = normalize_code(request.query_params.get("case_id", ""))[:MAX_FIELD]
    if service not in CASE_SERVICES or not case_id:
        values = {"service": service if service in CASE_SERVICES else "child_protection", "case_id": case_id}
        return search_page(
            request, principal, errors=["请选择业务并填写案件编号"], values=values, status_code=400
        )
    return RedirectResponse(f"/timeline/cases/{service}/{quote(case_id, safe='')}", status_code=303)


@router.get("/timeline/work-orders")
async def search_work_order(request: Request, principal: PageUser) -> Response:
    order_no = normalize_code(request.query_params.get("order_no", ""))[:MAX_FIELD]
    if not order_no:
        return search_page(request, principal, errors=["请填写12345工单编号"], status_code=400)
    return RedirectResponse(f"/timeline/work-orders/{quote(order_no, safe='')}", status_code=303)
