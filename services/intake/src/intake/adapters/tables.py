"""Intake's tables (the outbox and inbox come from shared.messaging.tables)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, Table, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db import make_metadata

metadata = make_metadata()

work_order = Table(
    "work_order",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("order_no", Text, nullable=False, unique=True),
    Column("status", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("channel", Text, nullable=False),
    Column("category_code", Text, nullable=False),
    Column("category_name", Text),
    Column("urgency", Text, nullable=False),
    Column("region_code", Text, nullable=False),
    Column("responsible_region", Text),
    Column("routed_to", Text),
    Column("address", Text),
    Column("content", Text, nullable=False),
    Column("deadline_at", DateTime(timezone=True)),
    # The body as received; subjects' ID numbers inside it are encrypted (see shared/crypto.py).
    Column("payload", JSONB, nullable=False),
    Column("subjects", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("flags", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("supplements", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("case_ref", Text),
    Column("reply_text", Text),
    Column("urge_count", Integer, nullable=False, server_default=text("0")),
    Column("body_sha256", Text, nullable=False),
    Column("receipt", JSONB, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_work_order_status_received", "status", "received_at"),
    Index("ix_work_order_region", "region_code"),
)

work_order_history = Table(
    "work_order_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("work_order_id", UUID(as_uuid=True), ForeignKey("work_order.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)

# Idempotency of the later-actions endpoint: one row per 12345 event id.
hotline_event = Table(
    "hotline_event",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("work_order_id", UUID(as_uuid=True), ForeignKey("work_order.id"), nullable=False),
    Column("body_sha256", Text, nullable=False),
    Column("receipt", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Nonces seen inside the signature window (replay protection); purged after the window.
hotline_nonce = Table(
    "hotline_nonce",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("nonce", Text, primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

routing_table_version = Table(
    "routing_table_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("rules", JSONB, nullable=False),
    Column("changed_by", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("comment", Text),
)
