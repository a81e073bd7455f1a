"""The case aggregate: one report (or several linked reports) about a child, carried along the chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from child_protection.domain import case_events as ev
from child_protection.domain.case_parts import (
    SYSTEM,
    Child,
    HistoryEntry,
    PlanItem,
    Record,
    Report,
    RiskColour,
    SkipRequest,
    TemporaryGuardianship,
)
from child_protection.domain.case_signals import LOW_SATISFACTION, CaseSignals
from child_protection.domain.deadlines import DeadlinePolicy
from child_protection.domain.errors import ApprovalRequired, InvalidTransition, MissingPrerequisite
from child_protection.domain.stages import BACKWARD, Stage, label, position, skipped_between

__all__ = ["LOW_SATISFACTION", "Case"]


@dataclass
class Case(CaseSignals):
    """A minor-protection case; every change goes through a method that checks the chain."""

    id: uuid.UUID
    case_ref: str
    region_code: str
    urgency: str
    child: Child
    opened_at: datetime
    stage: Stage = Stage.REPORTED
    stage_entered_at: datetime | None = None
    # The caseworker who accepted the case: `owner` is their stable id ("my cases"), `owner_name` is shown.
    owner: str | None = None
    owner_name: str | None = None
    risk_colour: RiskColour | None = None
    reports: list[Report] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    plan: list[PlanItem] = field(default_factory=list)
    skip_request: SkipRequest | None = None
    temporary_guardianship: TemporaryGuardianship | None = None
    feedback: str | None = None
    closed_at: datetime | None = None
    step_due_at: datetime | None = None
    step_breached_at: datetime | None = None
    # The 12345 work order's deadline: no step of the case may be due later while the case is open.
    hotline_deadline_at: datetime | None = None
    # Lines recorded since the case was loaded; the repository appends them to the stored history.
    history: list[HistoryEntry] = field(default_factory=list)
    version: int = 0
    events: list[ev.Event] = field(default_factory=list)

    @property
    def work_order_id(self) -> uuid.UUID | None:
        return next((r.work_order_id for r in self.reports if r.work_order_id), None)

    @property
    def order_no(self) -> str | None:
        return next((r.order_no for r in self.reports if r.order_no), None)

    def _enter(
        self, target: Stage, at: datetime, actor: str, action: str = "stage_changed", **detail: Any
    ) -> None:
        previous = self.stage
        self.stage = target
        self.stage_entered_at = at
        self.skip_request = None
        self._log(at, action, actor, previous=previous.value, **detail)
        self._emit(
            ev.StageChanged(
                at,
                actor=actor,
                previous=previous.value,
                skipped=tuple(detail.get("skipped", ())),
                skip_reason=detail.get("skip_reason"),
                approved_by=detail.get("approved_by"),
            )
        )

    # ---- opening ---------------------------------------------------------------------------------------
    def open(self, report: Report, at: datetime, actor: str) -> None:
        """发现报告: the first report opens the case."""
        self.reports.append(report)
        self.stage_entered_at = at
        self._log(at, "reported", actor, source=report.source, reporter_type=report.reporter_type)
        self._emit(ev.Reported(at, actor=actor, report_id=report.id))

    def link_report(self, report: Report, at: datetime, actor: str) -> None:
        """A further report about the same child while the case is open: linked, not a new case."""
        if not self.is_open:
            raise InvalidTransition("案件已结束，不能再关联新的报告")
        self.reports.append(report)
        self._log(at, "report_linked", actor, source=report.source, reporter_type=report.reporter_type)
        self._emit(ev.ReportLinked(at, actor=actor, report_id=report.id))

    def bind_hotline_deadline(self, deadline: datetime | None) -> None:
        """A 12345 work order's deadline binds the case; of two work orders, the earlier deadline."""
        if deadline is not None and (self.hotline_deadline_at is None or deadline < self.hotline_deadline_at):
            self.hotline_deadline_at = deadline

    # ---- 受理 / 不予受理 / 转介 ---------------------------------------------------------------------------
    def accept(self, at: datetime, actor: str, owner: str) -> None:
        """受理: the caseworker `owner` (stable id; `actor` their name) takes the case."""
        self._require_stage(Stage.REPORTED, doing="受理")
        self.owner, self.owner_name = owner, actor
        previous = self.stage
        self.stage, self.stage_entered_at = Stage.ACCEPTED, at
        self._log(at, "accepted", actor, previous=previous.value)
        self._emit(ev.Accepted(at, actor=actor))

    def decline(self, at: datetime, actor: str, reason: str) -> None:
        """不予受理 with the reason."""
        self._end_report(at, actor, reason, None)

    def refer(self, at: datetime, actor: str, agency: str, reason: str) -> None:
        """转介: the matter belongs to another agency, named on the event (12345 is told where it went)."""
        if not agency.strip():
            raise MissingPrerequisite("请填写转介单位")
        self._end_report(at, actor, reason, agency.strip())

    def _end_report(self, at: datetime, actor: str, reason: str, referred_to: str | None) -> None:
        self._require_stage(Stage.REPORTED, doing="不予受理或转介")
        if not reason.strip():
            raise MissingPrerequisite("请填写不予受理或转介的理由")
        self.stage = Stage.REFERRED if referred_to else Stage.DECLINED
        self.stage_entered_at = at
        self.closed_at = at
        self.feedback = reason
        action = "referred" if referred_to else "declined"
        self._log(at, action, actor, reason=reason, referred_to=referred_to)
        self._emit(ev.Declined(at, actor=actor, reason=reason, referred_to=referred_to))

    # ---- moving along the chain ------------------------------------------------------------------------
    def advance(self, target: Stage, at: datetime, actor: str) -> None:
        """Move to the next step, or back where allowed; a jump ahead needs an approved skip."""
        if target in BACKWARD.get(self.stage, frozenset()):
            self._enter(target, at, actor)
            return
        if position(self.stage) < position(Stage.ACCEPTED) or target in (Stage.REPORTED, Stage.ACCEPTED):
            raise InvalidTransition(f"案件当前处于“{label(self.stage)}”，不能转到“{label(target)}”")
        if target == Stage.CLOSED:
            raise InvalidTransition("结案请使用“反馈并结案”，并填写反馈内容")
        if position(target) != position(self.stage) + 1:
            if position(target) > position(self.stage):
                raise ApprovalRequired("跳过环节需要填写理由并经审核人审批")
            raise InvalidTransition(f"不能从“{label(self.stage)}”回到“{label(target)}”")
        self._check_exit(self.stage)
        self._enter(target, at, actor)

    def _check_exit(self, stage: Stage) -> None:
        """What a step must have produced before the case leaves it."""
        if stage == Stage.ACCEPTED and not self.has_record("emergency", action="on_site_visit"):
            raise MissingPrerequisite("受理后须先上门核查（记录一次“上门核查”）再进入下一环节")
        if stage == Stage.EMERGENCY and not self.has_record("emergency", action="on_site_visit"):
            raise MissingPrerequisite("应急处置环节须至少记录一次“上门核查”")
        if stage == Stage.ASSESSMENT and not self.has_record("assessment"):
            raise MissingPrerequisite("请先完成并提交评估")
        if stage == Stage.SUPPORT and not self.plan:
            raise MissingPrerequisite("请先制定服务清单（至少一项）")
        if stage == Stage.INTERVENTION and not self.has_record("intervention"):
            raise MissingPrerequisite("请先记录监护干预措施")

    def request_skip(self, target: Stage, reason: str, at: datetime, actor: str) -> None:
        """Ask to jump ahead (for example close a low-risk case after assessment without intervention)."""
        if not self.is_open or position(target) <= position(self.stage) + 1 or position(self.stage) < 1:
            raise InvalidTransition("只有向后跳过至少一个环节时才需要申请")
        if not reason.strip():
            raise MissingPrerequisite("请填写跳过环节的理由")
        self.skip_request = SkipRequest(target, reason.strip(), actor, at)
        self._log(at, "skip_requested", actor, target=target.value, reason=reason.strip())

    def approve_skip(self, at: datetime, approver: str, *, feedback: str | None = None) -> None:
        """A 审核人 approves the pending skip; skipping to closure still needs the feedback."""
        request = self.skip_request
        if request is None:
            raise InvalidTransition("没有待审批的跳过申请")
        skipped = tuple(s.value for s in skipped_between(self.stage, request.target))
        approval: dict[str, Any] = {
            "skipped": skipped,
            "skip_reason": request.reason,
            "approved_by": approver,
        }
        if request.target == Stage.CLOSED:
            self.close(at, approver, feedback or "", **approval)
            return
        self._enter(request.target, at, approver, requested_by=request.requested_by, **approval)

    def reject_skip(self, at: datetime, approver: str, reason: str) -> None:
        if self.skip_request is None:
            raise InvalidTransition("没有待审批的跳过申请")
        if not reason.strip():
            raise MissingPrerequisite("请填写驳回理由")
        self._log(at, "skip_rejected", approver, target=self.skip_request.target.value, reason=reason)
        self.skip_request = None

    # ---- deadlines ----------------------------------------------------------------------------------
    def schedule(self, policy: DeadlinePolicy) -> None:
        """The due time of the step the case is in now (none once it has ended)."""
        entered = self.stage_entered_at or self.opened_at
        due = (
            policy.due(self.stage, self.urgency, entered, self.hotline_deadline_at) if self.is_open else None
        )
        if due != self.step_due_at:
            self.step_due_at = due
            self.step_breached_at = None

    def breach_deadline(self, now: datetime) -> str | None:
        """Record that the current step is overdue; its stage only the first time (one event per step)."""
        due = self.step_due_at
        if not self.is_open or due is None or self.step_breached_at is not None or now <= due:
            return None
        self.step_breached_at = now
        self._log(now, "deadline_breached", SYSTEM, step=self.stage.value, due_at=due)
        self._emit(
            ev.DeadlineBreached(now, actor=SYSTEM, step=self.stage.value, due_at=due, owner=self.owner_name)
        )
        return self.stage.value

    # ---- 反馈 and after ---------------------------------------------------------------------------------
    def close(self, at: datetime, actor: str, feedback: str, **skip: Any) -> None:
        """反馈并结案: closing needs the feedback to the reporter (for 12345, the reply text)."""
        if not skip:
            self._require_stage(Stage.INTERVENTION, doing="反馈并结案")
            self._check_exit(Stage.INTERVENTION)
        if not feedback.strip():
            raise MissingPrerequisite("结案须填写向报告人的反馈内容")
        if self.temporary_guardianship is not None:
            raise MissingPrerequisite("临时监护尚未结束，不能结案")
        self._enter(Stage.CLOSED, at, actor, action="closed", feedback=feedback.strip(), **skip)
        self.feedback = feedback.strip()
        self.closed_at = at
        self._emit(ev.Closed(at, actor=actor, feedback=self.feedback))

    def record_follow_up(self, note: str, at: datetime, actor: str) -> None:
        """结案后回访: follow-up visits after closure."""
        self._require_stage(Stage.CLOSED, doing="记录结案后回访")
        if not note.strip():
            raise MissingPrerequisite("请填写回访情况")
        self._record("follow_up", at, actor, note=note)
        self._log(at, "follow_up", actor, note=note)

    def reopen(self, reason: str, at: datetime, actor: str) -> None:
        """重新办理: a closed case goes back to assessment."""
        self._require_stage(Stage.CLOSED, doing="重新办理")
        if not reason.strip():
            raise MissingPrerequisite("请填写重新办理的理由")
        self.closed_at = None
        # The 12345 deadline was for the first handling, which was answered: it no longer binds.
        self.hotline_deadline_at = None
        self._enter(Stage.ASSESSMENT, at, actor, action="reopened", reason=reason)
        self._emit(ev.Reopened(at, actor=actor, reason=reason))
