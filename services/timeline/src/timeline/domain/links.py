"""Person links as data: which person keys currently denote one person, from link/unlink rows.

Rows are never rewritten: for each pair of keys the latest row (by its time, then its event id, then its
row id) decides whether the pair is linked. A person's keys are the connected component of the
currently linked pairs, so a link merges two timelines and an unlink splits them again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from timeline.domain.entry import LinkAction, LinkChange, ProjectedEntry

MAX_REASON = 500


@dataclass(frozen=True)
class LinkRow:
    """One recorded link or unlink of two keys (key_a < key_b): by an event, or by a caseworker (no event)."""

    key_a: str
    key_b: str
    action: LinkAction
    at: datetime
    event_id: str | None = None
    row_id: int = 0
    actor: str = ""
    reason: str | None = None
    recorded_at: datetime | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.key_a, self.key_b)

    @property
    def precedence(self) -> tuple[datetime, str, int]:
        return (self.at, self.event_id or "", self.row_id)


def declared_links(entry: ProjectedEntry, data: Mapping[str, Any]) -> list[LinkRow]:
    """The rows an event's links become, with the event's `actor` and `link_reason`/`reason`."""
    actor = str(data.get("actor") or entry.source)
    reason = data.get("link_reason") or data.get("reason")
    return [
        LinkRow(
            change.key_a,
            change.key_b,
            change.action,
            entry.event_time,
            entry.event_id,
            actor=actor,
            reason=str(reason)[:MAX_REASON] if reason else None,
        )
        for change in entry.links
    ]


def correction(action: LinkAction, one: str, other: str, *, actor: str, reason: str, at: datetime) -> LinkRow:
    """A caseworker's link or unlink of two keys, recorded at `at`."""
    change = LinkChange.of(action, one, other)
    return LinkRow(
        change.key_a, change.key_b, action, at, None, actor=actor, reason=reason[:MAX_REASON], recorded_at=at
    )


def current_pairs(rows: Iterable[LinkRow]) -> set[tuple[str, str]]:
    """The pairs whose latest row is a link."""
    latest: dict[tuple[str, str], LinkRow] = {}
    for row in rows:
        seen = latest.get(row.pair)
        if seen is None or row.precedence > seen.precedence:
            latest[row.pair] = row
    return {pair for pair, row in latest.items() if row.action == "link"}


def component(start: str, pairs: Iterable[tuple[str, str]]) -> set[str]:
    """Every key connected to `start` through linked pairs (including `start`)."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        neighbours[a].add(b)
        neighbours[b].add(a)
    found, frontier = {start}, [start]
    while frontier:
        key = frontier.pop()
        for other in neighbours[key] - found:
            found.add(other)
            frontier.append(other)
    return found


def directly_linked(rows: Iterable[LinkRow], one: str, other: str) -> bool:
    """Whether the pair itself is linked now (not merely connected through a third key)."""
    change = LinkChange.of("link", one, other)
    pair = (change.key_a, change.key_b)
    return pair in current_pairs(r for r in rows if r.pair == pair)
