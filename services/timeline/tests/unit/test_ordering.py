"""Causal order: by event time, a consequence never before its cause, independent of delivery order."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from timeline.domain.ordering import causal_order

T0 = datetime(2026, 11, 23, tzinfo=UTC)


@dataclass(frozen=True)
class E:
    id: str
    s: float
    cause: str | None = None


def order(items: list[E]) -> list[str]:
    ordered = causal_order(
        items,
        sort_key=lambda e: (T0 + timedelta(seconds=e.s), e.id),
        event_id=lambda e: e.id,
        causation_id=lambda e: e.cause,
    )
    return [e.id for e in ordered]


def test_by_time_then_id() -> None:
    assert order([E("b", 1), E("a", 1), E("c", 0)]) == ["c", "a", "b"]


def test_a_consequence_with_an_earlier_clock_follows_its_cause() -> None:
    # intake's clock says 59 s, the case event that caused it says 60 s.
    items = [
        E("received", 0),
        E("cp-accepted", 60),
        E("wo-accepted", 59, cause="cp-accepted"),
        E("visit", 120),
    ]
    assert order(items) == ["received", "cp-accepted", "wo-accepted", "visit"]


def test_ties_are_broken_by_causation() -> None:
    assert order([E("a-reply", 300, cause="z-closed"), E("z-closed", 300)]) == ["z-closed", "a-reply"]


def test_only_as_far_as_needed_and_chains_hold() -> None:
    items = [E("c3", 1, cause="c2"), E("c2", 2, cause="c1"), E("x", 3), E("c1", 4), E("y", 5)]
    assert order(items) == ["x", "c1", "c2", "c3", "y"]


def test_a_cause_outside_the_result_is_ignored() -> None:
    assert order([E("b", 1, cause="elsewhere"), E("a", 2)]) == ["b", "a"]


def test_a_cycle_does_not_lose_entries() -> None:
    assert sorted(order([E("a", 1, cause="b"), E("b", 2, cause="a"), E("c", 3)])) == ["a", "b", "c"]


def test_delivery_order_does_not_matter() -> None:
    rng = random.Random(5)
    items = [
        E(f"e{i:02d}", rng.choice([0, 1, 2, 3]), cause=f"e{i - 1:02d}" if i % 3 else None) for i in range(30)
    ]
    expected = order(items)
    for _ in range(50):
        rng.shuffle(items)
        assert order(items) == expected
    position = {e: i for i, e in enumerate(expected)}
    assert all(position[e.cause] < position[e.id] for e in items if e.cause)


def test_presorted_input_is_taken_in_its_order_and_still_moved_for_causation() -> None:
    # As a query returns them (ORDER BY event time, id); the consequence's clock is a minute early.
    items = [E("wo-accepted", 59, cause="cp-accepted"), E("cp-accepted", 60), E("visit", 120)]
    ordered = causal_order(
        items, sort_key=lambda e: e.s, event_id=lambda e: e.id, causation_id=lambda e: e.cause, presorted=True
    )
    assert [e.id for e in ordered] == ["cp-accepted", "wo-accepted", "visit"]
