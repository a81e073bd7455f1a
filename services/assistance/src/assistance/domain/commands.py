"""What assistance is asked to do: leads from 12345 and child protection, the window's registration, the
steps of an application to the decision, and household changes; one frozen dataclass per use case."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from assistance.domain.application_parts import (
    DEFAULT_PUBLICITY_DAYS,
    SYSTEM,
    Actor,
    Department,
    ReviewLevel,
    VerificationStatus,
)
from assistance.domain.benefit_facts import Recipient, SelfCare
from assistance.domain.household_parts import Asset, Expenditure, IncomeItem, Member
from assistance.domain.programmes import Programme, TemporaryKind
from shared.kit.commands import Command


# ---- leads ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class OpenLeadFromHotline(Command):
    """A 12345 work order intake routed to assistance: a lead, once per work order."""

    work_order_id: uuid.UUID
    order_no: str
    category_code: str
    region_code: str
    urgency: str
    summary: str
    personkeys: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class OpenLeadFromReferral(Command):
    """A child-protection case referred for assistance (转介): a lead, one open lead per case."""

    case_id: uuid.UUID
    case_ref: str
    region_code: str
    reason: str
    personkeys: tuple[str, ...] = ()
    actor: Actor = SYSTEM


# ---- registration --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RegisterApplication(Command):
    """申请 at the 一门受理 window: the household file from the form, the programme, whom it covers."""

    actor: Actor
    region_code: str  # the county receiving the application
    programme: Programme
    township_code: str
    hukou_code: str
    residence_code: str
    members: tuple[Member, ...]
    residence_permit: bool = False
    rural: bool = False
    only_child: bool = False
    all_daughters: bool = False
    landless: bool = False
    incomes: tuple[IncomeItem, ...] = ()
    assets: tuple[Asset, ...] = ()
    expenditures: tuple[Expenditure, ...] = ()
    # Empty: the whole household for 低保 and 临时救助, the applicant alone for 特困.
    personkeys: tuple[str, ...] = ()
    temporary_kind: TemporaryKind | None = None
    incident_code: str | None = None


# ---- the steps of one application ----------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ApplicationCommand(Command):
    """A caseworker's step on one application."""

    application_id: uuid.UUID
    actor: Actor


@dataclass(frozen=True, kw_only=True)
class AcceptApplication(ApplicationCommand):
    review_level: ReviewLevel


@dataclass(frozen=True, kw_only=True)
class DeclineApplication(ApplicationCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class RequestVerification(ApplicationCommand):
    requests: tuple[tuple[str, Department], ...]


@dataclass(frozen=True, kw_only=True)
class RecordVerificationAnswer(ApplicationCommand):
    personkey: str
    department: Department
    status: VerificationStatus
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class CompleteVerification(ApplicationCommand):
    """Close the check: all answered, or the rest past the domain's timeout."""


@dataclass(frozen=True, kw_only=True)
class RecordHomeVisit(ApplicationCommand):
    findings: str
    gap_note: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordAppraisal(ApplicationCommand):
    opinion: str
    participants: int


@dataclass(frozen=True, kw_only=True)
class SkipAppraisal(ApplicationCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecordReview(ApplicationCommand):
    approve: bool
    reason: str
    level: ReviewLevel


@dataclass(frozen=True, kw_only=True)
class StartPublicity(ApplicationCommand):
    days: int = DEFAULT_PUBLICITY_DAYS


@dataclass(frozen=True, kw_only=True)
class RecordObjection(ApplicationCommand):
    summary: str
    handling: str
    send_back: bool


@dataclass(frozen=True)
class TekunNeeds:
    """What the household file does not hold about a 特困 person: self-care ability and where supported."""

    self_care: SelfCare
    centralised: bool = False


@dataclass(frozen=True)
class TemporaryNeeds:
    """The 临时救助 request as the review judged it: tier, recipient, months, 先行救助."""

    tier: int
    recipient: Recipient
    months: int
    advance_requested: bool = False
    special_deliberation: str | None = None  # 一事一议 decision lifting the yearly limit (SA-64)


@dataclass(frozen=True, kw_only=True)
class Approve(ApplicationCommand):
    """批准 with the amount the rules engine computes from the household file."""

    reason: str
    # The month whose income and expenditure are counted; None: the month before the approval.
    income_month: date | None = None
    tekun: TekunNeeds | None = None
    temporary: TemporaryNeeds | None = None


@dataclass(frozen=True, kw_only=True)
class Reject(ApplicationCommand):
    reason: str


@dataclass(frozen=True, kw_only=True)
class Withdraw(ApplicationCommand):
    reason: str


# ---- the household file --------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class ChangeHousehold(Command):
    """Members join or leave, incomes are recorded or removed; the programmes touched are checked again."""

    household_id: uuid.UUID
    actor: Actor
    add_members: tuple[Member, ...] = ()
    remove_members: tuple[str, ...] = ()
    removal_reason: str = ""
    incomes: tuple[IncomeItem, ...] = ()
    removed_incomes: tuple[str, ...] = ()
