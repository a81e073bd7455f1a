"""timeline's unit of work: the repositories of one transaction; the kit commits state and inbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.kit.sql import SqlUnitOfWork
from shared.kit.unit_of_work import AbstractUnitOfWork, Message
from timeline.adapters.repository import (
    AbstractEntryRepository,
    AbstractLinkRepository,
    SqlEntryRepository,
    SqlLinkRepository,
)

SOURCE = "/services/timeline"


def to_message(aggregate: Any, event: Any) -> Message | None:
    """The timeline publishes nothing: no event of its own maps to an outgoing message."""
    return None


class TimelineUnitOfWork(AbstractUnitOfWork):
    """What the timeline's handlers may use inside one transaction."""

    entries: AbstractEntryRepository
    links: AbstractLinkRepository


class SqlTimelineUnitOfWork(SqlUnitOfWork, TimelineUnitOfWork):
    """The timeline's unit of work on PostgreSQL (an inbound record's inbox row is claimed in it)."""

    SOURCE = SOURCE
    TO_MESSAGE = to_message

    def bind(self, session: AsyncConnection) -> None:
        self.entries = SqlEntryRepository(session)
        self.links = SqlLinkRepository(session)
