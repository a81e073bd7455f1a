"""The person timeline page and how people reach it: a 身份证号 typed into a form sent by POST (never in a
URL: the answer is a redirect to the person's key), or a person reference another page links to.

The page never shows a key: its title is 人员时间线 and the merged records are listed by a short reference.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.web.formatting import form_text, normalize_code
from shared.web.security import PageRoute
from timeline.domain.viewer import Filters, Viewer
from timeline.entrypoints.web.common import MAX_FIELD, PageUser, RuntimeDep, pages
from timeline.entrypoints.web.search_pages import search_page
from timeline.entrypoints.web.timeline_pages import timeline_page
from timeline.service_layer import person_views
from timeline.service_layer.views import Page

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def person_url(key: str) -> str:
    return f"/timeline/persons/{quote(key, safe='')}"


@router.get("/timeline/persons")
async def search_person(request: Request, principal: PageUser) -> Response:
    """A person by the reference another page gave (the search page's second person form)."""
    key = request.query_params.get("personkey", "").strip()[:MAX_FIELD]
    if not key:
        return search_page(request, principal, errors=["请填写人员编号"], status_code=400)
    return RedirectResponse(person_url(key), status_code=303)


@router.post("/timeline/persons/lookup")
async def lookup_person(request: Request, principal: PageUser, runtime: RuntimeDep) -> Response:
    """The 身份证号 arrives in the form body; the answer is a redirect to the person (never the number)."""
    pages.check_origin(request, principal)
    form = await request.form()
    id_number = normalize_code(form_text(form, "id_number", 40)).upper()
    secret = runtime.settings.personkey_secret.get_secret_value()
    key = person_views.lookup_personkey(id_number, secret) if id_number else None
    if key is None:
        message = "身份证号无效（应为 18 位，校验位和出生日期须正确）" if id_number else "请填写身份证号"
        return search_page(request, principal, errors=[message], status_code=422)
    return RedirectResponse(person_url(key), status_code=303)


@router.get("/timeline/persons/{personkey}")
async def person_page(
    request: Request, principal: PageUser, runtime: RuntimeDep, personkey: str
) -> HTMLResponse:
    """One person across all cases and services, every linked record merged."""

    async def fetch(s: AsyncConnection, v: Viewer, f: Filters, c: str | None, n: int) -> Page:
        return await person_views.person_timeline(s, personkey, v, f, c, n, settings=runtime.settings)

    def subject(page: Page) -> str:
        merged = len(page.personkeys)
        return f"同一人员的 {merged} 条人员记录已合并显示" if merged > 1 else "一名人员在各项业务中的记录"

    return await timeline_page(
        request, principal, runtime, fetch, title="人员时间线", subject=subject, kind="person"
    )
