"""Response bodies of the register API: the register, the visits due, one file, a file after a change."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from child_protection.entrypoints.api.child_schemas import Colour, Gender, VisitType
from child_protection.service_layer.child_handlers import ChildChange


class GuardianOut(BaseModel):
    name: str
    relation: str
    phone: str
    is_primary: bool
    working_away: bool


class CaregiverOut(BaseModel):
    name: str
    relation: str
    phone: str


class AgreementOut(BaseModel):
    signed: bool
    signed_date: date | None = None
    document_ref: str = ""


class RiskEntryOut(BaseModel):
    colour: Colour
    previous: Colour | None
    at: datetime
    by: str
    reason: str


class VisitOut(BaseModel):
    id: uuid.UUID
    due_date: date
    visit_type: VisitType
    assigned_to: str
    status: Literal["scheduled", "done", "missed"]
    auto: bool
    note: str
    scheduled_at: datetime
    scheduled_by: str
    visited_on: date | None
    recorded_at: datetime | None
    recorded_by: str | None
    notes: str
    risk_raised: bool
    missed_at: datetime | None
    case_id: uuid.UUID | None


class HistoryOut(BaseModel):
    at: datetime
    action: str
    actor: str
    detail: dict[str, Any]


class CaseLinkOut(BaseModel):
    id: uuid.UUID
    case_ref: str
    stage: str
    urgency: str
    risk_colour: str | None
    opened_at: datetime
    closed_at: datetime | None


class ChildFileOut(BaseModel):
    """A child's file; the ID number is masked (a supervisor may reveal it, which is logged)."""

    id: uuid.UUID
    personkey: str
    name: str
    gender: Gender
    birth_date: date
    age: int
    id_number: str | None = Field(description="脱敏的身份证号")
    has_id_number: bool
    region_code: str
    address: str
    categories: list[str]
    responsible: str
    guardians: list[GuardianOut]
    caregiver: CaregiverOut | None
    agreement: AgreementOut | None
    risk_colour: Colour
    risk_history: list[RiskEntryOut]
    flags: list[str]
    registered_at: datetime
    updated_at: datetime
    version: int
    visits: list[VisitOut]
    history: list[HistoryOut]
    cases: list[CaseLinkOut]


class ChildSummaryOut(BaseModel):
    id: uuid.UUID
    name: str
    gender: str
    birth_date: date
    region_code: str
    categories: list[str]
    risk_colour: Colour
    flags: list[str]
    responsible: str
    has_id_number: bool
    next_visit_due: date | None
    last_visited_on: date | None
    overdue: bool = Field(description="已逾期：计划走访已过期，或逾期未走访后尚未补访")
    due: bool = Field(description="待走访：下一次走访在提醒期内")


class ChildListOut(BaseModel):
    total: int
    items: list[ChildSummaryOut]


class VisitDueOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    name: str
    region_code: str
    categories: list[str]
    risk_colour: Colour
    flags: list[str]
    due_date: date
    visit_type: VisitType
    assigned_to: str
    status: Literal["scheduled", "missed"]
    overdue: bool
    case_id: uuid.UUID | None


class VisitsDueOut(BaseModel):
    today: date
    until: date
    items: list[VisitDueOut]


class ChildChangeOut(BaseModel):
    """The file after a change; `case_id` names the case that took a report when one was opened or linked."""

    child_id: uuid.UUID
    version: int
    risk_colour: Colour
    flags: list[str]
    next_visit_due: date | None
    visit_id: uuid.UUID | None = None
    case_id: uuid.UUID | None = None
    case_ref: str | None = None
    linked: bool | None = None

    @classmethod
    def of(cls, change: ChildChange) -> ChildChangeOut:
        child, opened = change.child, change.opened
        upcoming = child.open_visits()
        return cls(
            child_id=child.id,
            version=child.version,
            risk_colour=child.risk_colour,
            flags=child.flags,
            next_visit_due=upcoming[0].due_date if upcoming else None,
            visit_id=change.visit.id if change.visit is not None else None,
            case_id=opened.case.id if opened is not None else None,
            case_ref=opened.case.case_ref if opened is not None else None,
            linked=opened.linked if opened is not None else None,
        )


class ChildRevealOut(BaseModel):
    child_id: uuid.UUID
    id_number: str | None
