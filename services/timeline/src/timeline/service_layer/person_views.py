"""Read side of one person: every key currently linked to theirs merged, the link history, the lookup.

page = await person_timeline(session, personkey, viewer, cursor=page.next_cursor)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.identity import key_of_id_number
from timeline.adapters.repository import SqlEntryRepository, SqlLinkRepository
from timeline.adapters.tables import timeline_entry
from timeline.domain.links import LinkRow, component, current_pairs
from timeline.domain.names import actor_name
from timeline.domain.viewer import Filters, Viewer
from timeline.service_layer.views import DEFAULT_LIMIT, Page, timeline
from timeline.settings import TimelineSettings

_t = timeline_entry


def lookup_personkey(id_number: str, secret: str) -> str | None:
    """The person key of a 身份证号 (None when the number is not valid: such people have provisional keys)."""
    key, _ = key_of_id_number(id_number, secret)
    return key


async def person_keys(session: AsyncConnection, key: str) -> set[str]:
    """The keys currently linked to `key`, directly or through others (including `key`)."""
    links = SqlLinkRepository(session)
    found: set[str] = {key}
    frontier = [key]
    rows: dict[int, LinkRow] = {}
    while frontier:
        for row in await links.touching(frontier):
            rows[row.row_id] = row
        linked = component(key, current_pairs(rows.values()))
        frontier = sorted(linked - found)
        found |= linked
    return found


async def person_timeline(
    session: AsyncConnection,
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
    page = await timeline(
        session, _t.c.personkeys.overlap(list(keys)), viewer, filters, cursor, limit, settings
    )
    return Page(page.entries, page.next_cursor, page.total, page.truncated, keys)


async def has_visible_entry(session: AsyncConnection, key: str, viewer: Viewer) -> bool:
    """Whether the viewer can see at least one entry naming `key`."""
    return await SqlEntryRepository(session).visible_to(key, viewer)


async def person_links(session: AsyncConnection, key: str) -> list[dict[str, Any]]:
    """The link history of the person's keys: who linked or unlinked which keys, when, why, by which event."""
    keys = sorted(await person_keys(session, key))
    return [
        {
            "from": r.key_a,
            "to": r.key_b,
            "action": r.action,
            "at": r.at.isoformat(),
            "actor": actor_name(r.actor),
            "reason": r.reason,
            "event_id": r.event_id,
            "recorded_at": r.recorded_at.isoformat() if r.recorded_at else None,
        }
        for r in await SqlLinkRepository(session).touching(keys)
    ]
