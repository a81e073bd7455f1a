"""The routing table as a process keeps it between requests: read from the database at most every few
seconds, dropped at once when this process saves a new version (other processes follow within `ttl_s`)."""

from __future__ import annotations

import time
from collections.abc import Callable

from intake.domain.routing import RoutingTable


class RoutingCache:
    """The last routing table read, and when; `ttl_s = 0` reads it on every request."""

    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._table: RoutingTable | None = None
        self._read_at = 0.0

    def get(self) -> RoutingTable | None:
        """The cached table while it is fresh, else None (the caller reads and `put`s it)."""
        if self._table is None or self._clock() - self._read_at >= self.ttl_s:
            return None
        return self._table

    def put(self, table: RoutingTable) -> None:
        self._table, self._read_at = table, self._clock()

    def invalidate(self) -> None:
        self._table = None
