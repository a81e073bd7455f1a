"""Write events to the outbox inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import replace

from sqlalchemy import func, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.envelope import CloudEvent, make_event
from shared.messaging.tables import outbox_message
from shared.observability.tracing import inject_headers

NOTIFY_CHANNEL = "outbox_message"
_STAGE = insert(outbox_message).returning(func.pg_notify(NOTIFY_CHANNEL, ""))

__all__ = ["NOTIFY_CHANNEL", "add_many_to_outbox", "add_to_outbox", "make_event"]


async def add_to_outbox(session: AsyncConnection, event: CloudEvent, *, topic: str, key: str) -> None:
    """Stage one event in the caller's transaction; it is published only if that transaction commits."""
    await add_many_to_outbox(session, [(event, topic, key)])


async def add_many_to_outbox(session: AsyncConnection, items: list[tuple[CloudEvent, str, str]]) -> None:
    """Stage several (event, topic, key) in the caller's transaction: one INSERT and one wake-up."""
    if not items:
        return
    trace = inject_headers()
    rows = []
    for event, topic, key in items:
        if event.traceparent is None and "traceparent" in trace:
            # The origin trace rides along as the CloudEvents distributed-tracing extension.
            event = _with_trace(event, trace)
        rows.append(
            {
                "event_id": uuid.UUID(event.id),
                "topic": topic,
                "key": key,
                "type": event.type,
                "headers": event.attribute_headers(),
                "trace": trace,
                "payload": event.data,
            }
        )
    # Row order is id order, which is the relay's publishing order. The wake-up rides in the same
    # statement (one round trip: the rows go as one multi-row INSERT, and PostgreSQL folds identical
    # notifications of a transaction into one); NOTIFY is delivered on commit only, so the relay never
    # wakes for a transaction that rolled back. Parameters as a list keep the statement in SQLAlchemy's
    # compiled cache, which a multi-row `.values([...])` never enters.
    await session.execute(_STAGE, rows)


def _with_trace(event: CloudEvent, trace: dict[str, str]) -> CloudEvent:
    return replace(event, traceparent=trace.get("traceparent"), tracestate=trace.get("tracestate"))
