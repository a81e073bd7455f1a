"""Per-key rate limits (the `limits` library, in process memory): 429 with Retry-After when exceeded.

Each API process counts for itself, so with N worker processes a key gets up to N times the rate; the
limits are there to stop a runaway client or a password-guessing loop, not to meter fair use.
"""

from __future__ import annotations

import time

from limits import parse, storage, strategies

from shared.problems import ProblemException


class RateLimit:
    """`RateLimit("20/minute")`; `check(key)` raises the 429 problem once `key` is over the rate."""

    def __init__(self, rate: str) -> None:
        self.item = parse(rate)
        self._limiter = strategies.FixedWindowRateLimiter(storage.MemoryStorage())

    def check(self, key: str, *, what: str = "请求") -> None:
        if self._limiter.hit(self.item, key):
            return
        reset = self._limiter.get_window_stats(self.item, key).reset_time
        retry = max(1, int(reset - time.time() + 0.999))
        raise ProblemException(
            429,
            "Too Many Requests",
            f"{what}过于频繁，请 {retry} 秒后重试",
            headers={"Retry-After": str(retry)},
        )
