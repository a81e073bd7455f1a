"""Response bodies of the case API's reads: the work queue, one case, the access log."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class QueueChildOut(BaseModel):
    name: str | None = None
    gender: str = "unknown"
    age: int | None = None
    has_id_number: bool = False


class CaseSummaryOut(BaseModel):
    """A line of the work queue."""

    id: uuid.UUID
    case_ref: str
    region_code: str
    urgency: str
    stage: str
    stage_entered_at: datetime | None
    step_due_at: datetime | None
    step_breached_at: datetime | None
    owner: str | None = Field(description="承办人的账号（稳定标识）")
    owner_name: str | None = Field(description="承办人姓名")
    risk_colour: str | None
    child: QueueChildOut
    opened_at: datetime
    order_no: str | None
    overdue: bool


class CaseListOut(BaseModel):
    total: int
    items: list[CaseSummaryOut]


class CaseChildOut(BaseModel):
    """The child as reported; the ID number is masked (a 审核人 may reveal it, which is logged)."""

    personkey: str
    name: str | None = None
    gender: str = "unknown"
    age: int | None = None
    id_number: str | None = None
    has_id_number: bool = False
    child_id: uuid.UUID | None = None


class CaseReportOut(BaseModel):
    id: str
    received_at: datetime
    source: str
    reporter_type: str
    content: str
    reporter_name: str | None = None
    reporter_contact: str | None = None
    work_order_id: uuid.UUID | None = None
    order_no: str | None = None


class RecordOut(BaseModel):
    kind: str
    at: datetime
    by: str
    data: dict[str, Any]


class PlanItemOut(BaseModel):
    id: str
    kind: str
    description: str
    owner: str
    agency: str
    due_date: date
    status: str


class SkipRequestOut(BaseModel):
    target: str
    reason: str
    requested_by: str
    requested_at: datetime


class TemporaryGuardianshipOut(BaseModel):
    institution: str
    legal_basis: str
    started_at: datetime
    started_by: str


class HistoryLineOut(BaseModel):
    at: datetime
    action: str
    stage: str
    actor: str
    detail: dict[str, Any]


class CaseOut(BaseModel):
    """One case with its reports, records, service plan and history (the view is access-logged)."""

    id: uuid.UUID
    case_ref: str
    region_code: str
    urgency: str
    stage: str
    stage_entered_at: datetime | None
    step_due_at: datetime | None
    step_breached_at: datetime | None
    hotline_deadline_at: datetime | None = Field(description="12345 工单的办理时限")
    owner: str | None
    owner_name: str | None
    risk_colour: str | None
    child: CaseChildOut
    reports: list[CaseReportOut]
    records: list[RecordOut]
    plan: list[PlanItemOut]
    skip_request: SkipRequestOut | None
    temporary_guardianship: TemporaryGuardianshipOut | None
    feedback: str | None
    work_order_id: uuid.UUID | None
    order_no: str | None
    opened_at: datetime
    closed_at: datetime | None
    version: int
    history: list[HistoryLineOut]


class CaseRevealOut(BaseModel):
    case_id: uuid.UUID
    id_number: str | None


class AccessEntryOut(BaseModel):
    id: int
    at: datetime
    actor_sub: str
    actor_name: str | None
    actor_roles: list[str]
    record_type: str
    record_id: str
    action: str
    reason: str | None
    region_code: str | None
    trace_id: str | None


class AccessLogOut(BaseModel):
    items: list[AccessEntryOut]
