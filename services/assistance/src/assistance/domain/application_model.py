"""The application aggregate: a lead or an application for 低保, 特困 or 临时救助, carried from 线索/申请
through 受理, 核对, 入户调查, 民主评议, 审核确认, 公示 and the decision to 发放, 动态管理 and 终止."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from assistance.domain import application_events as ev
from assistance.domain.application_care import ApplicationCare
from assistance.domain.application_intake import ApplicationIntake
from assistance.domain.application_parts import (
    Actor,
    Appraisal,
    Decision,
    DecisionKind,
    HistoryEntry,
    HomeVisit,
    LeadSource,
    Objection,
    ReviewLevel,
    VerificationRequest,
    masked,
    require_amount,
    require_text,
)
from assistance.domain.application_steps import ApplicationSteps
from assistance.domain.errors import InvalidApplicationData, MissingPrerequisite
from assistance.domain.programmes import Coverage, Programme, TemporaryKind
from assistance.domain.stages import FINAL, PRE_DECISION, Stage
from shared.regions import is_region_code

__all__ = ["Application"]


@dataclass
class Application(ApplicationIntake, ApplicationSteps, ApplicationCare):
    """One application (or lead); every change goes through a method that checks the stage."""

    id: uuid.UUID
    case_ref: str
    region_code: str
    opened_at: datetime
    stage: Stage = Stage.APPLIED
    stage_entered_at: datetime | None = None
    programme: Programme | None = None
    temporary_kind: TemporaryKind | None = None
    household_id: uuid.UUID | None = None
    applicant_personkey: str | None = None
    # Whom the application covers: the household's members for 低保, the person for 特困 and 单人户.
    personkeys: tuple[str, ...] = ()
    lead_source: LeadSource | None = None
    # The 12345 work order or the child-protection case the lead came from.
    lead_ref: str | None = None
    previous_id: uuid.UUID | None = None
    next_id: uuid.UUID | None = None
    review_level: ReviewLevel | None = None
    verifications: list[VerificationRequest] = field(default_factory=list)
    verification_closed_at: datetime | None = None
    home_visit: HomeVisit | None = None
    appraisal: Appraisal | None = None
    contested: bool = False
    review: Decision | None = None
    publicity_starts_at: datetime | None = None
    publicity_ends_at: datetime | None = None
    objections: list[Objection] = field(default_factory=list)
    amount: Decimal | None = None
    approved_at: datetime | None = None
    first_payment_month: date | None = None
    next_review_on: date | None = None
    review_flagged_for: date | None = None
    suspended_from: Stage | None = None
    closed_at: datetime | None = None
    outcome_reason: str | None = None
    decisions: list[Decision] = field(default_factory=list)
    # Lines recorded since the application was loaded; the repository appends them to the stored history.
    history: list[HistoryEntry] = field(default_factory=list)
    version: int = 0
    events: list[ev.Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        if len(self.region_code) != 6 or not is_region_code(self.region_code):
            raise InvalidApplicationData("申请须属于一个6位县级行政区划代码")

    # ---- opening ---------------------------------------------------------------------------------------
    @classmethod
    def open_lead(
        cls,
        id: uuid.UUID,
        case_ref: str,
        region_code: str,
        source: LeadSource,
        summary: str,
        at: datetime,
        by: Actor,
        *,
        source_ref: str | None = None,
        personkeys: Iterable[str] = (),
    ) -> Application:
        """线索: from 12345, a child-protection referral, proactive discovery or a monitoring alert
        (SA-30..33, SA-110..114)."""
        summary = require_text(summary, "请填写线索情况")
        lead = cls(id, case_ref, region_code, at, stage=Stage.LEAD, stage_entered_at=at)
        lead.lead_source, lead.lead_ref = source, source_ref
        lead.personkeys = tuple(dict.fromkeys(p for p in personkeys if p.strip()))
        lead._log(at, "lead_opened", by, source=source.value, source_ref=source_ref, summary=summary)
        lead._emit(
            ev.LeadOpened(
                at,
                actor=by.id,
                source=source.value,
                source_ref=source_ref,
                summary=masked(summary),
                personkeys=lead.personkeys,
            )
        )
        return lead

    @classmethod
    def apply(
        cls,
        id: uuid.UUID,
        case_ref: str,
        region_code: str,
        programme: Programme,
        household_id: uuid.UUID,
        applicant_personkey: str,
        personkeys: Iterable[str],
        at: datetime,
        by: Actor,
        *,
        temporary_kind: TemporaryKind | None = None,
        previous_id: uuid.UUID | None = None,
    ) -> Application:
        """申请 at the 一门受理 window, online or by 12345 (SA-20..27)."""
        application = cls(id, case_ref, region_code, at, stage=Stage.APPLIED, stage_entered_at=at)
        application.previous_id = previous_id
        application._fill(programme, temporary_kind, household_id, applicant_personkey, personkeys)
        application._applied(at, by, "applied")
        return application

    # ---- the decision ----------------------------------------------------------------------------------
    def approve(self, amount: Decimal, reason: str, at: datetime, by: Actor) -> None:
        """批准 with the amount the rules engine computed: 低保/特困 once 公示 has run its length (`at` is
        now), 临时救助 straight after 审核确认."""
        if self.programme == Programme.TEMPORARY:
            self._require_stage(Stage.REVIEW, doing="批准临时救助")
        else:
            self._require_stage(Stage.PUBLICITY, doing="批准")
        self._require_approving_review()
        if self.publicity_ends_at is not None and at < self.publicity_ends_at:
            raise MissingPrerequisite("公示期未满，期满无异议或异议不成立后方可批准")
        amount = require_amount(amount)
        reason = require_text(reason, "请填写批准理由")
        self.amount, self.approved_at = amount, at
        self._decide(DecisionKind.APPROVED, by, at, reason, str(amount))
        self._enter(Stage.APPROVED, at)
        self._log(at, "approved", by, amount=amount, reason=reason)
        programme = self.programme.value if self.programme else ""
        self._emit(ev.Approved(at, actor=by.id, programme=programme, amount=amount, reason=masked(reason)))

    def reject(self, reason: str, at: datetime, by: Actor) -> None:
        """不予批准 with the reasons the applicant is told, after 审核确认 or after 公示."""
        self._require_stage(Stage.REVIEW, Stage.PUBLICITY, doing="不予批准")
        reason = require_text(reason, "不予批准须填写理由")
        self._finish(Stage.REJECTED, DecisionKind.REJECTED, reason, at, by)
        self._emit(ev.Rejected(at, actor=by.id, reason=masked(reason)))

    def withdraw(self, reason: str, at: datetime, by: Actor) -> None:
        """撤回 by the applicant, at any point before the decision."""
        self._require_stage(*PRE_DECISION, doing="撤回申请")
        reason = require_text(reason, "请填写撤回申请的原因")
        self._finish(Stage.WITHDRAWN, DecisionKind.WITHDRAWN, reason, at, by)
        self._emit(ev.Closed(at, actor=by.id, outcome="withdrawn", reason=masked(reason)))

    # ---- re-application --------------------------------------------------------------------------------
    def reapply(
        self,
        id: uuid.UUID,
        case_ref: str,
        at: datetime,
        by: Actor,
        *,
        personkeys: Iterable[str] | None = None,
    ) -> Application:
        """A new application after this one was declined, rejected, withdrawn or ended, linked both ways."""
        self._require_stage(*FINAL, doing="重新申请")
        if self.next_id is not None:
            raise self._refuse("重新申请", "该申请已重新申请过，请在新的申请上继续办理")
        if self.programme is None or self.household_id is None or not self.applicant_personkey:
            raise MissingPrerequisite("申请缺少救助项目、家庭或申请人")
        successor = Application.apply(
            id,
            case_ref,
            self.region_code,
            self.programme,
            self.household_id,
            self.applicant_personkey,
            self.personkeys if personkeys is None else personkeys,
            at,
            by,
            temporary_kind=self.temporary_kind,
            previous_id=self.id,
        )
        self.next_id = successor.id
        self._log(at, "reapplied", by, next_id=str(successor.id), next_case_ref=case_ref)
        return successor

    # ---- what the cross-programme rules see ------------------------------------------------------------
    def coverage(self) -> Coverage | None:
        """This application for `programmes.check_*` (None for a lead, which covers no programme yet)."""
        if self.programme is None or self.household_id is None:
            return None
        approved_on = self.approved_at.date() if self.approved_at else None
        return Coverage(
            self.id, self.household_id, self.programme, self.stage, frozenset(self.personkeys), approved_on
        )
