"""timeline's tables as SQLModel classes (the outbox and inbox come from shared.messaging.tables).

The entry table is pure projection: `casework timeline rebuild` fills a fresh copy from Kafka and swaps it
in. Person links are data: one row per link or unlink, never rewritten.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Index,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import registry
from sqlalchemy.sql.elements import quoted_name
from sqlmodel import Field, SQLModel

from shared.db import make_metadata, table_of
from shared.kit.columns import jsonb, serial_id, server_now

ENTRY_TABLE = "timeline_entry"
REBUILD_TABLE = "timeline_entry_rebuild"
OLD_TABLE = "timeline_entry_old"
# Index names are `ix_<table>_<suffix>`, so a swap can rename them along with their table.
ENTRY_INDEX_SUFFIXES = ("case_ref", "correlation_id", "order_no", "personkeys", "event_time", "reference")


class TimelineTable(SQLModel, registry=registry(metadata=make_metadata())):
    """Base of timeline's tables (their own metadata: timeline's database only)."""


def _entry_index(suffix: str, *columns: str, **kwargs: Any) -> Index:
    return Index(f"ix_{ENTRY_TABLE}_{suffix}", *columns, **kwargs)


class TimelineEntryRow(TimelineTable, table=True):
    """What the timeline keeps of one event, keyed by the CloudEvents id (a redelivery changes nothing)."""

    __tablename__ = ENTRY_TABLE
    __table_args__ = (
        _entry_index("case_ref", "case_ref", "event_time"),
        _entry_index("correlation_id", "correlation_id"),
        _entry_index("order_no", "order_no"),
        _entry_index("personkeys", "personkeys", postgresql_using="gin"),
        _entry_index("event_time", "event_time"),
        _entry_index("reference", "reference"),
    )

    event_id: str = Field(primary_key=True)
    event_time: datetime
    recorded_at: datetime | None = server_now()
    source: str
    type: str
    topic: str | None = None
    case_ref: str
    order_no: str | None = None
    personkeys: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    )
    regioncode: str | None = None
    correlation_id: str | None = None
    causation_id: str | None = None
    trace_id: str | None = None
    sensitivity: str
    summary: str
    excerpt: dict[str, Any] = jsonb()
    # The case's human reference (CP-500154-2026-000005, a 12345 order number): what people search by.
    # Last, as the migration that added it put it: a rebuilt table has the live table's column order.
    reference: str | None = None


class PersonLinkRow(TimelineTable, table=True):
    """One link or unlink of two person keys, by an event or by a caseworker; never rewritten."""

    __tablename__ = "person_link"
    __table_args__ = (
        CheckConstraint("key_a < key_b", name="ordered_pair"),
        CheckConstraint("action IN ('link', 'unlink')", name="action"),
        UniqueConstraint("event_id", "key_a", "key_b", name="uq_person_link_event_pair"),
        Index("ix_person_link_key_a", "key_a"),
        Index("ix_person_link_key_b", "key_b"),
    )

    id: int | None = serial_id()
    key_a: str
    key_b: str
    action: str
    # When the link was declared: the event's time, or the moment of a caseworker's correction.
    at: datetime
    actor: str
    reason: str | None = None
    # The event that declared it; NULL for a correction made by a caseworker.
    event_id: str | None = None
    recorded_at: datetime | None = server_now()


class RebuildRunRow(TimelineTable, table=True):
    """One `casework timeline rebuild`: what was replayed, how fast, and whether it was swapped in."""

    __tablename__ = "rebuild_run"

    id: int | None = serial_id()
    started_at: datetime
    finished_at: datetime | None = None
    outcome: str
    events: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    entries: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    events_per_second: float | None = None
    detail: dict[str, Any] = jsonb()


metadata = TimelineTable.metadata
timeline_entry = table_of(TimelineEntryRow)
person_link = table_of(PersonLinkRow)
rebuild_run = table_of(RebuildRunRow)


def entry_table_named(name: str) -> Table:
    """A copy of the entry table under `name` (the fresh table a rebuild fills), its indexes and primary key
    named after it, so the swap can rename them to the live names."""
    copy = timeline_entry.to_metadata(make_metadata(), name=name)
    copy.primary_key.name = f"pk_{name}"
    for index in copy.indexes:
        assert index.name is not None
        index.name = quoted_name(index.name.replace(f"ix_{ENTRY_TABLE}_", f"ix_{name}_", 1), None)
    return copy
