"""Write one projected event: its entry and the person links it declares; idempotent by event id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from aiokafka.structs import ConsumerRecord
from opentelemetry import trace
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from shared.contracts.envelope import CloudEvent, EnvelopeError
from timeline.adapters.tables import person_link, timeline_entry
from timeline.domain.entry import ProjectedEntry, project, trace_id_of


def current_trace_id() -> str | None:
    """The trace id of the record's `traceparent` header: the parent of the span the consumer opened for
    it. A record without the header gets no trace id (not the fresh root trace the consumer started), so
    a rebuild, which reads the header itself, projects the same value."""
    parent = getattr(trace.get_current_span(), "parent", None)
    if isinstance(parent, trace.SpanContext) and parent.is_valid:
        return trace.format_trace_id(parent.trace_id)
    return None


def current_topic() -> str | None:
    """The topic of the record being handled, as the shared consumer loop binds it for logging."""
    topic = structlog.contextvars.get_contextvars().get("topic")
    return str(topic) if topic else None


def link_rows(entries: Sequence[ProjectedEntry], data: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The person-link rows the events declare (generic `linked_personkeys` / `unlinked_personkeys`)."""
    rows: list[dict[str, Any]] = []
    for entry, payload in zip(entries, data, strict=True):
        actor = str(payload.get("actor") or entry.source)
        reason = payload.get("link_reason") or payload.get("reason")
        for change in entry.links:
            rows.append(
                {
                    "key_a": change.key_a,
                    "key_b": change.key_b,
                    "action": change.action,
                    "at": entry.event_time,
                    "actor": actor,
                    "reason": str(reason)[:500] if reason else None,
                    "event_id": entry.event_id,
                }
            )
    return rows


async def store(
    db: AsyncSession | AsyncConnection,
    entries: Sequence[ProjectedEntry],
    data: Sequence[dict[str, Any]],
    *,
    table: Table = timeline_entry,
) -> None:
    """Insert entries (an event already projected is left as it is) and the link rows they declare."""
    if entries:
        # One statement executed for many rows (executemany): far faster than one huge VALUES list.
        await db.execute(
            insert(table).on_conflict_do_nothing(index_elements=["event_id"]), [e.row() for e in entries]
        )
    links = link_rows(entries, data)
    if links:
        await db.execute(
            insert(person_link).on_conflict_do_nothing(index_elements=["event_id", "key_a", "key_b"]), links
        )


def project_record(record: ConsumerRecord[bytes, bytes]) -> tuple[ProjectedEntry, dict[str, Any]] | None:
    """A Kafka record as an entry with its event data; None when it is not a CloudEvent (dead-lettered
    by the live consumer, skipped by a rebuild). The trace id comes from the record's own header."""
    try:
        event = CloudEvent.from_kafka(list(record.headers), record.value)
    except EnvelopeError:
        return None
    header = next((v.decode("utf-8", "replace") for k, v in record.headers if k == "traceparent"), None)
    return project(event, topic=record.topic, trace_id=trace_id_of(header)), event.data


async def project_event(event: CloudEvent, session: AsyncSession) -> None:
    """The consumer's handler for every event type: unknown types are projected too, never dead-lettered."""
    entry = project(event, topic=current_topic(), trace_id=current_trace_id())
    await store(session, [entry], [event.data])
