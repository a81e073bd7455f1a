"""The in-memory fixed-window rate limit: the nth hit inside a window passes, the next is a 429."""

from __future__ import annotations

import pytest

from shared.problems import ProblemException
from shared.ratelimit import RateLimit


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_over_the_rate_is_429_with_retry_after_until_the_window_ends() -> None:
    clock = Clock(1_000_040.0)  # 20 s into the minute window that starts at 1_000_020
    limit = RateLimit("3/minute", clock=clock)
    for _ in range(3):
        limit.check("k")
    with pytest.raises(ProblemException) as refused:
        limit.check("k")
    assert refused.value.status_code == 429
    assert refused.value.headers == {"Retry-After": "40"}
    limit.check("other")  # every key counts for itself
    clock.now = 1_000_080.5  # the next window
    limit.check("k")


def test_stale_keys_are_dropped_when_the_table_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shared.ratelimit._MAX_KEYS", 2)
    clock = Clock(60.0)
    limit = RateLimit("1/minute", clock=clock)
    limit.check("a")
    limit.check("b")
    clock.now = 125.0
    limit.check("c")
    assert set(limit._windows) == {"c"}
