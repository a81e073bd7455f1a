"""The excerpt of an entry: a whitelist of small fields of the event, masked, never free text or names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.masking import mask_value

# Small fields copied (masked) into the excerpt; free text (content, feedback, reply_text, notes),
# names and every personal number stay out.
EXCERPT_FIELDS = frozenset(
    {
        "order_no",
        "work_order_id",
        "case_id",
        "child_id",
        "visit_id",
        "case_ref",
        "status",
        "stage",
        "previous",
        "current",
        "urgency",
        "channel",
        "category_code",
        "category_name",
        "region_code",
        "responsible_region",
        "routed_to",
        "routed_by",
        "risk_colour",
        "action",
        "kind",
        "step",
        "due_at",
        "due_date",
        "score",
        "urge_count",
        "reasons",
        "skipped",
        "approved_by",
        "institution",
        "items",
        "open_items",
        "hardship",
        "source",
        "reporter_type",
        "referred_to",
        "program",
        "visit_type",
        "categories",
        "fields",
        "flags",
        "risk_raised",
        "occurred_at",
        "received_at",
        "deadline_at",
        "actor",
        "reason",
        "outcome",
        "legal_basis",
    }
)
MAX_EXCERPT_TEXT = 80
MAX_EXCERPT_ITEMS = 10


def excerpt(data: Mapping[str, Any]) -> dict[str, Any]:
    """A whitelist of small fields, masked: never content, names, ID or phone numbers."""
    out: dict[str, Any] = {}
    for key in sorted(EXCERPT_FIELDS & data.keys()):
        value = _small(data[key])
        if value is not None:
            out[key] = mask_value(key, value)
    return out


def _small(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        text = " ".join(value.split())
        return text if len(text) <= MAX_EXCERPT_TEXT else text[: MAX_EXCERPT_TEXT - 1] + "…"
    if isinstance(value, list):
        items = [_small(v) for v in value[:MAX_EXCERPT_ITEMS] if not isinstance(v, Mapping | list)]
        return [i for i in items if i is not None]
    return None
