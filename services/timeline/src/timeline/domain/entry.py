"""One CloudEvent → one timeline entry: a pure function, the same for the live consumer and a rebuild."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from shared.contracts.envelope import CloudEvent
from timeline.domain.excerpts import excerpt
from timeline.domain.renderers import render, service_of_type

Sensitivity = Literal["normal", "sensitive"]
LinkAction = Literal["link", "unlink"]

# Minor-related services: every entry they produce is sensitive.
SENSITIVE_SERVICES = frozenset({"child_protection"})

# The aggregate each type family belongs to: (data field holding its id, path of its page in the
# producing service's UI). A family not listed uses `case_id`, `work_order_id` or the CloudEvents subject.
AGGREGATES: dict[str, tuple[str, str | None]] = {
    "intake.work_order.": ("work_order_id", "/desk/work-orders/{id}"),
    "child_protection.case.": ("case_id", "/cases/{id}"),
    "child_protection.child.": ("child_id", "/children/{id}"),
}

MAX_KEY = 100

_LINK_FIELDS: tuple[tuple[str, LinkAction], ...] = (
    ("linked_personkeys", "link"),
    ("unlinked_personkeys", "unlink"),
)
_SERVICE_NAME = re.compile(r"[a-z][a-z0-9_]*")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")


@dataclass(frozen=True)
class LinkChange:
    """Two person keys declared the same person (link) or not (unlink) by an event."""

    action: LinkAction
    key_a: str
    key_b: str

    @staticmethod
    def of(action: LinkAction, one: str, other: str) -> LinkChange:
        a, b = sorted((one, other))
        return LinkChange(action, a, b)


@dataclass(frozen=True)
class ProjectedEntry:
    """What the timeline keeps of one event."""

    event_id: str
    event_time: datetime
    source: str
    type: str
    topic: str | None
    case_ref: str
    # The case's human reference (CP-500154-2026-000005; a 12345 order number for intake's work orders).
    reference: str | None
    order_no: str | None
    personkeys: tuple[str, ...]
    regioncode: str | None
    correlation_id: str | None
    causation_id: str | None
    trace_id: str | None
    sensitivity: Sensitivity
    summary: str
    excerpt: dict[str, Any]
    links: tuple[LinkChange, ...] = field(default=())

    def row(self) -> dict[str, Any]:
        """The entry as a row of the entry table (without `recorded_at`, which the database sets)."""
        return {
            "event_id": self.event_id,
            "event_time": self.event_time,
            "source": self.source,
            "type": self.type,
            "topic": self.topic,
            "case_ref": self.case_ref,
            "reference": self.reference,
            "order_no": self.order_no,
            "personkeys": list(self.personkeys),
            "regioncode": self.regioncode,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "trace_id": self.trace_id,
            "sensitivity": self.sensitivity,
            "summary": self.summary,
            "excerpt": self.excerpt,
        }


def project(event: CloudEvent, *, topic: str | None = None, trace_id: str | None = None) -> ProjectedEntry:
    """The entry of one event; `trace_id` is used when the event carries no `ce_traceparent`."""
    data = event.data
    service = source_service(event)
    when = event.time if event.time.tzinfo is not None else event.time.replace(tzinfo=UTC)
    return ProjectedEntry(
        event_id=event.id,
        event_time=when,
        source=service,
        type=event.type,
        topic=topic,
        case_ref=case_ref(event, service),
        reference=reference(event),
        order_no=_text(data.get("order_no")),
        personkeys=personkeys(event),
        regioncode=event.regioncode
        or _text(data.get("region_code"))
        or _text(data.get("responsible_region")),
        correlation_id=event.correlationid,
        causation_id=event.causationid,
        trace_id=trace_id_of(event.traceparent) or trace_id,
        sensitivity=sensitivity(service, data),
        summary=render(event.type, data, service),
        excerpt=excerpt(data),
        links=link_changes(data),
    )


def source_service(event: CloudEvent) -> str:
    """The producing service: the last segment of `ce_source` (`/services/intake`), else the type prefix."""
    last = event.source.rstrip("/").rsplit("/", 1)[-1]
    return last if _SERVICE_NAME.fullmatch(last) else service_of_type(event.type)


def aggregate_of(event_type: str) -> tuple[str, str | None] | None:
    """(id field, UI path) of the type's family, if registered."""
    for prefix, aggregate in AGGREGATES.items():
        if event_type.startswith(prefix):
            return aggregate
    return None


def _id_field(event: CloudEvent) -> str | None:
    """The data field holding the id of the event's aggregate (None: the subject or the event id is used)."""
    aggregate = aggregate_of(event.type)
    candidates = [aggregate[0]] if aggregate else ["case_id", "work_order_id"]
    return next((name for name in candidates if event.data.get(name) not in (None, "")), None)


def case_ref(event: CloudEvent, service: str) -> str:
    """`<service>/<aggregate id>`, e.g. `child_protection/<case_id>` or `intake/<work_order_id>`."""
    name = _id_field(event)
    ident = str(event.data[name]) if name is not None else None
    return f"{service}/{ident or event.subject or event.id}"


def reference(event: CloudEvent) -> str | None:
    """The human reference of the entry's case, as people type it into a search: a case's `case_ref`
    (CP-500154-2026-000005), a work order's 12345 order number; None when the event names none."""
    name = _id_field(event)
    raw = {"case_id": "case_ref", "work_order_id": "order_no"}.get(name or "")
    value = _text(event.data.get(raw)) if raw else None
    # `<service>/<ref>` is another aggregate's reference (intake's pointer to its case), not this one's.
    if value is None or len(value) > MAX_KEY or "/" in value:
        return None
    return value


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k), v
            yield from _walk(v, str(k))
    elif isinstance(value, list):
        for item in value:
            yield key, item
            if isinstance(item, Mapping | list):
                yield from _walk(item, key)


def personkeys(event: CloudEvent) -> tuple[str, ...]:
    """`ce_personkey` plus every `personkey` / `*_personkey` / `*_personkeys` value inside the data."""
    keys: set[str] = set()
    if event.personkey:
        keys.add(event.personkey)
    for key, value in _walk(event.data):
        lowered = key.lower()
        if (lowered == "personkey" or lowered.endswith(("_personkey", "_personkeys"))) and isinstance(
            value, str
        ):
            keys.add(value)
    return tuple(sorted(k for k in keys if 0 < len(k) <= MAX_KEY))


def link_changes(data: Mapping[str, Any]) -> tuple[LinkChange, ...]:
    """The generic link convention: `linked_personkeys: [a, b, …]` / `unlinked_personkeys: [a, b, …]`
    (the first key is linked to, or unlinked from, each of the others)."""
    changes: list[LinkChange] = []
    for name, action in _LINK_FIELDS:
        raw = data.get(name)
        keys = (
            [k for k in raw if isinstance(k, str) and 0 < len(k) <= MAX_KEY] if isinstance(raw, list) else []
        )
        changes.extend(LinkChange.of(action, keys[0], other) for other in keys[1:] if other != keys[0])
    return tuple(dict.fromkeys(changes))


def sensitivity(service: str, data: Mapping[str, Any]) -> Sensitivity:
    """Minor-related entries are sensitive: anything from child_protection, and events naming a minor
    (`is_minor` on a subject, the `minor_involved` flag)."""
    if service in SENSITIVE_SERVICES or data.get("minor_involved") is True:
        return "sensitive"
    flags = data.get("flags")
    if isinstance(flags, list) and "minor_involved" in flags:
        return "sensitive"
    for key, value in _walk(data):
        if key == "is_minor" and value is True:
            return "sensitive"
    return "normal"


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`)."""
    if not traceparent:
        return None
    match = _TRACEPARENT.fullmatch(traceparent.strip().lower())
    if match is None or match["trace"] == "0" * 32:
        return None
    return match["trace"]


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
