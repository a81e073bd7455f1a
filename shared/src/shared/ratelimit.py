"""Per-key rate limits in process memory: 429 with Retry-After when exceeded.

Each API process counts for itself, so with N worker processes a key gets up to N times the rate; the
limits are there to stop a runaway client or a password-guessing loop, not to meter fair use.

The rate is parsed by the `limits` library; the fixed-window counts are kept here, because its memory
storage starts a timer thread on every hit after a quiet 10 ms (measured: a thread per 12345 request
at ordinary rates).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from limits import parse

from shared.problems import ProblemException

# Past this many keys, windows that have ended are dropped (a scan per overflow, not per hit).
_MAX_KEYS = 10_000


class RateLimit:
    """`RateLimit("20/minute")`; `check(key)` raises the 429 problem once `key` is over the rate."""

    def __init__(self, rate: str, *, clock: Callable[[], float] = time.time) -> None:
        item = parse(rate)
        self.amount = item.amount
        self.window_s = item.get_expiry()
        self._clock = clock
        self._windows: dict[str, tuple[int, int]] = {}  # key -> (window number, hits in it)

    def check(self, key: str, *, what: str = "请求") -> None:
        now = self._clock()
        window = int(now // self.window_s)
        start, hits = self._windows.get(key, (window, 0))
        if start != window:
            hits = 0
        if hits >= self.amount:
            retry = max(1, math.ceil((window + 1) * self.window_s - now))
            raise ProblemException(
                429,
                "Too Many Requests",
                f"{what}过于频繁，请 {retry} 秒后重试",
                headers={"Retry-After": str(retry)},
            )
        if len(self._windows) >= _MAX_KEYS and key not in self._windows:
            self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
        self._windows[key] = (window, hits + 1)
