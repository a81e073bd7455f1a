"""The case aggregate: one report (or several linked reports) about a child, carried along the chain."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from child_protection.domain import events as ev
from child_protection.domain.errors import ApprovalRequired, InvalidTransition, MissingPrerequisite
from child_protection.domain.stages import BACKWARD, CHAIN, LABELS, TERMINAL, Stage, position, skipped_between

RiskColour = Literal["red", "yellow", "blue", "green"]
RISK_LABELS = {
    "red": "红色（高风险）",
    "yellow": "黄色（较高风险）",
    "blue": "蓝色（一般风险）",
    "green": "绿色（低风险）",
}
EMERGENCY_ACTIONS = {
    "on_site_visit": "上门核查",
    "safety_measure": "紧急安全措施",
    "police": "公安介入",
    "medical": "医疗救治",
}
INTERVENTIONS = {
    "entrusted_care": "委托照护（签订照护协议）",
    "parenting_education": "强制亲职教育",
    "revocation_support": "支持申请撤销监护人资格",
    "long_term_guardianship": "民政长期监护",
}
PLAN_KINDS = {
    "counselling": "心理疏导",
    "schooling": "就学保障",
    "medical": "医疗康复",
    "material": "物质帮扶",
    "other": "其他服务",
}


@dataclass
class Report:
    """One report about the child (the first opens the case, later ones are linked to it)."""

    id: str
    received_at: datetime
    source: str  # "12345" | "mandatory_reporter" | "monitoring"
    reporter_type: str
    content: str
    reporter_name: str | None = None
    reporter_contact: str | None = None
    work_order_id: str | None = None
    order_no: str | None = None


@dataclass
class PlanItem:
    """One line of the service plan (一人一清单)."""

    id: str
    kind: str
    description: str
    owner: str
    agency: str
    due_date: str
    status: str = "open"  # "open" | "done" | "cancelled"


@dataclass
class SkipRequest:
    """A request to jump ahead on the chain; only a supervisor's approval carries it out."""

    target: Stage
    reason: str
    requested_by: str
    requested_at: datetime


@dataclass
class Record:
    """A dated entry in the case: an emergency action, an assessment, an intervention, a follow-up…"""

    kind: str
    at: datetime
    by: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class HistoryEntry:
    at: datetime
    action: str
    stage: Stage
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Child:
    """Who the case is about, as reported (the ID number is held encrypted by the adapter)."""

    personkey: str
    name: str | None = None
    gender: str = "unknown"
    age: int | None = None
    id_number: str | None = None
    child_id: str | None = None


@dataclass
class Case:
    """A minor-protection case; every change goes through a method that checks the chain."""

    id: uuid.UUID
    case_ref: str
    region_code: str
    urgency: str
    child: Child
    opened_at: datetime
    stage: Stage = Stage.REPORTED
    stage_entered_at: datetime | None = None
    owner: str | None = None
    risk_colour: RiskColour | None = None
    reports: list[Report] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    plan: list[PlanItem] = field(default_factory=list)
    skip_request: SkipRequest | None = None
    temporary_guardianship: dict[str, Any] | None = None
    feedback: str | None = None
    closed_at: datetime | None = None
    step_due_at: datetime | None = None
    step_breached_at: datetime | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    version: int = 0
    events: list[ev.Event] = field(default_factory=list)

    # ---- helpers -------------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.stage not in TERMINAL

    @property
    def work_order_id(self) -> str | None:
        return next((r.work_order_id for r in self.reports if r.work_order_id), None)

    @property
    def order_no(self) -> str | None:
        return next((r.order_no for r in self.reports if r.order_no), None)

    def has_record(self, kind: str, **match: Any) -> bool:
        return any(r.kind == kind and all(r.data.get(k) == v for k, v in match.items()) for r in self.records)

    def _emit(self, event: ev.Event) -> None:
        self.events.append(replace(event, stage=self.stage.value))

    def _log(self, at: datetime, what: str, actor: str, **detail: Any) -> None:
        self.history.append(HistoryEntry(at, what, self.stage, actor, detail))

    def _require_stage(self, *stages: Stage, doing: str) -> None:
        if self.stage not in stages:
            allowed = "、".join(LABELS[s] for s in stages)
            raise InvalidTransition(f"案件当前处于“{LABELS[self.stage]}”，{doing}只能在“{allowed}”阶段进行")

    def _enter(self, target: Stage, at: datetime, actor: str, **detail: Any) -> None:
        previous = self.stage
        self.stage = target
        self.stage_entered_at = at
        self.skip_request = None
        self._log(at, "stage_changed", actor, previous=previous.value, **detail)
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

    # ---- 受理 / 不予受理 / 转介 ---------------------------------------------------------------------------
    def accept(self, at: datetime, actor: str) -> None:
        self._require_stage(Stage.REPORTED, doing="受理")
        self.owner = actor
        previous = self.stage
        self.stage, self.stage_entered_at = Stage.ACCEPTED, at
        self._log(at, "accepted", actor, previous=previous.value)
        self._emit(ev.Accepted(at, actor=actor))

    def decline(self, at: datetime, actor: str, reason: str, referred_to: str | None = None) -> None:
        self._require_stage(Stage.REPORTED, doing="不予受理或转介")
        if not reason.strip():
            raise MissingPrerequisite("请填写不予受理或转介的理由")
        self.stage = Stage.REFERRED if referred_to else Stage.DECLINED
        self.stage_entered_at = at
        self.closed_at = at
        self.feedback = reason
        self._log(
            at, "referred" if referred_to else "declined", actor, reason=reason, referred_to=referred_to
        )
        self._emit(ev.Declined(at, actor=actor, reason=reason, referred_to=referred_to))

    # ---- moving along the chain ------------------------------------------------------------------------
    def advance(self, target: Stage, at: datetime, actor: str) -> None:
        """Move to the next step, or back where allowed; a jump ahead needs an approved skip."""
        if target in BACKWARD.get(self.stage, frozenset()):
            self._enter(target, at, actor)
            return
        if position(self.stage) < position(Stage.ACCEPTED) or target in (Stage.REPORTED, Stage.ACCEPTED):
            raise InvalidTransition(
                f"案件当前处于“{LABELS[self.stage]}”，不能转到“{LABELS.get(target, target)}”"
            )
        if target == Stage.CLOSED:
            raise InvalidTransition("结案请使用“反馈并结案”，并填写反馈内容")
        if position(target) != position(self.stage) + 1:
            if position(target) > position(self.stage):
                raise ApprovalRequired("跳过环节需要填写理由并经督导（主管）审批")
            raise InvalidTransition(f"不能从“{LABELS[self.stage]}”回到“{LABELS.get(target, target)}”")
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

    def approve_skip(self, at: datetime, supervisor: str, *, feedback: str | None = None) -> None:
        """A supervisor approves the pending skip; skipping to closure still needs the feedback."""
        request = self.skip_request
        if request is None:
            raise InvalidTransition("没有待审批的跳过申请")
        skipped = tuple(s.value for s in skipped_between(self.stage, request.target))
        if request.target == Stage.CLOSED:
            self.close(
                at,
                supervisor,
                feedback or "",
                skipped=skipped,
                skip_reason=request.reason,
                approved_by=supervisor,
            )
            return
        self._enter(
            request.target,
            at,
            supervisor,
            skipped=skipped,
            skip_reason=request.reason,
            approved_by=supervisor,
            requested_by=request.requested_by,
        )

    def reject_skip(self, at: datetime, supervisor: str, reason: str) -> None:
        if self.skip_request is None:
            raise InvalidTransition("没有待审批的跳过申请")
        self._log(at, "skip_rejected", supervisor, target=self.skip_request.target.value, reason=reason)
        self.skip_request = None

    # ---- records inside steps --------------------------------------------------------------------------
    def record_emergency(self, action: str, note: str | None, at: datetime, actor: str) -> None:
        """应急处置: on-site visit (also the investigation after 受理), safety measure, police, medical."""
        if action not in EMERGENCY_ACTIONS:
            raise InvalidTransition("未知的应急处置措施")
        self._require_stage(Stage.ACCEPTED, Stage.EMERGENCY, doing="记录应急处置措施")
        self.records.append(Record("emergency", at, actor, {"action": action, "note": note}))
        self._log(at, "emergency_responded", actor, action=action, note=note)
        self._emit(ev.EmergencyResponded(at, actor=actor, action=action, note=note))

    def start_temporary_guardianship(
        self, institution: str, legal_basis: str, at: datetime, actor: str
    ) -> None:
        """临时监护 by the minor rescue-and-protection centre when the child is unsafe (MP-40..43)."""
        self._require_stage(
            Stage.ACCEPTED,
            Stage.EMERGENCY,
            Stage.ASSESSMENT,
            Stage.SUPPORT,
            Stage.INTERVENTION,
            doing="启动临时监护",
        )
        if self.temporary_guardianship is not None:
            raise InvalidTransition("临时监护已在进行中")
        if not institution.strip():
            raise MissingPrerequisite("请填写承担临时监护的机构")
        self.temporary_guardianship = {
            "institution": institution,
            "legal_basis": legal_basis,
            "started_at": at.isoformat(),
            "started_by": actor,
        }
        self._log(
            at, "temporary_guardianship_started", actor, institution=institution, legal_basis=legal_basis
        )
        self._emit(
            ev.TemporaryGuardianshipStarted(at, actor=actor, institution=institution, legal_basis=legal_basis)
        )

    def end_temporary_guardianship(self, outcome: str, at: datetime, actor: str) -> None:
        if self.temporary_guardianship is None:
            raise InvalidTransition("当前没有进行中的临时监护")
        self.records.append(
            Record(
                "temporary_guardianship",
                at,
                actor,
                {**self.temporary_guardianship, "ended_at": at.isoformat(), "outcome": outcome},
            )
        )
        self.temporary_guardianship = None
        self._log(at, "temporary_guardianship_ended", actor, outcome=outcome)
        self._emit(ev.TemporaryGuardianshipEnded(at, actor=actor, outcome=outcome))

    def assess(
        self,
        *,
        situation: str,
        capacity: str,
        risk_colour: RiskColour,
        findings: str,
        hardship: bool,
        at: datetime,
        actor: str,
    ) -> None:
        """评估: family guardianship situation and capacity (MP-44) and the risk colour."""
        self._require_stage(Stage.ASSESSMENT, doing="提交评估")
        if risk_colour not in RISK_LABELS:
            raise InvalidTransition("风险等级必须是红、黄、蓝、绿之一")
        if not situation.strip() or not capacity.strip():
            raise MissingPrerequisite("请填写家庭监护状况和监护能力评估")
        self.records.append(
            Record(
                "assessment",
                at,
                actor,
                {
                    "situation": situation,
                    "capacity": capacity,
                    "risk_colour": risk_colour,
                    "findings": findings,
                    "hardship": hardship,
                },
            )
        )
        self._log(at, "assessed", actor, risk_colour=risk_colour, hardship=hardship)
        self._emit(
            ev.Assessed(at, actor=actor, risk_colour=risk_colour, capacity=capacity, hardship=hardship)
        )
        self.set_risk(risk_colour, at, actor)
        if hardship:
            self._emit(ev.ReferralRequested(at, actor=actor, reason=findings or "家庭经济困难"))

    def set_risk(self, colour: RiskColour, at: datetime, actor: str) -> None:
        if colour == self.risk_colour:
            return
        previous, self.risk_colour = self.risk_colour, colour
        self._log(at, "risk_changed", actor, previous=previous, current=colour)
        self._emit(ev.RiskChanged(at, actor=actor, previous=previous, current=colour))

    def add_plan_item(self, item: PlanItem, at: datetime, actor: str) -> None:
        """帮扶: a service-plan line with owner, agency and due date."""
        self._require_stage(Stage.SUPPORT, Stage.INTERVENTION, doing="制定服务清单")
        if item.kind not in PLAN_KINDS:
            raise InvalidTransition("未知的服务类型")
        if not (item.description.strip() and item.owner.strip() and item.agency.strip() and item.due_date):
            raise MissingPrerequisite("服务项须填写内容、责任人、责任单位和完成时限")
        self.plan.append(item)
        self._plan_changed(at, actor, "plan_item_added", item_id=item.id, kind=item.kind)

    def set_plan_item_status(self, item_id: str, status: str, at: datetime, actor: str) -> None:
        item = next((i for i in self.plan if i.id == item_id), None)
        if item is None or status not in ("open", "done", "cancelled"):
            raise InvalidTransition("服务项不存在或状态无效")
        item.status = status
        self._plan_changed(at, actor, "plan_item_updated", item_id=item_id, status=status)

    def _plan_changed(self, at: datetime, actor: str, action: str, **detail: Any) -> None:
        self._log(at, action, actor, **detail)
        self._emit(
            ev.ServicePlanUpdated(
                at, actor=actor, items=len(self.plan), open_items=sum(i.status == "open" for i in self.plan)
            )
        )

    def record_intervention(
        self, kind: str, legal_basis: str, documents: str, note: str, at: datetime, actor: str
    ) -> None:
        """监护干预 with its legal basis and documents."""
        self._require_stage(Stage.INTERVENTION, doing="记录监护干预")
        if kind not in INTERVENTIONS:
            raise InvalidTransition("未知的监护干预类型")
        if not legal_basis.strip():
            raise MissingPrerequisite("请填写法律依据")
        self.records.append(
            Record(
                "intervention",
                at,
                actor,
                {"kind": kind, "legal_basis": legal_basis, "documents": documents, "note": note},
            )
        )
        self._log(at, "intervention_recorded", actor, kind=kind, legal_basis=legal_basis)
        self._emit(ev.InterventionRecorded(at, actor=actor, kind=kind, legal_basis=legal_basis))

    def note_hotline(self, kind: str, note: str | None, at: datetime) -> None:
        """补充 / 催办 / 撤单 from 12345 after the case opened: kept on the case for the caseworker."""
        self.records.append(Record(f"hotline_{kind}", at, "12345", {"note": note}))
        self._log(at, f"hotline_{kind}", "12345", note=note)

    # ---- deadlines ----------------------------------------------------------------------------------
    def breach_deadline(self, now: datetime) -> bool:
        """Record that the current step is overdue; True only the first time (one event per step)."""
        if (
            not self.is_open
            or self.step_due_at is None
            or self.step_breached_at is not None
            or now <= self.step_due_at
        ):
            return False
        self.step_breached_at = now
        self._log(
            now, "deadline_breached", "system", step=self.stage.value, due_at=self.step_due_at.isoformat()
        )
        self._emit(
            ev.DeadlineBreached(
                now, actor="system", step=self.stage.value, due_at=self.step_due_at, owner=self.owner
            )
        )
        return True

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
        self._enter(Stage.CLOSED, at, actor, **skip)
        self.feedback = feedback.strip()
        self.closed_at = at
        self._emit(ev.Closed(at, actor=actor, feedback=self.feedback))

    def record_follow_up(self, note: str, at: datetime, actor: str) -> None:
        """回访: follow-up visits after closure."""
        self._require_stage(Stage.CLOSED, doing="记录结案后回访")
        self.records.append(Record("follow_up", at, actor, {"note": note}))
        self._log(at, "follow_up", actor, note=note)

    def reopen(self, reason: str, at: datetime, actor: str) -> None:
        self._require_stage(Stage.CLOSED, doing="重新开启")
        if not reason.strip():
            raise MissingPrerequisite("请填写重新开启的理由")
        self.closed_at = None
        self._enter(Stage.ASSESSMENT, at, actor, reopened=True, reason=reason)
        self._emit(ev.Reopened(at, actor=actor, reason=reason))


__all__ = ["CHAIN", "Case", "Child", "PlanItem", "Record", "Report", "Stage"]
