"""Append-only history tables: an aggregate carries the lines recorded since it was loaded; its
repository appends them (in one statement) and forgets them, never reading history back."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.kit import mapping


async def append_history(
    session: AsyncSession, table: Table, owner: str, owner_id: uuid.UUID, lines: list[Any]
) -> None:
    """Insert `lines` (dataclasses named like the columns) for the row `owner_id`, then clear them."""
    if not lines:
        return
    columns = table.c.keys()
    await session.execute(
        insert(table), [{**mapping.values(line, columns), owner: owner_id} for line in lines]
    )
    lines.clear()
