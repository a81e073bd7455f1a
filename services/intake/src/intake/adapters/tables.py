"""Intake's tables as SQLModel classes (the outbox and inbox come from shared.messaging.tables)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import make_metadata, table_of
from shared.kit.columns import jsonb, serial_id, server_now


class IntakeTable(SQLModel, registry=registry(metadata=make_metadata())):
    """Base of intake's tables (their own metadata: intake's database only)."""


class WorkOrderRow(IntakeTable, table=True):
    """A 12345 work order: its state, the body as received, and the receipt answered to 12345."""

    __tablename__ = "work_order"
    __table_args__ = (
        Index("ix_work_order_status_received", "status", "received_at"),
        Index("ix_work_order_region", "region_code"),
    )

    id: uuid.UUID = Field(primary_key=True)
    order_no: str = Field(unique=True)
    status: str
    received_at: datetime
    channel: str
    category_code: str
    category_name: str | None = None
    urgency: str
    region_code: str
    responsible_region: str | None = None
    routed_to: str | None = None
    address: str | None = None
    content: str
    deadline_at: datetime | None = None
    # The body as received; subjects' ID numbers inside it are encrypted (see shared/crypto.py).
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    subjects: list[dict[str, Any]] = jsonb("[]")
    flags: list[str] = jsonb("[]")
    supplements: list[dict[str, Any]] = jsonb("[]")
    case_ref: str | None = None
    reply_text: str | None = None
    urge_count: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    body_sha256: str
    receipt: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    version: int
    created_at: datetime | None = server_now()
    updated_at: datetime | None = server_now()


class WorkOrderHistoryRow(IntakeTable, table=True):
    """One line of a work order's status history, appended, never rewritten."""

    __tablename__ = "work_order_history"

    id: int | None = serial_id()
    work_order_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("work_order.id"), nullable=False, index=True)
    )
    at: datetime
    action: str
    status: str
    actor: str
    detail: dict[str, Any] = jsonb("{}")


class HotlineEventRow(IntakeTable, table=True):
    """Idempotency of the later-actions endpoint: one row per 12345 event id."""

    __tablename__ = "hotline_event"

    event_id: str = Field(primary_key=True)
    work_order_id: uuid.UUID = Field(foreign_key="work_order.id")
    body_sha256: str
    receipt: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    received_at: datetime | None = server_now()


class HotlineNonceRow(IntakeTable, table=True):
    """Nonces seen inside the signature window (replay protection); purged after the window."""

    __tablename__ = "hotline_nonce"

    key_id: str = Field(primary_key=True)
    nonce: str = Field(primary_key=True)
    seen_at: datetime | None = server_now()


class RoutingTableVersionRow(IntakeTable, table=True):
    """One version of the routing table; every change is a new row (the audit trail)."""

    __tablename__ = "routing_table_version"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    rules: list[dict[str, Any]] = Field(sa_column=Column(JSONB, nullable=False))
    changed_by: str
    changed_at: datetime | None = server_now()
    comment: str | None = None


metadata = IntakeTable.metadata
work_order = table_of(WorkOrderRow)
work_order_history = table_of(WorkOrderHistoryRow)
hotline_event = table_of(HotlineEventRow)
hotline_nonce = table_of(HotlineNonceRow)
routing_table_version = table_of(RoutingTableVersionRow)
