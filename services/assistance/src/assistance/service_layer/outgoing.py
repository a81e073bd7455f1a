"""Domain events -> contracts (the only place applications map out): none yet, so nothing is sent."""

from __future__ import annotations

from typing import Any

from shared.kit.unit_of_work import Message


def to_message(aggregate: Any, event: Any) -> Message | None:
    """The outgoing message of one event; `None` for every event until assistance's contracts exist in
    shared/contracts (they come next), so the outbox receives nothing from this service yet."""
    return None
