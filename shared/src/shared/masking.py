"""Masking of ID numbers, mobile numbers and personal names before they reach logs or spans."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from shared.identity import mask_name

# Only digits bound a number: `\b` would treat adjacent Chinese characters or ASCII letters as part of
# the word and miss numbers written straight after "身份证号", "电话", "IDno" or "tel". `\d` also takes
# full-width digits typed with a Chinese input method (５００１５４…).
_PII = re.compile(
    r"(?<!\d)"
    r"(?:(?P<id>\d{17}[\dXxＸｘ]|\d{15})|(?P<prefix>[+＋][8８][6６][- ]?)?(?P<mobile>[1１][3-9３-９]\d{9}))"
    r"(?!\d)"
)
_WHOLE_NUMBER = re.compile(r"(?:\+86[- ]?)?(?:\d{17}[\dXx]|\d{15}|1[3-9]\d{9})")

_NUMBER_KEYS = frozenset({"id_number", "phone", "mobile"})
_NUMBER_SUFFIXES = ("_id_number", "_phone", "_mobile")
_NOT_PERSON_NAMES = frozenset(
    {
        "service_name",
        "event_name",
        "topic_name",
        "table_name",
        "category_name",
        "region_name",
        "file_name",
        "logger_name",
    }
)
# Our own identifiers are hex or fixed formats; masking them would only corrupt correlation.
_EXEMPT_KEYS = frozenset({"trace_id", "span_id", "timestamp", "level", "logger", "service"})

KeyKind = Literal["exempt", "name", "number", "text"]


def key_kind(key: str) -> KeyKind:
    """Classify a field name by the masking rule that applies to its value."""
    lowered = key.lower()
    if lowered in _EXEMPT_KEYS:
        return "exempt"
    if lowered in _NUMBER_KEYS or lowered.endswith(_NUMBER_SUFFIXES):
        return "number"
    if lowered == "name" or (lowered.endswith("_name") and lowered not in _NOT_PERSON_NAMES):
        return "name"
    return "text"


def keep_ends(text: str, head: int = 3, tail: int = 4) -> str:
    """Replace all but the first `head` and last `tail` characters with `*`."""
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def mask_text(text: str) -> str:
    """Mask every ID-number-shaped and mobile-number-shaped run inside free text."""
    return _PII.sub(_mask_match, text)


def mask_number(value: str) -> str:
    """Mask a value known to be an ID or phone number, whatever its shape."""
    if _WHOLE_NUMBER.fullmatch(value):
        return mask_text(value)
    return keep_ends(value)


def mask_value(key: str, value: Any) -> Any:
    """Mask a value by the rule of its key, recursing into mappings and sequences."""
    kind = key_kind(key)
    if kind == "exempt" or value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, Mapping):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(key, item) for item in value]
    if isinstance(value, tuple):
        return tuple(mask_value(key, item) for item in value)
    if isinstance(value, int):
        return mask_number(str(value)) if kind == "number" else value
    text = value if isinstance(value, str) else str(value)
    if kind == "name":
        return mask_name(text)
    if kind == "number":
        return mask_number(text)
    return mask_text(text)


def _mask_match(match: re.Match[str]) -> str:
    if match["id"]:
        return keep_ends(match["id"])
    return (match["prefix"] or "") + keep_ends(match["mobile"])


def redact(text: str, *, names: tuple[str, ...] = (), others: tuple[str, ...] = ()) -> str:
    """Free text without the personal values a service knows: each of `names` masked as a name (王**),
    each of `others` (addresses, contacts) replaced by ***; then ID and phone numbers masked."""
    for value in sorted({v.strip() for v in names if v and len(v.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(value, mask_name(value))
    for value in sorted({v.strip() for v in others if v and len(v.strip()) >= 4}, key=len, reverse=True):
        text = text.replace(value, "***")
    return mask_text(text)
