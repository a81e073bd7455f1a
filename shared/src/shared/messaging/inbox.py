"""Idempotent inbox: one row per (consumer, event_id), written in the handler's transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging.tables import inbox_message


async def already_processed(session: AsyncSession, consumer: str, event_id: str) -> bool:
    """Checked before handling: a replayed event may fail domain rules its first delivery already applied."""
    found = await session.scalar(
        select(inbox_message.c.consumer).where(
            inbox_message.c.consumer == consumer, inbox_message.c.event_id == event_id
        )
    )
    return found is not None


async def record_processed(
    session: AsyncSession,
    consumer: str,
    event_id: str,
    *,
    event_type: str,
    topic: str,
    partition: int,
    offset: int,
) -> bool:
    """Insert the inbox row; False when a concurrent delivery already did (the caller rolls back)."""
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
