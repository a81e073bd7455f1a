"""Person links as data: the latest row per pair decides; components merge and split."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from timeline.domain.links import LinkRow, component, current_pairs

T0 = datetime(2026, 11, 23, tzinfo=UTC)


def row(a: str, b: str, action: str, s: int, event_id: str | None = None, row_id: int = 0) -> LinkRow:
    a, b = sorted((a, b))
    return LinkRow(a, b, action, T0 + timedelta(seconds=s), event_id, row_id)  # type: ignore[arg-type]


def test_link_then_unlink_splits_and_relink_merges() -> None:
    rows = [row("pp_1", "pk_1", "link", 1, "e1")]
    assert component("pp_1", current_pairs(rows)) == {"pp_1", "pk_1"}
    rows.append(row("pk_1", "pp_1", "unlink", 2, "e2"))
    assert component("pp_1", current_pairs(rows)) == {"pp_1"}
    rows.append(row("pk_1", "pp_1", "link", 3, "e3"))
    assert component("pk_1", current_pairs(rows)) == {"pp_1", "pk_1"}


def test_components_are_transitive() -> None:
    rows = [row("a", "b", "link", 1), row("b", "c", "link", 2), row("x", "y", "link", 3)]
    assert component("a", current_pairs(rows)) == {"a", "b", "c"}
    rows.append(row("b", "c", "unlink", 4))
    assert component("a", current_pairs(rows)) == {"a", "b"}
    assert component("c", current_pairs(rows)) == {"c"}


def test_latest_by_time_wins_whatever_the_delivery_order() -> None:
    rows = [row("a", "b", "link", 1, "e1"), row("a", "b", "unlink", 5, "e2"), row("a", "b", "link", 3, "e3")]
    for _ in range(20):
        random.shuffle(rows)
        assert current_pairs(rows) == set()


def test_same_instant_is_decided_by_event_id_then_row() -> None:
    rows = [row("a", "b", "unlink", 1, "e-a"), row("a", "b", "link", 1, "e-b")]
    assert current_pairs(rows) == {("a", "b")}
    corrections = [row("a", "b", "link", 1, None, 1), row("a", "b", "unlink", 1, None, 2)]
    assert current_pairs(corrections) == set()
