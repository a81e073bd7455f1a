"""Commands on cases: reports from every channel, the steps of the chain, the deadline scan."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from child_protection.domain.stages import Stage
from shared.kit.commands import Command


@dataclass(frozen=True)
class Actor:
    """Who asks: `sub` is the stable id ("my cases"), `name` is what histories and events show."""

    sub: str
    name: str


@dataclass(frozen=True, kw_only=True)
class CaseCommand(Command):
    """A caseworker's change to one case."""

    case_id: uuid.UUID
    actor: Actor


# ---- reports -------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ReportCase(Command):
    """发现报告 entered by hand: 强制报告 from a mandatory reporter, 群众报告 from family or the public."""

    actor: Actor
    region_code: str
    urgency: str
    reporter_type: str
    content: str
    reporter_name: str | None = None
    reporter_contact: str | None = None
    child_name: str | None = None
    child_gender: str = "unknown"
    child_age: int | None = None
    child_id_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class OpenCaseFromHotline(Command):
    """A 12345 work order routed here by intake: a report (a case, or linked to the child's open case)."""

    report_id: str
    work_order_id: uuid.UUID
    order_no: str
    received_at: datetime
    region_code: str
    urgency: str
    content: str
    caller_masked_name: str | None = None
    child_personkey: str | None = None
    child_name: str | None = None
    child_gender: str = "unknown"
    child_age: int | None = None
    deadline_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class NoteHotlineEvent(Command):
    """补充 / 催办 / 撤单 from 12345 on a work order whose case this service holds."""

    work_order_id: uuid.UUID
    kind: str  # "supplemented" | "urged" | "revoked"
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordHotlineSatisfaction(Command):
    """回访 from 12345 with a low score: the case is handled again, or flagged while still open."""

    work_order_id: uuid.UUID
    score: int
    comment: str | None = None


@dataclass(frozen=True, kw_only=True)
class ScanCaseDeadline(Command):
    """The deadline scan of one case: an overdue step is breached once."""

    case_id: uuid.UUID
    now: datetime


# ---- along the chain -----------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class AcceptCase(CaseCommand):
    """受理: the caller takes the case."""


@dataclass(frozen=True, kw_only=True)
class DeclineCase(CaseCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReferCase(CaseCommand):
    """转介 to the agency named (12345 is told where the matter went)."""

    referred_to: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class AdvanceCase(CaseCommand):
    target: Stage


@dataclass(frozen=True, kw_only=True)
class RequestSkip(CaseCommand):
    target: Stage
    reason: str


@dataclass(frozen=True, kw_only=True)
class ApproveSkip(CaseCommand):
    """A 审核人 approves the pending skip (skipping to closure needs the feedback)."""

    feedback: str | None = None


@dataclass(frozen=True, kw_only=True)
class RejectSkip(CaseCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecordEmergency(CaseCommand):
    action: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class StartTemporaryGuardianship(CaseCommand):
    institution: str
    legal_basis: str = ""


@dataclass(frozen=True, kw_only=True)
class EndTemporaryGuardianship(CaseCommand):
    outcome: str


@dataclass(frozen=True, kw_only=True)
class AssessCase(CaseCommand):
    situation: str
    capacity: str
    risk_colour: str
    findings: str = ""
    hardship: bool = False


@dataclass(frozen=True, kw_only=True)
class AddPlanItem(CaseCommand):
    kind: str
    description: str
    owner: str
    agency: str
    due_date: date


@dataclass(frozen=True, kw_only=True)
class SetPlanItemStatus(CaseCommand):
    item_id: str
    status: str


@dataclass(frozen=True, kw_only=True)
class RecordIntervention(CaseCommand):
    kind: str
    legal_basis: str
    documents: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class CloseCase(CaseCommand):
    feedback: str


@dataclass(frozen=True, kw_only=True)
class RecordFollowUp(CaseCommand):
    note: str


@dataclass(frozen=True, kw_only=True)
class ReopenCase(CaseCommand):
    """重新办理 of a closed case."""

    reason: str
