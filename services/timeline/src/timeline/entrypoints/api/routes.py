"""The timeline JSON API: one case, one 12345 work order, one person; person lookup and link corrections."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import select

from shared.auth.deps import CurrentPrincipal, require_roles
from shared.auth.principal import Role
from shared.kit.app import json_body
from shared.kit.types import Moment
from shared.problems import ProblemException
from timeline.adapters.tables import rebuild_run
from timeline.domain.commands import LinkPersons, UnlinkPersons
from timeline.domain.links import LinkRow
from timeline.domain.viewer import Filters, Viewer
from timeline.entrypoints.api.deps import MonitorDep, TimelineRuntimeDep, ViewerDep, actor_of
from timeline.entrypoints.api.schemas import (
    LinkIn,
    LinkOut,
    LookupIn,
    LookupOut,
    PageOut,
    PersonLinksOut,
    ProjectionOut,
)
from timeline.service_layer import case_views, person_views
from timeline.service_layer.views import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix="/api/v1/timeline", tags=["timeline"])

_PAGE_DOC = (
    "Entries in causal order (by event time; a consequence never before its cause), limited to the "
    "caller's region; minor-related entries only for child-protection staff, auditors and admins; trace "
    "ids only for auditors and admins."
)
_NOT_FOUND = "未找到该人员，或不在您的管辖范围内"


async def filters(
    service: Annotated[list[str] | None, Query(description="Only these producing services")] = None,
    type: Annotated[list[str] | None, Query(description="Only these event types")] = None,
    since: Annotated[Moment | None, Query(description="Event time from (inclusive), ISO 8601")] = None,
    until: Annotated[Moment | None, Query(description="Event time until (exclusive), ISO 8601")] = None,
) -> Filters:
    return Filters(tuple(service or ()), tuple(type or ()), since, until)


FiltersDep = Annotated[Filters, Depends(filters)]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]


@router.get("/cases/{case_service}/{case_id}", response_model=PageOut, description=_PAGE_DOC)
async def case_timeline(
    case_service: str,
    case_id: str,
    viewer: ViewerDep,
    runtime: TimelineRuntimeDep,
    f: FiltersDep,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """One case by its id or its reference: `child_protection/<case id or CP-500154-2026-000005>`,
    `intake/<work order id or 12345 order number>`, `child_protection/<child id>`."""
    async with runtime.sessions() as session:
        page = await case_views.case_timeline(
            session, case_service, case_id, viewer, f, cursor, limit, settings=runtime.settings
        )
    return json_body(page.to_json())


@router.get("/work-orders/{order_no}", response_model=PageOut, description=_PAGE_DOC)
async def work_order_timeline(
    order_no: str,
    viewer: ViewerDep,
    runtime: TimelineRuntimeDep,
    f: FiltersDep,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """Everything that happened because of one 12345 work order, across services (via correlation)."""
    async with runtime.sessions() as session:
        page = await case_views.work_order_timeline(
            session, order_no, viewer, f, cursor, limit, settings=runtime.settings
        )
    return json_body(page.to_json())


@router.get("/persons/{personkey}", response_model=PageOut, description=_PAGE_DOC)
async def person_timeline(
    personkey: str,
    viewer: ViewerDep,
    runtime: TimelineRuntimeDep,
    f: FiltersDep,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
) -> Response:
    """One person across all cases and services; keys linked to this one are merged in (404 unless the
    caller may see an entry of the person: the linked keys are not disclosed either)."""
    async with runtime.sessions() as session:
        if not await person_views.has_visible_entry(session, personkey, viewer):
            raise ProblemException(404, "Not Found", _NOT_FOUND)
        page = await person_views.person_timeline(
            session, personkey, viewer, f, cursor, limit, settings=runtime.settings
        )
    return json_body(page.to_json())


@router.post(
    "/persons/lookup", response_model=LookupOut, responses={422: {"description": "Not a valid 身份证号"}}
)
async def lookup_person(body: LookupIn, viewer: ViewerDep, runtime: TimelineRuntimeDep) -> LookupOut:
    """The `personkey` of a 身份证号 given in the body (never in a URL, never logged)."""
    secret = runtime.settings.personkey_secret.get_secret_value()
    key = person_views.lookup_personkey(body.id_number, secret)
    if key is None:
        raise ProblemException(422, "Unprocessable Entity", "身份证号无效（校验位或出生日期不正确）")
    return LookupOut(personkey=key)


@router.get("/persons/{personkey}/links", response_model=PersonLinksOut)
async def person_links(personkey: str, viewer: ViewerDep, runtime: TimelineRuntimeDep) -> dict[str, Any]:
    """The keys merged into this person and the history of links and unlinks touching them (404 unless the
    caller may see an entry of the person)."""
    async with runtime.sessions() as session:
        if not await person_views.has_visible_entry(session, personkey, viewer):
            raise ProblemException(404, "Not Found", _NOT_FOUND)
        keys = sorted(await person_views.person_keys(session, personkey))
        return {"personkeys": keys, "links": await person_views.person_links(session, personkey)}


def link_json(row: LinkRow) -> dict[str, Any]:
    """A recorded correction as the API shows it."""
    return {
        "from": row.key_a,
        "to": row.key_b,
        "action": row.action,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "reason": row.reason,
        "event_id": row.event_id,
        "recorded_at": (row.recorded_at or row.at).isoformat(),
    }


_CORRECTORS = Depends(require_roles(Role.caseworker, Role.supervisor, Role.admin))


@router.post("/persons/links", status_code=201, response_model=LinkOut, dependencies=[_CORRECTORS])
async def link_persons(
    body: LinkIn, principal: CurrentPrincipal, runtime: TimelineRuntimeDep
) -> dict[str, Any]:
    """Record that two person keys are the same person (e.g. a provisional key confirmed); both timelines
    merge. Caseworkers, supervisors and admins who can see an entry of each key."""
    command = LinkPersons(
        one=body.from_key,
        other=body.to_key,
        reason=body.reason,
        actor=actor_of(principal),
        viewer=Viewer.from_principal(principal),
    )
    return link_json(await runtime.bus.handle(command))


@router.delete("/persons/links", response_model=LinkOut, dependencies=[_CORRECTORS])
async def unlink_persons(
    body: LinkIn, principal: CurrentPrincipal, runtime: TimelineRuntimeDep
) -> dict[str, Any]:
    """Record that two linked keys are not the same person; the timelines split again (JSON body as POST)."""
    command = UnlinkPersons(
        one=body.from_key,
        other=body.to_key,
        reason=body.reason,
        actor=actor_of(principal),
        viewer=Viewer.from_principal(principal),
    )
    return link_json(await runtime.bus.handle(command))


@router.get("/projection", response_model=ProjectionOut)
async def projection_state(
    principal: CurrentPrincipal, runtime: TimelineRuntimeDep, monitor: MonitorDep
) -> dict[str, Any]:
    """The projection's lag behind its topics, its entry count and the last rebuild."""
    snap = monitor.snapshot
    async with runtime.sessions() as session:
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
