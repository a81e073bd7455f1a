"""The routing table cache of an API process: reused while fresh, dropped when this process saves one."""

from __future__ import annotations

from intake.adapters.routing_cache import RoutingCache
from intake.domain.routing import RoutingRule, RoutingTable


def _table(version: int) -> RoutingTable:
    return RoutingTable(version, {"MZ-CP-01": RoutingRule("MZ-CP-01", "未成年人保护", "child_protection")})


def test_a_table_is_reused_until_it_is_older_than_the_ttl() -> None:
    now = [100.0]
    cache = RoutingCache(2.0, clock=lambda: now[0])
    assert cache.get() is None
    first = _table(1)
    cache.put(first)
    now[0] = 101.9
    assert cache.get() is first
    now[0] = 102.0
    assert cache.get() is None


def test_invalidate_drops_it_and_a_zero_ttl_never_keeps_one() -> None:
    cache = RoutingCache(60.0)
    cache.put(_table(1))
    cache.invalidate()
    assert cache.get() is None
    never = RoutingCache(0.0)
    never.put(_table(2))
    assert never.get() is None
