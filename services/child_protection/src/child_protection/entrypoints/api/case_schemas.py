"""Request and response bodies of the case API: one request model per action (pages parse their forms
into the same models, so both validate alike and issue the same commands)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from child_protection.domain import commands
from child_protection.domain.commands import Actor
from child_protection.domain.stages import Stage

Urgency = Literal["normal", "urgent", "critical"]
Gender = Literal["male", "female", "unknown"]
RiskColour = Literal["red", "yellow", "blue", "green"]
# Reporter types of a report entered by hand (labels.REPORTER_TYPES without 12345 and monitoring).
HandReporterType = Literal[
    "school", "hospital", "police", "village_committee", "child_director", "family", "public", "other"
]
EmergencyAction = Literal["on_site_visit", "safety_measure", "police", "medical"]
InterventionKind = Literal[
    "entrusted_care", "parenting_education", "revocation_support", "long_term_guardianship"
]
PlanKind = Literal["counselling", "schooling", "medical", "material", "other"]
PlanStatus = Literal["open", "done", "cancelled"]


class Body(BaseModel):
    """Unknown fields are refused; surrounding blanks are dropped (a blank required field is missing)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _text(limit: int, description: str | None = None) -> Any:
    return Field(min_length=1, max_length=limit, description=description)


class ChildIn(Body):
    name: str | None = Field(default=None, max_length=50)
    id_number: str | None = Field(default=None, max_length=32, description="身份证号（选填，加密保存）")
    gender: Gender = "unknown"
    age: int | None = Field(default=None, ge=0, le=17)


class ReportIn(Body):
    """发现报告 entered by hand: 强制报告 from school, hospital, police, 村（居）委会 or 儿童主任;
    群众报告 from family members, the public and others."""

    region_code: str = Field(pattern=r"^[0-9]{6}([0-9]{3}){0,2}$")
    urgency: Urgency = "normal"
    reporter_type: HandReporterType
    reporter_name: str | None = Field(default=None, max_length=50)
    reporter_contact: str | None = Field(default=None, max_length=64)
    content: str = _text(20000)
    child: ChildIn

    def command(self, actor: Actor) -> commands.ReportCase:
        return commands.ReportCase(
            actor=actor,
            region_code=self.region_code,
            urgency=self.urgency,
            reporter_type=self.reporter_type,
            content=self.content,
            reporter_name=self.reporter_name,
            reporter_contact=self.reporter_contact,
            child_name=self.child.name,
            child_gender=self.child.gender,
            child_age=self.child.age,
            child_id_number=self.child.id_number,
        )


class ActionIn(Body):
    """The body of one action on a case."""

    # Only a 审核人 (or an admin) may carry out the action.
    SUPERVISOR_ONLY: ClassVar[bool] = False

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        raise NotImplementedError


class AcceptIn(ActionIn):
    """受理: the caller takes the case (no fields)."""

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.AcceptCase(case_id=case_id, actor=actor)


class DeclineIn(ActionIn):
    reason: str = _text(2000, "不予受理理由")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.DeclineCase(case_id=case_id, actor=actor, reason=self.reason)


class ReferIn(ActionIn):
    """转介: the receiving agency is required (12345 is told where the matter went)."""

    referred_to: str = _text(100, "转介单位")
    reason: str = _text(2000, "转介理由")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.ReferCase(
            case_id=case_id, actor=actor, referred_to=self.referred_to, reason=self.reason
        )


class AdvanceIn(ActionIn):
    target: Stage = Field(description="下一环节（或监护干预退回帮扶）")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.AdvanceCase(case_id=case_id, actor=actor, target=self.target)


class SkipRequestIn(ActionIn):
    target: Stage = Field(description="跳转到的环节（至少跳过一个环节）")
    reason: str = _text(2000, "跳过理由")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.RequestSkip(case_id=case_id, actor=actor, target=self.target, reason=self.reason)


class SkipApprovalIn(ActionIn):
    SUPERVISOR_ONLY = True
    feedback: str | None = Field(
        default=None, max_length=5000, description="跳过至结案时必填：向报告人的反馈"
    )

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.ApproveSkip(case_id=case_id, actor=actor, feedback=self.feedback)


class SkipRejectionIn(ActionIn):
    SUPERVISOR_ONLY = True
    reason: str = _text(2000, "驳回理由")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.RejectSkip(case_id=case_id, actor=actor, reason=self.reason)


class EmergencyIn(ActionIn):
    action: EmergencyAction = Field(description="处置措施")
    note: str | None = Field(default=None, max_length=5000, description="情况说明")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.RecordEmergency(case_id=case_id, actor=actor, action=self.action, note=self.note)


class GuardianshipStartIn(ActionIn):
    institution: str = _text(100, "承担临时监护的机构")
    legal_basis: str = Field(default="", max_length=200, description="临时监护法律依据")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.StartTemporaryGuardianship(
            case_id=case_id, actor=actor, institution=self.institution, legal_basis=self.legal_basis
        )


class GuardianshipEndIn(ActionIn):
    outcome: str = _text(200, "结束情况")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.EndTemporaryGuardianship(case_id=case_id, actor=actor, outcome=self.outcome)


class AssessmentIn(ActionIn):
    situation: str = _text(5000, "家庭监护状况")
    capacity: str = _text(5000, "监护能力评估")
    risk_colour: RiskColour = Field(description="风险等级")
    findings: str = Field(default="", max_length=5000, description="评估发现")
    hardship: bool = Field(default=False, description="家庭经济困难，需转介社会救助")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.AssessCase(
            case_id=case_id,
            actor=actor,
            situation=self.situation,
            capacity=self.capacity,
            risk_colour=self.risk_colour,
            findings=self.findings,
            hardship=self.hardship,
        )


class PlanItemIn(ActionIn):
    kind: PlanKind = Field(description="服务类型")
    description: str = _text(500, "服务内容")
    owner: str = _text(50, "责任人")
    agency: str = _text(100, "责任单位")
    due_date: date = Field(description="完成时限")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.AddPlanItem(
            case_id=case_id,
            actor=actor,
            kind=self.kind,
            description=self.description,
            owner=self.owner,
            agency=self.agency,
            due_date=self.due_date,
        )


class PlanItemStatusIn(Body):
    """The status of one service-plan line (the line is named in the path)."""

    status: PlanStatus = Field(description="服务项状态")

    def command(self, case_id: uuid.UUID, actor: Actor, item_id: str) -> commands.CaseCommand:
        return commands.SetPlanItemStatus(case_id=case_id, actor=actor, item_id=item_id, status=self.status)


class InterventionIn(ActionIn):
    kind: InterventionKind = Field(description="干预类型")
    legal_basis: str = _text(200, "法律依据")
    documents: str = Field(default="", max_length=200, description="文书")
    note: str = Field(default="", max_length=5000, description="干预说明")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.RecordIntervention(
            case_id=case_id,
            actor=actor,
            kind=self.kind,
            legal_basis=self.legal_basis,
            documents=self.documents,
            note=self.note,
        )


class CloseIn(ActionIn):
    feedback: str = _text(5000, "向报告人的反馈（12345 转来的案件即办结回复）")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.CloseCase(case_id=case_id, actor=actor, feedback=self.feedback)


class FollowUpIn(ActionIn):
    note: str = _text(2000, "回访情况")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.RecordFollowUp(case_id=case_id, actor=actor, note=self.note)


class ReopenIn(ActionIn):
    reason: str = _text(2000, "重新办理理由")

    def command(self, case_id: uuid.UUID, actor: Actor) -> commands.CaseCommand:
        return commands.ReopenCase(case_id=case_id, actor=actor, reason=self.reason)


# Each action's path under /cases/{case}/ (the API's and the pages' alike) and its body.
ACTIONS: dict[str, type[ActionIn]] = {
    "accept": AcceptIn,
    "decline": DeclineIn,
    "refer": ReferIn,
    "advance": AdvanceIn,
    "skip-request": SkipRequestIn,
    "skip-request/approve": SkipApprovalIn,
    "skip-request/reject": SkipRejectionIn,
    "emergency-responses": EmergencyIn,
    "temporary-guardianship": GuardianshipStartIn,
    "temporary-guardianship/end": GuardianshipEndIn,
    "assessments": AssessmentIn,
    "plan-items": PlanItemIn,
    "interventions": InterventionIn,
    "close": CloseIn,
    "follow-ups": FollowUpIn,
    "reopen": ReopenIn,
}


class ReportOut(BaseModel):
    case_id: uuid.UUID
    case_ref: str
    stage: str
    linked: bool = Field(description="该儿童已有办理中的案件，本次报告已并入该案件")


class CaseChangeOut(BaseModel):
    """The case after an action."""

    case_id: uuid.UUID
    case_ref: str
    stage: str
    step_due_at: datetime | None


class RevealIn(Body):
    """Why the full ID number is needed (kept in the access log, with ID and phone numbers masked)."""

    reason: str = Field(min_length=2, max_length=200)
