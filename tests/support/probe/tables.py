"""Probe tables: items written by the API, effects written by the consumer."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID

from shared.db import make_metadata

metadata = make_metadata()

item = Table(
    "probe_item",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("poison", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# No unique key on event_id on purpose: only the inbox may prevent a second effect.
effect = Table(
    "probe_effect",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Text, nullable=False),
    Column("item_id", UUID(as_uuid=True), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# A row here is "the fix is deployed": poison items are then handled normally.
poison_fix = Table("probe_poison_fix", metadata, Column("id", Text, primary_key=True))
