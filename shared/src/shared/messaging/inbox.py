"""Idempotent inbox: one row per (consumer, event_id), written in the handler's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.kit.unit_of_work import Inbound
from shared.messaging.tables import inbox_message


async def record_processed(
    session: AsyncConnection,
    consumer: str,
    event_id: str,
    *,
    event_type: str,
    topic: str,
    partition: int,
    offset: int,
) -> bool:
    """Claim the event in the handler's transaction, before the handler runs; False when an earlier or
    concurrent delivery holds it (the caller rolls back and reports a duplicate)."""
    stmt = (
        insert(inbox_message)
        .values(
            consumer=consumer,
            event_id=event_id,
            type=event_type,
            topic=topic,
            partition=partition,
            offset=offset,
        )
        .on_conflict_do_nothing()
        .returning(inbox_message.c.consumer)
    )
    return (await session.scalar(stmt)) is not None


_CLAIM = insert(inbox_message).on_conflict_do_nothing().returning(inbox_message.c.event_id)


async def claim_many(session: AsyncConnection, inbounds: Sequence[Inbound]) -> set[str]:
    """Claim a batch's events in one statement; the ids no earlier or concurrent delivery holds."""
    if not inbounds:
        return set()
    rows = [
        {
            "consumer": i.consumer,
            "event_id": i.event_id,
            "type": i.event_type,
            "topic": i.topic,
            "partition": i.partition,
            "offset": i.offset,
        }
        for i in inbounds
    ]
    # A parameter list (not a multi-row `.values`) keeps the statement cached; it is sent as one INSERT.
    return set((await session.scalars(_CLAIM, rows)).all())
