"""timeline's tables (the outbox and inbox come from shared.messaging.tables).

The entry table is pure projection: `casework timeline rebuild` fills a fresh copy from Kafka and swaps it
in. Person links are data: one row per link or unlink, never rewritten.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.db import make_metadata

metadata = make_metadata()

ENTRY_TABLE = "timeline_entry"
REBUILD_TABLE = "timeline_entry_rebuild"
OLD_TABLE = "timeline_entry_old"
# Index names are `ix_<table>_<suffix>`, so a swap can rename them along with their table.
ENTRY_INDEX_SUFFIXES = ("case_ref", "correlation_id", "order_no", "personkeys", "event_time")


def entry_table(name: str, meta: MetaData) -> Table:
    """The entry table under `name` (the live one, or the fresh copy a rebuild fills)."""
    return Table(
        name,
        meta,
        Column("event_id", Text, primary_key=True),
        Column("event_time", DateTime(timezone=True), nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("source", Text, nullable=False),
        Column("type", Text, nullable=False),
        Column("topic", Text),
        Column("case_ref", Text, nullable=False),
        Column("order_no", Text),
        Column("personkeys", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
        Column("regioncode", Text),
        Column("correlation_id", Text),
        Column("causation_id", Text),
        Column("trace_id", Text),
        Column("sensitivity", Text, nullable=False),
        Column("summary", Text, nullable=False),
        Column("excerpt", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Index(f"ix_{name}_case_ref", "case_ref", "event_time"),
        Index(f"ix_{name}_correlation_id", "correlation_id"),
        Index(f"ix_{name}_order_no", "order_no"),
        Index(f"ix_{name}_personkeys", "personkeys", postgresql_using="gin"),
        Index(f"ix_{name}_event_time", "event_time"),
    )


timeline_entry = entry_table(ENTRY_TABLE, metadata)

person_link = Table(
    "person_link",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("key_a", Text, nullable=False),
    Column("key_b", Text, nullable=False),
    Column("action", Text, nullable=False),
    # When the link was declared: the event's time, or the moment of a caseworker's correction.
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("reason", Text),
    # The event that declared it; NULL for a correction made through the API.
    Column("event_id", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("key_a < key_b", name="ordered_pair"),
    CheckConstraint("action IN ('link', 'unlink')", name="action"),
    UniqueConstraint("event_id", "key_a", "key_b", name="uq_person_link_event_pair"),
    Index("ix_person_link_key_a", "key_a"),
    Index("ix_person_link_key_b", "key_b"),
)

# One row per `casework timeline rebuild`: what was replayed, how fast, and whether it was swapped in.
rebuild_run = Table(
    "rebuild_run",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("outcome", Text, nullable=False),
    Column("events", Integer, nullable=False, server_default=text("0")),
    Column("entries", Integer, nullable=False, server_default=text("0")),
    Column("events_per_second", Float),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)
