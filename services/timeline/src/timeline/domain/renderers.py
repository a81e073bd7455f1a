"""One short Simplified-Chinese line per event type: the renderer registry and the generic line.

A renderer reads the event's data as a plain mapping (tolerant: a missing field degrades the line, it
never fails the projection). A type without a renderer gets the generic line (`社会救助：有一条新的办理记录`),
so a new service's events show up at once and only need `@renderer("<type>", "<what happened>")`
functions for a better summary. Codes are named with the labels next to the contracts
(`shared.contracts.labels`), region codes with `shared.regions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.contracts.labels import common as common_labels
from shared.masking import mask_text
from shared.regions import region_name

Data = Mapping[str, Any]
Renderer = Callable[[Data], str]

RENDERERS: dict[str, Renderer] = {}
# What happened, in a few characters, per registered type (the type filter of the pages).
TYPE_LABELS: dict[str, str] = {}
MAX_SUMMARY = 160
UNKNOWN_SERVICE = "其他业务"
GENERIC_ACTION = "有一条新的办理记录"


def renderer(event_type: str, label: str) -> Callable[[Renderer], Renderer]:
    """Register the summary of one event type and the name of what happened (a type is registered once)."""

    def register(fn: Renderer) -> Renderer:
        if event_type in RENDERERS and RENDERERS[event_type] is not fn:
            raise ValueError(f"renderer for {event_type} registered twice")
        RENDERERS[event_type] = fn
        TYPE_LABELS[event_type] = label
        return fn

    return register


def service_of_type(event_type: str) -> str:
    """The producing service named by a type's prefix (`child_protection.case.closed` → child_protection)."""
    return event_type.split(".", 1)[0]


def service_label(service: str) -> str:
    """A service as people call it; a service the platform does not know yet is 其他业务, never its code."""
    return common_labels.SERVICES.get(service, UNKNOWN_SERVICE)


def type_label(event_type: str) -> str:
    """What an event type says happened (`催办`), or the generic words for an unregistered type."""
    return TYPE_LABELS.get(event_type, GENERIC_ACTION)


def generic_summary(event_type: str, service: str | None = None) -> str:
    """The line of a type nobody registered: the service's name and a plain sentence, never the code."""
    return f"{service_label(service or service_of_type(event_type))}：{GENERIC_ACTION}"


def render(event_type: str, data: Data, service: str | None = None) -> str:
    """The entry's summary; masked (no ID or phone number) and short."""
    fn = RENDERERS.get(event_type)
    text = generic_summary(event_type, service)
    if fn is not None:
        try:
            text = fn(data)
        except Exception:
            # A known type with unexpected data still gets an entry, with the generic line.
            text = generic_summary(event_type, service)
    text = mask_text(" ".join(text.split()))
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"


def field(data: Data, key: str, default: str = "") -> str:
    """A field as text ("" or `default` when absent)."""
    value = data.get(key)
    return default if value is None else str(value)


def label(table: Mapping[str, str], value: object, default: str = "未注明") -> str:
    """A code's name (the code itself when the table does not know it; `default` when absent)."""
    return table.get(str(value), str(value)) if value not in (None, "") else default


def clip(text: object, limit: int = 40) -> str:
    """Free text on one line, cut to `limit` characters."""
    value = " ".join(str(text or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def region(data: Data, key: str) -> str:
    """A region code of the data by its name (重庆市开州区), or 未注明."""
    return region_name(field(data, key)) or "未注明"


# The area modules register their renderers on import; whoever imports the registry gets all of them.
from timeline.domain import case_renderers, child_renderers, work_order_renderers  # noqa: E402, F401
