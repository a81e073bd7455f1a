"""Request bodies of the register API (监测预防, 一人一档); the register pages parse their forms into the
same models, so both validate alike and issue the same commands."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from child_protection.domain import commands
from child_protection.domain.child_parts import CareAgreement, Caregiver, Guardian
from child_protection.domain.commands import Actor

Category = Literal["left_behind", "in_difficulty", "orphan", "de_facto_unsupported", "disabled", "other"]
Colour = Literal["red", "yellow", "blue", "green"]
Gender = Literal["male", "female", "unknown"]
VisitType = Literal["home", "phone"]
Flag = Literal["agreement_missing", "caregiver_missing", "no_guardian"]
RegionCode = Annotated[str, Field(pattern=r"^[0-9]{6}([0-9]{3}){0,2}$")]


class Body(BaseModel):
    """Unknown fields are refused; surrounding blanks are dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GuardianIn(Body):
    """A guardian (监护人); exactly one of a child's guardians is primary."""

    name: str = Field(min_length=1, max_length=50)
    relation: str = Field(min_length=1, max_length=20, description="与儿童关系，如 父亲、母亲、祖母")
    phone: str = Field(default="", max_length=20)
    is_primary: bool = False
    working_away: bool = Field(default=False, description="外出务工（留守儿童的父母）")

    def value(self) -> Guardian:
        return Guardian(self.name, self.relation, self.phone, self.is_primary, self.working_away)


class CaregiverIn(Body):
    """The entrusted caregiver (被委托照护人, MP-73)."""

    name: str = Field(min_length=1, max_length=50)
    relation: str = Field(min_length=1, max_length=20)
    phone: str = Field(default="", max_length=20)

    def value(self) -> Caregiver:
        return Caregiver(self.name, self.relation, self.phone)


class AgreementIn(Body):
    """The written care agreement (书面照护协议); signed needs the date and the document reference."""

    signed: bool
    signed_date: date | None = None
    document_ref: str = Field(default="", max_length=200, description="文书编号或存档位置")

    def value(self) -> CareAgreement:
        return CareAgreement(self.signed, self.signed_date, self.document_ref)

    def command(self, child_id: uuid.UUID, actor: Actor) -> commands.RecordCareAgreement:
        return commands.RecordCareAgreement(child_id=child_id, actor=actor, agreement=self.value())


class ChildFileIn(Body):
    """A new file (建档). Birth date and gender may come from a valid ID number; an invalid one is refused."""

    name: str = Field(min_length=1, max_length=50)
    gender: Gender = "unknown"
    birth_date: date | None = None
    id_number: str | None = Field(
        default=None, max_length=32, description="身份证号（加密保存，仅显示脱敏号码）"
    )
    region_code: RegionCode = Field(description="村（居）、乡镇（街道）或区县行政区划代码")
    address: str = Field(default="", max_length=200)
    categories: list[Category] = Field(min_length=1)
    risk_colour: Colour = Field(description="四色分级：red 红、yellow 黄、blue 蓝、green 绿")
    risk_reason: str = Field(default="", max_length=2000)
    responsible: str = Field(default="", max_length=50, description="负责的儿童主任；默认为建档人")
    guardians: list[GuardianIn] = Field(default=[], max_length=10)
    caregiver: CaregiverIn | None = None
    agreement: AgreementIn | None = None

    def command(self, actor: Actor) -> commands.RegisterChild:
        return commands.RegisterChild(
            actor=actor,
            name=self.name,
            gender=self.gender,
            birth_date=self.birth_date,
            id_number=self.id_number,
            region_code=self.region_code,
            address=self.address,
            categories=tuple(self.categories),
            risk_colour=self.risk_colour,
            risk_reason=self.risk_reason,
            responsible=self.responsible,
            guardians=tuple(g.value() for g in self.guardians),
            caregiver=self.caregiver.value() if self.caregiver else None,
            agreement=self.agreement.value() if self.agreement else None,
        )


class DetailsIn(Body):
    """Changes to the basic details; fields left out stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=50)
    gender: Gender | None = None
    birth_date: date | None = None
    id_number: str | None = Field(default=None, max_length=32)
    region_code: RegionCode | None = None
    address: str | None = Field(default=None, max_length=200)
    categories: list[Category] | None = Field(default=None, min_length=1)
    responsible: str | None = Field(default=None, max_length=50)

    def command(self, child_id: uuid.UUID, actor: Actor) -> commands.UpdateChildDetails:
        return commands.UpdateChildDetails(
            child_id=child_id,
            actor=actor,
            name=self.name,
            gender=self.gender,
            birth_date=self.birth_date,
            id_number=self.id_number,
            address=self.address,
            region_code=self.region_code,
            categories=tuple(self.categories) if self.categories is not None else None,
            responsible=self.responsible,
        )


class GuardiansIn(Body):
    """The whole list of guardians (replaces the current one)."""

    guardians: list[GuardianIn] = Field(max_length=10)

    def command(self, child_id: uuid.UUID, actor: Actor) -> commands.SetGuardians:
        return commands.SetGuardians(
            child_id=child_id, actor=actor, guardians=tuple(g.value() for g in self.guardians)
        )


class CaregiverUpdateIn(Body):
    """The entrusted caregiver, or null to remove; another caregiver voids a signed agreement."""

    caregiver: CaregiverIn | None

    def command(self, child_id: uuid.UUID, actor: Actor) -> commands.SetCaregiver:
        caregiver = self.caregiver.value() if self.caregiver else None
        return commands.SetCaregiver(child_id=child_id, actor=actor, caregiver=caregiver)


class RiskIn(Body):
    """A change of the four-colour classification; a rise to red or yellow opens a report."""

    colour: Colour
    reason: str = Field(min_length=1, max_length=2000)

    def command(self, child_id: uuid.UUID, actor: Actor) -> commands.ChangeChildRisk:
        return commands.ChangeChildRisk(
            child_id=child_id, actor=actor, colour=self.colour, reason=self.reason
        )


class VisitIn(Body):
    """A 走访 planned by hand (visits are also scheduled automatically by colour and category)."""

    due_date: date
    visit_type: VisitType = "home"
    assigned_to: str = Field(default="", max_length=50, description="默认为档案负责人")
    note: str = Field(default="", max_length=2000)

    def command(self, child_id: uuid.UUID, actor: Actor) -> commands.ScheduleVisit:
        return commands.ScheduleVisit(
            child_id=child_id,
            actor=actor,
            due_date=self.due_date,
            visit_type=self.visit_type,
            assigned_to=self.assigned_to,
            note=self.note,
        )


class VisitRecordIn(Body):
    """What the 走访 found; `risk_raised` (or a colour raised to red/yellow) opens a report."""

    visited_on: date
    notes: str = Field(min_length=1, max_length=2000)
    visit_type: VisitType | None = None
    risk_raised: bool = False
    risk_colour: Colour | None = Field(default=None, description="走访后调整的风险等级（可选）")
    risk_reason: str = Field(default="", max_length=2000)

    def command(self, child_id: uuid.UUID, actor: Actor, visit_id: uuid.UUID | None) -> commands.RecordVisit:
        return commands.RecordVisit(
            child_id=child_id,
            actor=actor,
            visit_id=visit_id,
            visited_on=self.visited_on,
            notes=self.notes,
            visit_type=self.visit_type,
            risk_raised=self.risk_raised,
            risk_colour=self.risk_colour,
            risk_reason=self.risk_reason,
        )
