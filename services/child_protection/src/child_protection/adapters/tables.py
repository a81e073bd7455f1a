"""child_protection's tables as SQLModel classes (the outbox and inbox come from shared.messaging.tables)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Sequence, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import make_metadata, table_of
from shared.kit.columns import flag, jsonb, serial_id, server_now, text_default


class ChildProtectionTable(SQLModel, registry=registry(metadata=make_metadata())):
    """Base of child_protection's tables (their own metadata: child_protection's database only)."""


class CaseRow(ChildProtectionTable, table=True):
    """A case: its stage, the child as reported, its reports, records and service plan."""

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_child_personkey", "child_personkey"),
        Index("ix_case_region_stage", "region_code", "stage"),
        Index("ix_case_due", "step_due_at", postgresql_where=text("step_breached_at IS NULL")),
        Index("ix_case_work_order", "work_order_id"),
    )

    id: uuid.UUID = Field(primary_key=True)
    case_ref: str = Field(unique=True)
    region_code: str
    urgency: str
    stage: str
    stage_entered_at: datetime | None = None
    step_due_at: datetime | None = None
    step_breached_at: datetime | None = None
    hotline_deadline_at: datetime | None = None
    # The stable id of the caseworker who accepted the case ("my cases") and the name shown.
    owner: str | None = None
    owner_name: str | None = None
    risk_colour: str | None = None
    child_personkey: str
    child_id: uuid.UUID | None = None
    # The child as reported; the ID number inside is encrypted (shared/crypto.py).
    child: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    reports: list[dict[str, Any]] = jsonb("[]")
    records: list[dict[str, Any]] = jsonb("[]")
    plan: list[dict[str, Any]] = jsonb("[]")
    skip_request: dict[str, Any] | None = jsonb(None)
    temporary_guardianship: dict[str, Any] | None = jsonb(None)
    feedback: str | None = None
    work_order_id: uuid.UUID | None = None
    order_no: str | None = None
    opened_at: datetime
    closed_at: datetime | None = None
    version: int
    updated_at: datetime | None = server_now()


class CaseHistoryRow(ChildProtectionTable, table=True):
    """One line of a case's history, appended, never rewritten (in order of id)."""

    __tablename__ = "case_history"

    id: int | None = serial_id()
    case_id: uuid.UUID = Field(sa_column=Column(ForeignKey("case.id"), nullable=False, index=True))
    at: datetime
    action: str
    stage: str
    actor: str
    detail: dict[str, Any] = jsonb("{}")


class ChildRow(ChildProtectionTable, table=True):
    """A child's file in the register (监测预防, 一人一档): one file per child in each county (a child who
    moves gets a file in the new county; the timeline joins them by personkey)."""

    __tablename__ = "child"
    __table_args__ = (
        Index("ix_child_region", "region_code"),
        Index("uq_child_personkey_county", "personkey", func.left(text("region_code"), 6), unique=True),
    )

    id: uuid.UUID = Field(primary_key=True)
    personkey: str = Field(index=True)
    name: str
    gender: str
    birth_date: date
    # Encrypted with the service's data key (shared/crypto.py); never stored in clear.
    id_number: str | None = None
    region_code: str
    address: str = text_default()
    categories: list[str] = jsonb("[]")
    responsible: str = text_default()
    guardians: list[dict[str, Any]] = jsonb("[]")
    caregiver: dict[str, Any] | None = jsonb(None)
    agreement: dict[str, Any] | None = jsonb(None)
    risk_colour: str
    risk_history: list[dict[str, Any]] = jsonb("[]")
    # Derived from the file on each save (e.g. "agreement_missing", MP-73), for filtering the register.
    flags: list[str] = jsonb("[]")
    registered_at: datetime
    version: int
    updated_at: datetime | None = server_now()


class ChildVisitRow(ChildProtectionTable, table=True):
    """A 走访 of a child: scheduled, done or missed."""

    __tablename__ = "child_visit"
    __table_args__ = (
        Index("ix_child_visit_open_due", "due_date", postgresql_where=text("status = 'scheduled'")),
    )

    id: uuid.UUID = Field(primary_key=True)
    child_id: uuid.UUID = Field(sa_column=Column(ForeignKey("child.id"), nullable=False, index=True))
    due_date: date
    visit_type: str
    assigned_to: str
    status: str
    auto: bool = flag()
    note: str = text_default()
    scheduled_at: datetime
    scheduled_by: str
    visited_on: date | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    notes: str = text_default()
    risk_raised: bool = flag()
    missed_at: datetime | None = None
    case_id: uuid.UUID | None = None


class ChildHistoryRow(ChildProtectionTable, table=True):
    """One line of a file's history, appended, never rewritten (in order of id)."""

    __tablename__ = "child_history"

    id: int | None = serial_id()
    child_id: uuid.UUID = Field(sa_column=Column(ForeignKey("child.id"), nullable=False, index=True))
    at: datetime
    action: str
    actor: str
    detail: dict[str, Any] = jsonb("{}")


metadata = ChildProtectionTable.metadata
# Readable case numbers such as CP-500154-2026-000042.
case_ref_seq = Sequence("case_ref_seq", metadata=metadata)
case = table_of(CaseRow)
case_history = table_of(CaseHistoryRow)
child = table_of(ChildRow)
child_visit = table_of(ChildVisitRow)
child_history = table_of(ChildHistoryRow)
