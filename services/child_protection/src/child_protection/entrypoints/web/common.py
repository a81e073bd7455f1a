"""Small parsers shared by the case pages and the register pages."""

from __future__ import annotations

import uuid


def parse_id(raw: str) -> uuid.UUID | None:
    """A UUID from a URL segment, or None (the page then answers 404)."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def int_param(raw: str | None, default: int, *, low: int, high: int) -> int:
    """An integer query parameter clamped to [low, high]; anything unparsable gives the default."""
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return min(max(value, low), high)
