"""child_protection's tables (the outbox and inbox come from shared.messaging.tables)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Sequence,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db import make_metadata

metadata = make_metadata()

case_ref_seq = Sequence("case_ref_seq", metadata=metadata)

case = Table(
    "case",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("case_ref", Text, nullable=False, unique=True),
    Column("region_code", Text, nullable=False),
    Column("urgency", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("stage_entered_at", DateTime(timezone=True)),
    Column("step_due_at", DateTime(timezone=True)),
    Column("step_breached_at", DateTime(timezone=True)),
    Column("owner", Text),
    Column("risk_colour", Text),
    Column("child_personkey", Text, nullable=False),
    Column("child_id", UUID(as_uuid=True)),
    # The child as reported; the ID number inside is encrypted (shared/crypto.py).
    Column("child", JSONB, nullable=False),
    Column("reports", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("records", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("plan", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("skip_request", JSONB),
    Column("temporary_guardianship", JSONB),
    Column("feedback", Text),
    Column("work_order_id", UUID(as_uuid=True)),
    Column("order_no", Text),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_case_child_personkey", "child_personkey"),
    Index("ix_case_region_stage", "region_code", "stage"),
    Index("ix_case_due", "step_due_at", postgresql_where=text("step_breached_at IS NULL")),
    Index("ix_case_work_order", "work_order_id"),
)

case_history = Table(
    "case_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("case_id", UUID(as_uuid=True), ForeignKey("case.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)

# Every view of a child's file or case, and every reveal of an ID number (auditors read it).
access_log = Table(
    "access_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor_sub", Text, nullable=False),
    Column("actor_name", Text),
    Column("actor_roles", JSONB, nullable=False),
    Column("record_type", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("reason", Text),
    Column("region_code", Text),
    Column("trace_id", Text),
    Index("ix_access_log_record", "record_type", "record_id"),
    Index("ix_access_log_at", "at"),
)

# The register of children under watch (监测预防, 一人一档): one row per child, personkey unique.
child = Table(
    "child",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("personkey", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("gender", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    # Encrypted with the service's data key (shared/crypto.py); never stored in clear.
    Column("id_number", Text),
    Column("region_code", Text, nullable=False),
    Column("address", Text, nullable=False, server_default=""),
    Column("categories", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("responsible", Text, nullable=False, server_default=""),
    Column("guardians", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("caregiver", JSONB),
    Column("agreement", JSONB),
    Column("risk_colour", Text, nullable=False),
    Column("risk_history", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    # Derived from the file on each save (e.g. "agreement_missing", MP-73), for filtering the register.
    Column("flags", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_child_region", "region_code"),
)

child_visit = Table(
    "child_visit",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("child_id", UUID(as_uuid=True), ForeignKey("child.id"), nullable=False, index=True),
    Column("due_date", Date, nullable=False),
    Column("visit_type", Text, nullable=False),
    Column("assigned_to", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("auto", Boolean, nullable=False, server_default=text("false")),
    Column("note", Text, nullable=False, server_default=""),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("scheduled_by", Text, nullable=False),
    Column("visited_on", Date),
    Column("recorded_at", DateTime(timezone=True)),
    Column("recorded_by", Text),
    Column("notes", Text, nullable=False, server_default=""),
    Column("risk_raised", Boolean, nullable=False, server_default=text("false")),
    Column("missed_at", DateTime(timezone=True)),
    Column("case_id", UUID(as_uuid=True)),
    Index("ix_child_visit_open_due", "due_date", postgresql_where=text("status = 'scheduled'")),
)

child_history = Table(
    "child_history",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("child_id", UUID(as_uuid=True), ForeignKey("child.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
)
