"""Replay protection: a nonce may be used once per key inside the signature window."""

from __future__ import annotations

import random

from sqlalchemy import delete, func, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import hotline_nonce


async def claim_nonce(session: AsyncSession, key_id: str, nonce: str, *, window_s: int) -> bool:
    """Record the nonce; False when it was already used inside the window."""
    claimed = await session.scalar(
        insert(hotline_nonce)
        .values(key_id=key_id, nonce=nonce)
        .on_conflict_do_nothing()
        .returning(hotline_nonce.c.nonce)
    )
    # Nonces older than twice the window can no longer be replayed (the timestamp check refuses them).
    if random.random() < 0.01:
        await session.execute(
            delete(hotline_nonce).where(
                hotline_nonce.c.seen_at < func.now() - text(f"interval '{2 * window_s} seconds'")
            )
        )
    return claimed is not None
