"""Commands on the register of children under watch: files, guardians, care, risk colour, 走访."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from child_protection.domain.case_commands import Actor
from child_protection.domain.child_parts import CareAgreement, Caregiver, Guardian
from shared.kit.commands import Command


@dataclass(frozen=True, kw_only=True)
class ChildCommand(Command):
    """A caseworker's change to one register file."""

    child_id: uuid.UUID
    actor: Actor


# ---- the register --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class RegisterChild(Command):
    """建档: one file per child."""

    actor: Actor
    name: str
    region_code: str
    categories: tuple[str, ...]
    risk_colour: str
    gender: str = "unknown"
    birth_date: date | None = None
    id_number: str | None = None
    address: str = ""
    responsible: str = ""
    risk_reason: str = ""
    guardians: tuple[Guardian, ...] = ()
    caregiver: Caregiver | None = None
    agreement: CareAgreement | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateChildDetails(ChildCommand):
    """Changes to the basic details; None leaves a field as it is."""

    name: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    id_number: str | None = None
    address: str | None = None
    region_code: str | None = None
    categories: tuple[str, ...] | None = None
    responsible: str | None = None


@dataclass(frozen=True, kw_only=True)
class SetGuardians(ChildCommand):
    guardians: tuple[Guardian, ...]


@dataclass(frozen=True, kw_only=True)
class SetCaregiver(ChildCommand):
    caregiver: Caregiver | None


@dataclass(frozen=True, kw_only=True)
class RecordCareAgreement(ChildCommand):
    agreement: CareAgreement


@dataclass(frozen=True, kw_only=True)
class ChangeChildRisk(ChildCommand):
    """A new colour; a rise to red or yellow opens a report."""

    colour: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ScheduleVisit(ChildCommand):
    due_date: date
    visit_type: str = "home"
    assigned_to: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordVisit(ChildCommand):
    """走访 recorded; `visit_id` None records an unplanned one."""

    visited_on: date
    notes: str
    visit_id: uuid.UUID | None = None
    visit_type: str | None = None
    risk_raised: bool = False
    risk_colour: str | None = None
    risk_reason: str = ""


@dataclass(frozen=True, kw_only=True)
class MarkMissedVisits(Command):
    """The missed-visit scan of one child: visits past their day become missed and open one report."""

    child_id: uuid.UUID
    now: datetime
