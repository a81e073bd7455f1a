"""What is recorded inside the steps of a case: emergency measures, temporary guardianship, the assessment,
the service plan and the guardianship intervention."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from child_protection.domain import case_events as ev
from child_protection.domain.case_parts import CaseBase, PlanItem, RiskColour, TemporaryGuardianship
from child_protection.domain.errors import InvalidTransition, MissingPrerequisite
from child_protection.domain.stages import Stage
from shared.contracts.labels import child_protection as labels

_WORKING = (Stage.ACCEPTED, Stage.EMERGENCY, Stage.ASSESSMENT, Stage.SUPPORT, Stage.INTERVENTION)


class CaseSteps(CaseBase):
    """The records of each step; every method checks the stage it belongs to."""

    risk_colour: RiskColour | None
    plan: list[PlanItem]
    temporary_guardianship: TemporaryGuardianship | None

    def record_emergency(self, action: str, note: str | None, at: datetime, actor: str) -> None:
        """应急处置: on-site visit (also the investigation after 受理), safety measure, police, medical."""
        if action not in labels.EMERGENCY_ACTIONS:
            raise InvalidTransition("未知的应急处置措施")
        self._require_stage(Stage.ACCEPTED, Stage.EMERGENCY, doing="记录应急处置措施")
        self._record("emergency", at, actor, action=action, note=note)
        self._log(at, "emergency_responded", actor, action=action, note=note)
        self._emit(ev.EmergencyResponded(at, actor=actor, action=action, note=note))

    def start_temporary_guardianship(
        self, institution: str, legal_basis: str, at: datetime, actor: str
    ) -> None:
        """临时监护 by the minor rescue-and-protection centre when the child is unsafe (MP-40..43)."""
        self._require_stage(*_WORKING, doing="启动临时监护")
        if self.temporary_guardianship is not None:
            raise InvalidTransition("临时监护已在进行中")
        if not institution.strip():
            raise MissingPrerequisite("请填写承担临时监护的机构")
        self.temporary_guardianship = TemporaryGuardianship(institution, legal_basis, at, actor)
        self._log(
            at, "temporary_guardianship_started", actor, institution=institution, legal_basis=legal_basis
        )
        self._emit(
            ev.TemporaryGuardianshipStarted(at, actor=actor, institution=institution, legal_basis=legal_basis)
        )

    def end_temporary_guardianship(self, outcome: str, at: datetime, actor: str) -> None:
        guardianship = self.temporary_guardianship
        if guardianship is None:
            raise InvalidTransition("当前没有进行中的临时监护")
        if not outcome.strip():
            raise MissingPrerequisite("请填写临时监护的结束情况")
        self._record(
            "temporary_guardianship",
            at,
            actor,
            institution=guardianship.institution,
            legal_basis=guardianship.legal_basis,
            started_at=guardianship.started_at,
            started_by=guardianship.started_by,
            ended_at=at,
            outcome=outcome,
        )
        self.temporary_guardianship = None
        self._log(at, "temporary_guardianship_ended", actor, outcome=outcome)
        self._emit(ev.TemporaryGuardianshipEnded(at, actor=actor, outcome=outcome))

    def assess(
        self,
        *,
        situation: str,
        capacity: str,
        risk_colour: str,
        findings: str,
        hardship: bool,
        at: datetime,
        actor: str,
    ) -> None:
        """评估: family guardianship situation and capacity (MP-44) and the risk colour."""
        self._require_stage(Stage.ASSESSMENT, doing="提交评估")
        if risk_colour not in labels.RISK:
            raise InvalidTransition("风险等级必须是红、黄、蓝、绿之一")
        colour = cast(RiskColour, risk_colour)
        if not situation.strip() or not capacity.strip():
            raise MissingPrerequisite("请填写家庭监护状况和监护能力评估")
        self._record(
            "assessment",
            at,
            actor,
            situation=situation,
            capacity=capacity,
            risk_colour=risk_colour,
            findings=findings,
            hardship=hardship,
        )
        self._log(at, "assessed", actor, risk_colour=risk_colour, hardship=hardship)
        self._emit(
            ev.Assessed(at, actor=actor, risk_colour=risk_colour, capacity=capacity, hardship=hardship)
        )
        self.set_risk(colour, at, actor)
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
        if item.kind not in labels.PLAN_KINDS:
            raise InvalidTransition("未知的服务类型")
        if not (item.description.strip() and item.owner.strip() and item.agency.strip()):
            raise MissingPrerequisite("服务项须填写内容、责任人、责任单位和完成时限")
        self.plan.append(item)
        self._plan_changed(at, actor, "plan_item_added", item_id=item.id, kind=item.kind)

    def set_plan_item_status(self, item_id: str, status: str, at: datetime, actor: str) -> None:
        if not self.is_open:
            raise InvalidTransition("案件已结束，不能再修改服务清单")
        item = next((i for i in self.plan if i.id == item_id), None)
        if item is None or status not in labels.PLAN_STATUS:
            raise InvalidTransition("服务项不存在或状态无效")
        item.status = status
        self._plan_changed(at, actor, "plan_item_updated", item_id=item_id, status=status)

    def _plan_changed(self, at: datetime, actor: str, action: str, **detail: str) -> None:
        self._log(at, action, actor, **detail)
        open_items = sum(i.status == "open" for i in self.plan)
        self._emit(ev.ServicePlanUpdated(at, actor=actor, items=len(self.plan), open_items=open_items))

    def record_intervention(
        self, kind: str, legal_basis: str, documents: str, note: str, at: datetime, actor: str
    ) -> None:
        """监护干预 with its legal basis and documents."""
        self._require_stage(Stage.INTERVENTION, doing="记录监护干预")
        if kind not in labels.INTERVENTIONS:
            raise InvalidTransition("未知的监护干预类型")
        if not legal_basis.strip():
            raise MissingPrerequisite("请填写法律依据")
        self._record(
            "intervention", at, actor, kind=kind, legal_basis=legal_basis, documents=documents, note=note
        )
        self._log(at, "intervention_recorded", actor, kind=kind, legal_basis=legal_basis)
        self._emit(ev.InterventionRecorded(at, actor=actor, kind=kind, legal_basis=legal_basis))
