"""Timeline order: by event time, with causation breaking ties so a consequence never precedes its cause.

Order is decided at query time over the result set, so late and out-of-order deliveries land in the
right place and the order does not depend on the order events were projected in.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def causal_order(
    items: Sequence[T],
    *,
    sort_key: Callable[[T], Any],
    event_id: Callable[[T], Hashable],
    causation_id: Callable[[T], Hashable | None],
    presorted: bool = False,
) -> list[T]:
    """Sort by `sort_key`, then move each consequence after its cause (when the cause is in `items`).

    A stable topological sort: among entries whose causes are already placed, the earliest by
    `sort_key` comes first; so entries are moved only as far as causation demands. A causation cycle
    (malformed data) cannot be honoured; its members keep their `sort_key` order at the end.
    `presorted`: `items` already come in `sort_key` order (a query's ORDER BY), so they are not sorted again.
    """
    base = list(items) if presorted else sorted(items, key=sort_key)
    position = {event_id(item): i for i, item in enumerate(base)}
    consequences: dict[int, list[int]] = defaultdict(list)
    waiting = [0] * len(base)
    for i, item in enumerate(base):
        cause = causation_id(item)
        j = position.get(cause) if cause is not None else None
        if j is not None and j != i:
            consequences[j].append(i)
            waiting[i] += 1
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    placed: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        placed.append(i)
        for k in consequences[i]:
            waiting[k] -= 1
            if waiting[k] == 0:
                heapq.heappush(ready, k)
    if len(placed) < len(base):
        done = set(placed)
        placed.extend(i for i in range(len(base)) if i not in done)
    return [base[i] for i in placed]
