"""The probe consumer's handler: one effect row per event, poison items fail until fixed."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from probe.contracts import ItemCreated
from probe.tables import effect, poison_fix
from shared.contracts import CloudEvent
from shared.messaging.consumer import Handler


def make_handler(delay_s: float) -> Handler:
    """A handler for probe.item.created with an optional artificial delay (to kill a worker mid-batch)."""

    async def handle(event: CloudEvent, session: AsyncSession) -> None:
        data = ItemCreated.model_validate(event.data)
        if data.poison and await session.scalar(select(poison_fix.c.id).limit(1)) is None:
            raise ValueError(f"cannot handle poison item {data.item_id}")
        if delay_s:
            await asyncio.sleep(delay_s)
        await session.execute(insert(effect).values(event_id=event.id, item_id=uuid.UUID(str(data.item_id))))

    return handle
