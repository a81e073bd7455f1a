"""A caseworker's correction of person links: a new link or unlink row, never an edited entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeline.adapters.tables import person_link
from timeline.domain.entry import LinkAction, LinkChange


async def record_correction(
    session: AsyncSession,
    action: LinkAction,
    one: str,
    other: str,
    *,
    actor: str,
    reason: str,
    at: datetime,
) -> dict[str, Any]:
    """Record that `one` and `other` are (link) or are not (unlink) the same person; returns the row."""
    change = LinkChange.of(action, one, other)
    row = (
        await session.execute(
            insert(person_link)
            .values(
                key_a=change.key_a,
                key_b=change.key_b,
                action=action,
                at=at,
                actor=actor,
                reason=reason,
                event_id=None,
            )
            .returning(person_link)
        )
    ).one()
    return {
        "id": row.id,
        "from": row.key_a,
        "to": row.key_b,
        "action": row.action,
        "at": row.at.isoformat(),
        "actor": row.actor,
        "reason": row.reason,
        "event_id": None,
        "recorded_at": row.recorded_at.isoformat(),
    }
