"""The outbox and inbox tables every service database holds (their metadata joins each service's)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import make_metadata, table_of


class MessagingTable(SQLModel, registry=registry(metadata=make_metadata())):
    """Base of the messaging tables (their own metadata, added to every service's migrations)."""


class OutboxMessage(MessagingTable, table=True):
    """An event staged in the handler's transaction; the relay publishes it and sets `published_at`."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_unpublished", "id", postgresql_where=text("published_at IS NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    event_id: uuid.UUID = Field(unique=True)
    topic: str
    key: str
    type: str
    headers: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    trace: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    )
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(
        default=None, nullable=False, sa_column_kwargs={"server_default": func.now()}
    )
    published_at: datetime | None = None
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    last_error: str | None = None


class InboxMessage(MessagingTable, table=True):
    """One row per (consumer, event id) handled: a redelivered event finds it and has no second effect."""

    __tablename__ = "inbox_message"

    consumer: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    type: str
    topic: str
    partition: int
    offset: int = Field(sa_type=BigInteger)
    processed_at: datetime | None = Field(
        default=None, nullable=False, sa_column_kwargs={"server_default": func.now()}
    )


messaging_metadata = MessagingTable.metadata
outbox_message = table_of(OutboxMessage)
inbox_message = table_of(InboxMessage)
