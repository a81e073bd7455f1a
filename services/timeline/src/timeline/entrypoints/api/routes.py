"""The timeline JSON API: one case, one 12345 work order, one person; person lookup and link corrections."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.deps import CurrentPrincipal, require_roles
from shared.auth.principal import Principal, Role
from shared.problems import ProblemException
from timeline.adapters.tables import rebuild_run
from timeline.domain.entry import LinkAction
from timeline.entrypoints.api.deps import MonitorDep, SessionsDep, SettingsDep
from timeline.entrypoints.api.schemas import (
    LinkIn,
    LinkOut,
    LookupIn,
    LookupOut,
    PageOut,
    PersonLinksOut,
    ProjectionOut,
)
from timeline.service_layer import views
from timeline.service_layer.corrections import record_correction
from timeline.service_layer.views import BadCursor, Filters, Page, Viewer

router = APIRouter(prefix="/api/v1/timeline", tags=["timeline"])

_PAGE_DOC = (
    "Entries in causal order (by event time; a consequence never before its cause), limited to the "
    "caller's region; minor-related entries only for child-protection staff, auditors and admins; trace "
    "ids only for auditors and admins."
)


def actor_of(principal: Principal) -> str:
    return (
        f"{principal.sub}（{principal.name}）"
        if principal.name and principal.name != principal.sub
        else principal.sub
    )


def filters(
    service: Annotated[list[str] | None, Query(description="Only these producing services")] = None,
    type: Annotated[list[str] | None, Query(description="Only these event types")] = None,
    since: Annotated[datetime | None, Query(description="Event time from (inclusive), ISO 8601")] = None,
    until: Annotated[datetime | None, Query(description="Event time until (exclusive), ISO 8601")] = None,
) -> Filters:
    return Filters(tuple(service or ()), tuple(type or ()), since, until)


FiltersDep = Annotated[Filters, Depends(filters)]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=views.MAX_LIMIT)]


async def _page(call: Awaitable[Page]) -> dict[str, Any]:
    try:
        page = await call
    except BadCursor as exc:
        raise ProblemException(400, "Bad Request", str(exc)) from exc
    return page.to_json()


@router.get("/cases/{case_service}/{case_id}", response_model=PageOut, description=_PAGE_DOC)
async def case_timeline(
    case_service: str,
    case_id: str,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    settings: SettingsDep,
    f: FiltersDep,
    cursor: Cursor = None,
    limit: Limit = views.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """One case: `child_protection/<case id>`, `intake/<work order id>`, `child_protection/<child id>`."""
    async with sessions() as session:
        return await _page(
            views.case_timeline(
                session,
                case_service,
                case_id,
                Viewer.from_principal(principal),
                f,
                cursor,
                limit,
                settings=settings,
            )
        )


@router.get("/work-orders/{order_no}", response_model=PageOut, description=_PAGE_DOC)
async def work_order_timeline(
    order_no: str,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    settings: SettingsDep,
    f: FiltersDep,
    cursor: Cursor = None,
    limit: Limit = views.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """Everything that happened because of one 12345 work order, across services (via correlation)."""
    async with sessions() as session:
        return await _page(
            views.work_order_timeline(
                session, order_no, Viewer.from_principal(principal), f, cursor, limit, settings=settings
            )
        )


@router.get("/persons/{personkey}", response_model=PageOut, description=_PAGE_DOC)
async def person_timeline(
    personkey: str,
    principal: CurrentPrincipal,
    sessions: SessionsDep,
    settings: SettingsDep,
    f: FiltersDep,
    cursor: Cursor = None,
    limit: Limit = views.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """One person across all cases and services; keys linked to this one are merged in."""
    async with sessions() as session:
        return await _page(
            views.person_timeline(
                session, personkey, Viewer.from_principal(principal), f, cursor, limit, settings=settings
            )
        )


@router.post(
    "/persons/lookup", response_model=LookupOut, responses={422: {"description": "Not a valid 身份证号"}}
)
async def lookup_person(body: LookupIn, principal: CurrentPrincipal, settings: SettingsDep) -> LookupOut:
    """The `personkey` of a 身份证号 given in the body (never in a URL, never logged)."""
    key = views.lookup_personkey(body.id_number, settings.personkey_secret.get_secret_value())
    if key is None:
        raise ProblemException(422, "Unprocessable Entity", "身份证号无效（校验位或出生日期不正确）")
    return LookupOut(personkey=key)


@router.get("/persons/{personkey}/links", response_model=PersonLinksOut)
async def person_links(personkey: str, principal: CurrentPrincipal, sessions: SessionsDep) -> dict[str, Any]:
    """The keys merged into this person and the history of links and unlinks touching them (404 unless the
    caller may see an entry of the person)."""
    async with sessions() as session:
        if not await views.has_visible_entry(session, personkey, Viewer.from_principal(principal)):
            raise ProblemException(404, "Not Found", "未找到该人员，或不在您的管辖范围内")
        keys = sorted(await views.person_keys(session, personkey))
        return {"personkeys": keys, "links": await views.person_links(session, personkey)}


_CORRECTORS = Depends(require_roles(Role.caseworker, Role.supervisor, Role.admin))


async def _correct(
    session: AsyncSession, action: LinkAction, body: LinkIn, principal: Principal
) -> dict[str, Any]:
    if body.from_key == body.to_key:
        raise ProblemException(422, "Unprocessable Entity", "不能将同一个标识与自身关联")
    viewer = Viewer.from_principal(principal)
    for key in (body.from_key, body.to_key):
        if not await views.has_visible_entry(session, key, viewer):
            raise ProblemException(404, "Not Found", "未找到该人员，或不在您的管辖范围内")
    linked = await views.currently_linked(session, body.from_key, body.to_key)
    if action == "unlink" and not linked:
        raise ProblemException(409, "Conflict", "这两个标识当前没有直接关联，无需解除")
    if action == "link" and linked:
        raise ProblemException(409, "Conflict", "这两个标识已经关联")
    return await record_correction(
        session,
        action,
        body.from_key,
        body.to_key,
        actor=actor_of(principal),
        reason=body.reason,
        at=datetime.now(UTC),
    )


@router.post("/persons/links", status_code=201, response_model=LinkOut, dependencies=[_CORRECTORS])
async def link_persons(body: LinkIn, principal: CurrentPrincipal, sessions: SessionsDep) -> dict[str, Any]:
    """Record that two person keys are the same person (e.g. a provisional key confirmed); both timelines
    merge. Caseworkers, supervisors and admins who can see an entry of each key."""
    async with sessions() as session, session.begin():
        return await _correct(session, "link", body, principal)


@router.delete("/persons/links", response_model=LinkOut, dependencies=[_CORRECTORS])
async def unlink_persons(body: LinkIn, principal: CurrentPrincipal, sessions: SessionsDep) -> dict[str, Any]:
    """Record that two linked keys are not the same person; the timelines split again (JSON body as POST)."""
    async with sessions() as session, session.begin():
        return await _correct(session, "unlink", body, principal)


@router.get("/projection", response_model=ProjectionOut)
async def projection_state(
    principal: CurrentPrincipal, sessions: SessionsDep, monitor: MonitorDep
) -> dict[str, Any]:
    """The projection's lag behind its topics, its entry count and the last rebuild."""
    snap = monitor.snapshot
    async with sessions() as session:
        last = (await session.execute(select(rebuild_run).order_by(rebuild_run.c.id.desc()).limit(1))).first()
    return {
        "measured_at": snap.measured_at.isoformat() if snap else None,
        "lag": snap.total_lag if snap else None,
        "lag_by_topic": dict(sorted(snap.lag_by_topic.items())) if snap else {},
        "entries": snap.entries if snap else None,
        "last_rebuild": (
            {
                "started_at": last.started_at.isoformat(),
                "finished_at": last.finished_at.isoformat() if last.finished_at else None,
                "outcome": last.outcome,
                "events": last.events,
                "events_per_second": last.events_per_second,
            }
            if last
            else None
        ),
    }
