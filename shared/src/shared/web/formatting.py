"""How pages show and read values: times in China time, codes typed with a Chinese input method."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

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


def masked_text(value: object) -> str:
    """Free text with ID and phone numbers masked (what pages show unless an audited reveal)."""
    return mask_text(value) if isinstance(value, str) else ""
