"""Read side: one case, one 12345 work order, one person; scoped to the viewer, in causal order, paged.

These functions are what the API (and the timeline UI) call:

    page = await case_timeline(session, "child_protection", case_id, Viewer.from_principal(p))
    page = await work_order_timeline(session, order_no, viewer, Filters(services=("intake",)))
    page = await person_timeline(session, personkey, viewer, cursor=page.next_cursor)

A query assembles every matching entry the viewer may see (up to `max_query_entries`), puts them in
causal order, and returns one page; the cursor is opaque and survives entries arriving late.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from shared.auth.principal import Principal, Program, Role
from shared.identity import parse_id_number, personkey
from shared.regions import in_scope, is_scope, region_prefix
from timeline.adapters.tables import person_link, timeline_entry
from timeline.domain.entry import aggregate_of
from timeline.domain.links import LinkRow, component, current_pairs
from timeline.domain.ordering import causal_order
from timeline.settings import TimelineSettings

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_t = timeline_entry


class BadCursor(ValueError):
    """A cursor that this service did not hand out."""


@dataclass(frozen=True)
class Viewer:
    """Who is looking: region scope, whether sensitive (minor-related) entries and trace ids are shown."""

    sub: str
    region: str
    can_see_sensitive: bool
    can_see_traces: bool

    @classmethod
    def from_principal(cls, principal: Principal) -> Viewer:
        """Sensitive entries: child-protection staff, auditors and admins; trace ids: auditors and admins."""
        return cls(
            sub=principal.sub,
            region=principal.region,
            can_see_sensitive=principal.has_program(Program.child_protection)
            or principal.has_role(Role.auditor, Role.admin),
            can_see_traces=principal.has_role(Role.auditor, Role.admin),
        )

    def can_see_region(self, code: str | None) -> bool:
        """The same rule as Principal.can_see_region; an entry without a region is seen by nobody."""
        return code is not None and in_scope(code, self.region)


@dataclass(frozen=True)
class Filters:
    """Optional narrowing: producing services, event types, event time range [since, until)."""

    services: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Entry:
    """One entry as a viewer sees it (`trace_id` only for auditors and admins)."""

    event_id: str
    event_time: datetime
    recorded_at: datetime
    service: str
    type: str
    case_ref: str
    order_no: str | None
    personkeys: tuple[str, ...]
    regioncode: str | None
    correlation_id: str | None
    causation_id: str | None
    trace_id: str | None
    sensitivity: str
    summary: str
    excerpt: Mapping[str, Any]
    link: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event_time": self.event_time.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "service": self.service,
            "type": self.type,
            "case_ref": self.case_ref,
            "order_no": self.order_no,
            "personkeys": list(self.personkeys),
            "regioncode": self.regioncode,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "trace_id": self.trace_id,
            "sensitivity": self.sensitivity,
            "summary": self.summary,
            "excerpt": dict(self.excerpt),
            "link": self.link,
        }


@dataclass(frozen=True)
class Page:
    """One page of a timeline; `total` counts every visible entry of the query, `truncated` says the
    query reached `max_query_entries`; `personkeys` are the merged keys of a person timeline."""

    entries: list[Entry]
    next_cursor: str | None
    total: int
    truncated: bool = False
    personkeys: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "entries": [e.to_json() for e in self.entries],
            "next_cursor": self.next_cursor,
            "total": self.total,
            "truncated": self.truncated,
            "personkeys": list(self.personkeys),
        }


_default_settings: TimelineSettings | None = None


def _settings(settings: TimelineSettings | None) -> TimelineSettings:
    global _default_settings
    if settings is not None:
        return settings
    if _default_settings is None:
        _default_settings = TimelineSettings()
    return _default_settings


def entry_link(event_type: str, case_ref: str, ui_base_urls: Mapping[str, str]) -> str | None:
    """The page of the entry's case (or work order, or child's file) in its own service's UI."""
    aggregate = aggregate_of(event_type)
    service, _, ident = case_ref.partition("/")
    base = ui_base_urls.get(service)
    if aggregate is None or aggregate[1] is None or base is None or not ident:
        return None
    return base.rstrip("/") + aggregate[1].format(id=ident)


# ---- the queries ------------------------------------------------------------------------------------


async def case_timeline(
    session: AsyncSession,
    service: str,
    case_id: str,
    viewer: Viewer,
    filters: Filters = Filters(),
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    settings: TimelineSettings | None = None,
) -> Page:
    """Every entry of one case (`<service>/<case_id>`: a child_protection case id, an intake work order id,
    a child's file id in the register)."""
    return await _timeline(
        session, _t.c.case_ref == f"{service}/{case_id}", viewer, filters, cursor, limit, settings
    )


def work_order_scope(order_no: str) -> ColumnElement[bool]:
    """Entries caused by a 12345 work order: those naming the order number, and every entry sharing the
    correlation id of intake's entries for it (intake's work order id, which the domain services carry)."""
    work_order_ids = (
        select(_t.c.correlation_id)
        .where(_t.c.order_no == order_no, _t.c.source == "intake", _t.c.correlation_id.is_not(None))
        .distinct()
        .scalar_subquery()
    )
    return or_(_t.c.order_no == order_no, _t.c.correlation_id.in_(work_order_ids))


async def work_order_timeline(
    session: AsyncSession,
    order_no: str,
    viewer: Viewer,
    filters: Filters = Filters(),
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    settings: TimelineSettings | None = None,
) -> Page:
    """Everything that happened because of one 12345 work order, across services."""
    return await _timeline(session, work_order_scope(order_no), viewer, filters, cursor, limit, settings)


async def person_timeline(
    session: AsyncSession,
    key: str,
    viewer: Viewer,
    filters: Filters = Filters(),
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    settings: TimelineSettings | None = None,
) -> Page:
    """One person across all cases and services, with every currently linked key merged."""
    keys = tuple(sorted(await person_keys(session, key)))
    page = await _timeline(
        session, _t.c.personkeys.overlap(list(keys)), viewer, filters, cursor, limit, settings
    )
    return Page(page.entries, page.next_cursor, page.total, page.truncated, keys)


def lookup_personkey(id_number: str, secret: str) -> str | None:
    """The person key of a 身份证号 (None when the number is not valid: such people have provisional keys)."""
    info = parse_id_number(id_number)
    if not info.valid or info.normalized is None:
        return None
    return personkey(info.normalized, secret)


# ---- person links ------------------------------------------------------------------------------------


def _link_row(r: Any) -> LinkRow:
    return LinkRow(r.key_a, r.key_b, r.action, r.at, r.event_id, r.id)


async def link_rows_touching(session: AsyncSession, keys: Sequence[str]) -> list[Any]:
    """Every link/unlink row naming one of `keys`, oldest first."""
    if not keys:
        return []
    rows = await session.execute(
        select(person_link)
        .where(or_(person_link.c.key_a.in_(keys), person_link.c.key_b.in_(keys)))
        .order_by(person_link.c.at, person_link.c.id)
    )
    return list(rows.all())


async def person_keys(session: AsyncSession, key: str) -> set[str]:
    """The keys currently linked to `key`, directly or through others (including `key`)."""
    found: set[str] = {key}
    frontier = [key]
    rows: dict[int, LinkRow] = {}
    while frontier:
        for r in await link_rows_touching(session, frontier):
            rows[r.id] = _link_row(r)
        linked = component(key, current_pairs(rows.values()))
        frontier = sorted(linked - found)
        found |= linked
    return found


async def currently_linked(session: AsyncSession, a: str, b: str) -> bool:
    """Whether the pair itself is linked now (not merely connected through a third key)."""
    pair = tuple(sorted((a, b)))
    rows = [_link_row(r) for r in await link_rows_touching(session, [a]) if (r.key_a, r.key_b) == pair]
    return pair in current_pairs(rows)


async def person_links(session: AsyncSession, key: str) -> list[dict[str, Any]]:
    """The link history of the person's keys: who linked or unlinked which keys, when, why, by which event."""
    keys = sorted(await person_keys(session, key))
    return [
        {
            "from": r.key_a,
            "to": r.key_b,
            "action": r.action,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "reason": r.reason,
            "event_id": r.event_id,
            "recorded_at": r.recorded_at.isoformat(),
        }
        for r in await link_rows_touching(session, keys)
    ]


async def has_visible_entry(session: AsyncSession, key: str, viewer: Viewer) -> bool:
    """Whether the viewer can see at least one entry naming `key` (before linking it to another key)."""
    regions = await session.scalars(
        select(_t.c.regioncode)
        .where(*_conditions(_t.c.personkeys.overlap([key]), viewer, Filters()))
        .limit(100)
    )
    return any(viewer.can_see_region(r) for r in regions)


# ---- the shared machinery ---------------------------------------------------------------------------


def minor_related() -> ColumnElement[bool]:
    """An entry is sensitive when it is itself, or when any entry of its case is (a work order about a
    child stays sensitive after the events that named the child)."""
    other = aliased(_t)
    return or_(
        _t.c.sensitivity == "sensitive",
        exists().where(other.c.case_ref == _t.c.case_ref, other.c.sensitivity == "sensitive"),
    )


def _conditions(scope: ColumnElement[bool], viewer: Viewer, filters: Filters) -> list[ColumnElement[bool]]:
    if not is_scope(viewer.region):
        return [false()]
    conditions = [scope, _t.c.regioncode.is_not(None)]
    prefix = region_prefix(viewer.region)
    if prefix:
        conditions.append(_t.c.regioncode.startswith(prefix, autoescape=True))
    if filters.services:
        conditions.append(_t.c.source.in_(filters.services))
    if filters.types:
        conditions.append(_t.c.type.in_(filters.types))
    if filters.since is not None:
        conditions.append(_t.c.event_time >= filters.since)
    if filters.until is not None:
        conditions.append(_t.c.event_time < filters.until)
    if not viewer.can_see_sensitive:
        conditions.append(~minor_related())
    return conditions


async def _timeline(
    session: AsyncSession,
    scope: ColumnElement[bool],
    viewer: Viewer,
    filters: Filters,
    cursor: str | None,
    limit: int,
    settings: TimelineSettings | None,
) -> Page:
    cfg = _settings(settings)
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor) if cursor else None
    # Ordering needs only four columns of every entry in scope; whole rows are read for the page alone
    # (building every entry of a 1,000-entry person cost most of the query's time).
    keys = (
        await session.execute(
            select(_t.c.event_id, _t.c.event_time, _t.c.causation_id, _t.c.regioncode)
            .where(and_(*_conditions(scope, viewer, filters)))
            .order_by(_t.c.event_time, _t.c.event_id)
            .limit(cfg.max_query_entries + 1)
        )
    ).all()
    truncated = len(keys) > cfg.max_query_entries
    visible = [k for k in keys[: cfg.max_query_entries] if viewer.can_see_region(k.regioncode)]
    ordered = causal_order(
        visible,
        sort_key=lambda k: (k.event_time, k.event_id),
        event_id=lambda k: k.event_id,
        causation_id=lambda k: k.causation_id,
    )
    start = _start_after(ordered, after) if after else 0
    window = ordered[start : start + limit]
    more = start + limit < len(ordered)
    chunk = await _entries(session, [k.event_id for k in window], viewer, cfg)
    return Page(chunk, encode_cursor(window[-1]) if more and window else None, len(ordered), truncated)


async def _entries(
    session: AsyncSession, ids: list[str], viewer: Viewer, cfg: TimelineSettings
) -> list[Entry]:
    """Whole entries for `ids`, in that order."""
    if not ids:
        return []
    sensitive = minor_related().label("effective_sensitive")
    rows = (await session.execute(select(_t, sensitive).where(_t.c.event_id.in_(ids)))).all()
    by_id = {r.event_id: _entry(r, viewer, cfg) for r in rows}
    # An id missing here went in a rebuild's swap between the two reads: the page is one entry short.
    return [by_id[i] for i in ids if i in by_id]


def _entry(r: Any, viewer: Viewer, cfg: TimelineSettings) -> Entry:
    return Entry(
        event_id=r.event_id,
        event_time=r.event_time,
        recorded_at=r.recorded_at,
        service=r.source,
        type=r.type,
        case_ref=r.case_ref,
        order_no=r.order_no,
        personkeys=tuple(r.personkeys or ()),
        regioncode=r.regioncode,
        correlation_id=r.correlation_id,
        causation_id=r.causation_id,
        trace_id=r.trace_id if viewer.can_see_traces else None,
        sensitivity="sensitive" if r.effective_sensitive else "normal",
        summary=r.summary,
        excerpt=r.excerpt or {},
        link=entry_link(r.type, r.case_ref, cfg.ui_base_urls),
    )


def encode_cursor(last: Any) -> str:
    """An opaque position: the last entry handed out (its id and sort key)."""
    raw = orjson.dumps({"id": last.event_id, "t": last.event_time.isoformat()})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
        return str(data["id"]), datetime.fromisoformat(str(data["t"]))
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise BadCursor("无效的分页游标") from exc


def _start_after(ordered: Sequence[Any], after: tuple[str, datetime]) -> int:
    event_id, at = after
    for i, e in enumerate(ordered):
        if e.event_id == event_id:
            return i + 1
    # The entry is no longer in the result (filters changed): continue after its sort key.
    return next(
        (i for i, e in enumerate(ordered) if (e.event_time, e.event_id) > (at, event_id)), len(ordered)
    )
