"""Where handlers get the time from: injected, so tests can fix it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


class FixedClock:
    """A clock for tests: returns `now` until moved with `advance`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta
