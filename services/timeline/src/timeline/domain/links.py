"""Person links as data: which person keys currently denote one person, from link/unlink rows.

Rows are never rewritten: for each pair of keys the latest row (by its time, then its event id, then its
row id) decides whether the pair is linked. A person's keys are the connected component of the
currently linked pairs, so a link merges two timelines and an unlink splits them again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from timeline.domain.entry import LinkAction


@dataclass(frozen=True)
class LinkRow:
    """One recorded link or unlink of two keys (key_a < key_b)."""

    key_a: str
    key_b: str
    action: LinkAction
    at: datetime
    event_id: str | None = None
    row_id: int = 0

    @property
    def pair(self) -> tuple[str, str]:
        return (self.key_a, self.key_b)

    @property
    def precedence(self) -> tuple[datetime, str, int]:
        return (self.at, self.event_id or "", self.row_id)


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
