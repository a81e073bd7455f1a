"""assistance's tables as SQLModel classes (the outbox and inbox come from shared.messaging.tables)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, ForeignKey, Index, Numeric, Sequence, Text, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import make_metadata, table_of
from shared.kit.columns import flag, jsonb, serial_id, server_now


class AssistanceTable(SQLModel, registry=registry(metadata=make_metadata())):
    """Base of assistance's tables (their own metadata: assistance's database only)."""


class HouseholdRow(AssistanceTable, table=True):
    """A household file (家庭档案): where it lives, its flags, members, incomes, assets and expenditures.

    Amounts inside the JSONB lists are stored as decimal strings (orjson writes no Decimal, and a JSON
    number would come back as a float): the repository dumps and loads them exactly.
    """

    __tablename__ = "assistance_household"
    __table_args__ = (Index("ix_assistance_household_township", "township_code"),)

    id: uuid.UUID = Field(primary_key=True)
    region_code: str = Field(index=True)
    township_code: str
    hukou_code: str
    residence_code: str
    residence_permit: bool = flag()
    rural: bool = flag()
    only_child: bool = flag()
    all_daughters: bool = flag()
    landless: bool = flag()
    members: list[dict[str, Any]] = jsonb("[]")
    incomes: list[dict[str, Any]] = jsonb("[]")
    assets: list[dict[str, Any]] = jsonb("[]")
    expenditures: list[dict[str, Any]] = jsonb("[]")
    version: int
    updated_at: datetime | None = server_now()


class ApplicationRow(AssistanceTable, table=True):
    """An application or lead: its stage and programme, whom it covers, and the steps recorded so far."""

    __tablename__ = "assistance_application"
    __table_args__ = (
        Index("ix_assistance_application_region_stage", "region_code", "stage"),
        # "Active applications naming any of these people" (`personkeys && :keys`), across counties.
        Index("ix_assistance_application_personkeys", "personkeys", postgresql_using="gin"),
        Index("ix_assistance_application_household_programme", "household_id", "programme"),
        # One open lead per 12345 work order or child-protection case (redeliveries find it); a case
        # referred again after its lead was closed opens a new one, so closed rows do not count.
        Index(
            "uq_assistance_application_open_lead_ref",
            "lead_ref",
            unique=True,
            postgresql_where=text("lead_ref IS NOT NULL AND closed_at IS NULL"),
        ),
        Index("ix_assistance_application_lead_ref", "lead_ref"),
    )

    id: uuid.UUID = Field(primary_key=True)
    case_ref: str = Field(unique=True)
    region_code: str
    programme: str | None = None
    temporary_kind: str | None = None
    stage: str
    stage_entered_at: datetime | None = None
    household_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("assistance_household.id"), nullable=True)
    )
    applicant_personkey: str | None = None
    personkeys: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    )
    lead_source: str | None = None
    lead_ref: str | None = None
    previous_id: uuid.UUID | None = None
    next_id: uuid.UUID | None = None
    review_level: str | None = None
    verifications: list[dict[str, Any]] = jsonb("[]")
    verification_closed_at: datetime | None = None
    home_visit: dict[str, Any] | None = jsonb(None)
    appraisal: dict[str, Any] | None = jsonb(None)
    contested: bool = flag()
    review: dict[str, Any] | None = jsonb(None)
    publicity_starts_at: datetime | None = None
    publicity_ends_at: datetime | None = None
    objections: list[dict[str, Any]] = jsonb("[]")
    # NUMERIC without a scale: the amount comes back exactly as the rules engine computed it.
    amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(), nullable=True))
    approved_at: datetime | None = None
    first_payment_month: date | None = None
    next_review_on: date | None = None
    review_flagged_for: date | None = None
    suspended_from: str | None = None
    closed_at: datetime | None = None
    outcome_reason: str | None = None
    decisions: list[dict[str, Any]] = jsonb("[]")
    opened_at: datetime
    version: int
    updated_at: datetime | None = server_now()


class ApplicationHistoryRow(AssistanceTable, table=True):
    """One line of an application's history, appended, never rewritten (in order of id)."""

    __tablename__ = "assistance_application_history"

    id: int | None = serial_id()
    application_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("assistance_application.id"), nullable=False, index=True)
    )
    at: datetime
    action: str
    stage: str
    actor: str
    actor_name: str
    detail: dict[str, Any] = jsonb("{}")


metadata = AssistanceTable.metadata
# Readable application numbers such as SA-500154-2026-000042.
case_ref_seq = Sequence("assistance_case_ref_seq", metadata=metadata)
household = table_of(HouseholdRow)
application = table_of(ApplicationRow)
application_history = table_of(ApplicationHistoryRow)
