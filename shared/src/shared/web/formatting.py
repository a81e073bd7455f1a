"""How pages show and read values: times in China time, codes typed with a Chinese input method."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from jinja2 import pass_context
from jinja2.runtime import Context

from shared.identity import mask_id_number, mask_name, mask_phone
from shared.masking import mask_text

# China has one time zone and no daylight saving: times are shown and entered in UTC+8.
CST = timezone(timedelta(hours=8), "CST")


def format_time(value: datetime | str | None) -> str:
    """`2026-11-23 09:30` in UTC+8; a string is parsed as ISO 8601 (returned as is if it is not)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    try:
        return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError):
        return moment.isoformat()


def form_text(form: Mapping[str, Any], name: str, limit: int = 200) -> str:
    """A submitted text field, stripped and cut to `limit` characters ("" when absent or a file)."""
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def normalize_code(value: str) -> str:
    """A code as typed; full-width digits from a Chinese input method become ASCII (５００１５４ → 500154)."""
    return unicodedata.normalize("NFKC", value).strip()


def _masked(value: object, mask: Callable[[str], str]) -> str:
    return mask(value) if isinstance(value, str) and value.strip() else ""


def masked_name(value: object) -> str:
    return _masked(value, mask_name)


def masked_phone(value: object) -> str:
    return _masked(value, mask_phone)


def masked_id(value: object) -> str:
    return _masked(value, mask_id_number)


@pass_context
def free_text(context: Context, value: object) -> str:
    """Free text as a page shows it: numbers masked, unless the page renders an audited reveal.

    A route sets `revealed_text=True` only after writing the reveal (who, why) to the access log.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return text if context.get("revealed_text") is True else mask_text(text)


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


def pager(params: Mapping[str, str], page: int, total: int, *, size: int, path: str = "") -> dict[str, Any]:
    """Links to the previous and next page of a list, keeping its other query parameters."""
    last = max(1, -(-total // size))
    kept = {k: v for k, v in params.items() if k != "page" and v}

    def url(n: int) -> str:
        return f"{path}?" + urlencode({**kept, "page": str(n)})

    return {
        "page": page,
        "last": last,
        "total": total,
        "prev": url(page - 1) if page > 1 else None,
        "next": url(page + 1) if page < last else None,
    }
