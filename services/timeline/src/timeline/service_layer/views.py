"""Read side: the timeline query every view runs: scoped to the viewer, in causal order, paged.

`case_views` (one case, one 12345 work order) and `person_views` (one person, links merged) give it a
scope; what the API and the pages show is exactly what this returns for the caller's `Viewer`. A query
assembles every matching entry the viewer may see (up to `max_query_entries`), puts them in causal order,
and returns one page; the cursor is opaque and survives entries arriving late.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import ColumnElement, DateTime, and_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncConnection

from timeline.adapters.tables import timeline_entry
from timeline.adapters.visibility import minor_related, visible
from timeline.domain.entry import aggregate_of
from timeline.domain.errors import BadCursor
from timeline.domain.ordering import causal_order
from timeline.domain.viewer import Filters, Viewer
from timeline.settings import TimelineSettings

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_t = timeline_entry


@dataclass(frozen=True)
class Entry:
    """One entry as a viewer sees it (`trace_id` only for auditors and admins)."""

    event_id: str
    event_time: datetime
    recorded_at: datetime
    service: str
    type: str
    case_ref: str
    reference: str | None
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
            "reference": self.reference,
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


@cache
def _default_settings() -> TimelineSettings:
    return TimelineSettings()


def entry_link(event_type: str, case_ref: str, ui_base_urls: Mapping[str, str]) -> str | None:
    """The page of the entry's case (or work order, or child's file) in its own service's UI."""
    aggregate = aggregate_of(event_type)
    service, _, ident = case_ref.partition("/")
    base = ui_base_urls.get(service)
    if aggregate is None or aggregate[1] is None or base is None or not ident:
        return None
    return base.rstrip("/") + aggregate[1].format(id=ident)


async def timeline(
    session: AsyncConnection,
    scope: ColumnElement[bool],
    viewer: Viewer,
    filters: Filters,
    cursor: str | None,
    limit: int,
    settings: TimelineSettings | None,
) -> Page:
    """The page of `scope`'s entries the viewer may see, after `cursor`, in causal order."""
    cfg = settings or _default_settings()
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor) if cursor else None
    # Ordering needs only four columns of every entry in scope; whole rows are read for the page alone
    # (building every entry of a 1,000-entry person cost most of the query's time).
    keys = (
        await session.execute(
            # The driver's own datetimes (already aware): the column type's UTC conversion per row was a
            # measurable share of a 1,000-entry query.
            select(
                _t.c.event_id,
                type_coerce(_t.c.event_time, DateTime(timezone=True)),
                _t.c.causation_id,
                _t.c.regioncode,
            )
            .where(and_(*visible(scope, viewer, filters)))
            .order_by(_t.c.event_time, _t.c.event_id)
            .limit(cfg.max_query_entries + 1)
        )
    ).all()
    truncated = len(keys) > cfg.max_query_entries
    head = keys[: cfg.max_query_entries]
    # (event id, event time, causation id) of the entries in a region the viewer sees (checked once per
    # distinct region, not once per entry).
    allowed = {code: viewer.can_see_region(code) for code in {k[3] for k in head}}
    shown = [(k[0], k[1], k[2]) for k in head if allowed[k[3]]]
    ordered = causal_order(
        shown, sort_key=_time_then_id, event_id=_first, causation_id=_third, presorted=True
    )
    start = _start_after(ordered, after) if after else 0
    window = ordered[start : start + limit]
    more = start + limit < len(ordered)
    chunk = await _entries(session, [k[0] for k in window], viewer, cfg)
    return Page(chunk, encode_cursor(*window[-1][:2]) if more and window else None, len(ordered), truncated)


def _time_then_id(k: tuple[str, datetime, str | None]) -> tuple[datetime, str]:
    return k[1], k[0]


def _first(k: tuple[str, datetime, str | None]) -> str:
    return k[0]


def _third(k: tuple[str, datetime, str | None]) -> str | None:
    return k[2]


async def _entries(
    session: AsyncConnection, ids: list[str], viewer: Viewer, cfg: TimelineSettings
) -> list[Entry]:
    """Whole entries for `ids`, in that order."""
    if not ids:
        return []
    sensitive = _effective_sensitive()
    rows = (await session.execute(select(_t, sensitive).where(_t.c.event_id.in_(ids)))).all()
    by_id = {r.event_id: _entry(r, viewer, cfg) for r in rows}
    # An id missing here went in a rebuild's swap between the two reads: the page is one entry short.
    return [by_id[i] for i in ids if i in by_id]


@cache
def _effective_sensitive() -> Any:
    """Built once: the expression is the same for every query."""
    return minor_related().label("effective_sensitive")


def _entry(r: Any, viewer: Viewer, cfg: TimelineSettings) -> Entry:
    return Entry(
        event_id=r.event_id,
        event_time=r.event_time,
        recorded_at=r.recorded_at,
        service=r.source,
        type=r.type,
        case_ref=r.case_ref,
        reference=r.reference,
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


def encode_cursor(event_id: str, event_time: datetime) -> str:
    """An opaque position: the last entry handed out (its id and sort key)."""
    raw = orjson.dumps({"id": event_id, "t": event_time.isoformat()})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime]:
    """The position a cursor names; BadCursor (400) for anything this service did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
        return str(data["id"]), datetime.fromisoformat(str(data["t"]))
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
        raise BadCursor("无效的分页游标") from exc


def _start_after(ordered: Sequence[tuple[str, datetime, str | None]], after: tuple[str, datetime]) -> int:
    event_id, at = after
    for i, e in enumerate(ordered):
        if e[0] == event_id:
            return i + 1
    # The entry is no longer in the result (filters changed): continue after its sort key.
    return next((i for i, e in enumerate(ordered) if (e[1], e[0]) > (at, event_id)), len(ordered))
