"""The child's file (一人一档) in the register of children under watch: 监测预防 (MP-70..76).

One file per child (MP-71/72) with the categories the child falls in, the guardians, the entrusted
caregiver and the written care agreement (MP-73), the four-colour risk classification 红/黄/蓝/绿 with
its full history (MP-70), and the visits (child_visits.py).

The aggregate checks every rule and raises a domain error with a Chinese message; it never opens a
report itself: the methods tell the service layer when one is due (a missed visit, a risk raised during
a visit, a colour raised to red or yellow), and `report_opened` records the case that took it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from child_protection.domain import child_events as ev
from child_protection.domain import child_parts as check
from child_protection.domain.child_parts import (
    CareAgreement,
    Caregiver,
    ChildHistoryEntry,
    Guardian,
    RiskColour,
    RiskEntry,
    china_date,
)
from child_protection.domain.child_visits import ChildVisits, Visit, VisitPolicy
from child_protection.domain.errors import InvalidChildData, MissingPrerequisite

_ALERTS = (ev.RiskChanged, ev.VisitRecorded, ev.VisitMissed)


@dataclass
class ChildFile(ChildVisits):
    """A child's file in the register; every change goes through a method that checks the rules."""

    id: uuid.UUID
    personkey: str
    name: str
    gender: str
    birth_date: date
    region_code: str
    registered_at: datetime
    id_number: str | None = None
    address: str = ""
    categories: list[str] = field(default_factory=list)
    responsible: str = ""
    guardians: list[Guardian] = field(default_factory=list)
    caregiver: Caregiver | None = None
    agreement: CareAgreement | None = None
    risk_colour: RiskColour = "green"
    risk_history: list[RiskEntry] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    # Lines recorded since the file was loaded; the repository appends them to the stored history.
    history: list[ChildHistoryEntry] = field(default_factory=list)
    version: int = 0
    events: list[ev.ChildEvent] = field(default_factory=list)

    @property
    def flags(self) -> list[str]:
        """What needs attention: MP-73 for left-behind children, and a file without any guardian."""
        flags: list[str] = []
        if "left_behind" in self.categories:
            if self.caregiver is None:
                flags.append("caregiver_missing")
            if self.agreement is None or not self.agreement.signed:
                flags.append("agreement_missing")
        if not self.guardians:
            flags.append("no_guardian")
        return flags

    def age(self, on: datetime | date) -> int:
        return check.age_on(self.birth_date, china_date(on) if isinstance(on, datetime) else on)

    # ---- registering -----------------------------------------------------------------------------------
    @classmethod
    def register(
        cls,
        *,
        id: uuid.UUID,
        personkey: str,
        name: str,
        gender: str,
        birth_date: date | None,
        region_code: str,
        categories: Sequence[str],
        risk_colour: str,
        at: datetime,
        actor: str,
        policy: VisitPolicy,
        id_number: str | None = None,
        address: str = "",
        responsible: str = "",
        risk_reason: str = "",
        guardians: Sequence[Guardian] = (),
        caregiver: Caregiver | None = None,
        agreement: CareAgreement | None = None,
    ) -> ChildFile:
        """建档: a new file, its first colour in the history, and its first contact scheduled."""
        child = cls(
            id=id,
            personkey=personkey,
            name=check.text(name, "儿童姓名"),
            gender=check.gender(gender),
            birth_date=check.birth_date(birth_date, china_date(at)),
            region_code=check.region(region_code),
            registered_at=at,
            id_number=id_number,
            address=check.text(address, "住址", limit=200, required=False),
            categories=check.categories(categories),
            responsible=check.text(responsible, "负责人", required=False) or actor,
            guardians=check.guardians(guardians),
            caregiver=check.caregiver(caregiver) if caregiver else None,
        )
        colour = check.colour(risk_colour)
        if agreement is not None:
            child._check_agreement(agreement, at)
            child.agreement = agreement
        child.risk_colour = colour
        reason = check.text(risk_reason, "分级理由", limit=check.MAX_TEXT, required=False) or "建档时初始分级"
        child.risk_history.append(RiskEntry(colour, None, at, actor, reason))
        child._log(at, "registered", actor, categories=child.categories, risk_colour=colour)
        child._emit(ev.Registered(at, actor=actor))
        due, kind = child._next_visit(policy, china_date(at))
        child._add_visit(due, kind, child.responsible, at, actor, auto=True)
        return child

    # ---- the file's contents -------------------------------------------------------------------------
    def update_details(
        self,
        *,
        at: datetime,
        actor: str,
        policy: VisitPolicy,
        name: str | None = None,
        gender: str | None = None,
        birth_date: date | None = None,
        address: str | None = None,
        region_code: str | None = None,
        categories: Sequence[str] | None = None,
        responsible: str | None = None,
    ) -> list[str]:
        """Change the basic details; returns the fields that changed (nothing changed: no event)."""
        new: dict[str, Any] = {}
        if name is not None:
            new["name"] = check.text(name, "儿童姓名")
        if gender is not None:
            new["gender"] = check.gender(gender)
        if birth_date is not None:
            new["birth_date"] = check.birth_date(birth_date, china_date(at))
        if address is not None:
            new["address"] = check.text(address, "住址", limit=200, required=False)
        if region_code is not None:
            new["region_code"] = check.region(region_code)
        if categories is not None:
            new["categories"] = check.categories(categories)
        if responsible is not None:
            new["responsible"] = check.text(responsible, "负责人", required=False) or self.responsible
        changed = [k for k, v in new.items() if getattr(self, k) != v]
        if not changed:
            return []
        shown = ("categories", "region_code", "responsible", "gender", "birth_date")
        detail = {
            k: new[k].isoformat() if isinstance(new[k], date) else new[k] for k in changed if k in shown
        }
        for key in changed:
            setattr(self, key, new[key])
        self._updated(at, actor, changed, **detail)
        if "categories" in changed:
            self._keep_cadence(at, actor, policy)
        return changed

    def set_identity(self, personkey: str, id_number: str | None, at: datetime, actor: str) -> None:
        """A (new) ID number for the child, for example once a child without 户籍 is registered (MP-75)."""
        if id_number == self.id_number and personkey == self.personkey:
            return
        self.personkey = personkey
        self.id_number = id_number
        self._updated(at, actor, ["id_number"])

    def set_guardians(self, guardians: Sequence[Guardian], at: datetime, actor: str) -> None:
        """The guardians, as a whole list (one of them primary)."""
        cleaned = check.guardians(guardians)
        if cleaned == self.guardians:
            return
        self.guardians = cleaned
        self._updated(at, actor, ["guardians"], count=len(cleaned))

    def set_caregiver(self, caregiver: Caregiver | None, at: datetime, actor: str) -> None:
        """The entrusted caregiver; another caregiver needs a new written agreement (MP-73)."""
        cleaned = check.caregiver(caregiver) if caregiver is not None else None
        if cleaned == self.caregiver:
            return
        fields = ["caregiver"]
        same_person = (
            cleaned is not None and self.caregiver is not None and cleaned.name == self.caregiver.name
        )
        if self.agreement is not None and self.agreement.signed and not same_person:
            # The agreement was made with the previous caregiver: it no longer covers the child.
            self.agreement = CareAgreement(signed=False)
            fields.append("agreement")
        self.caregiver = cleaned
        self._updated(at, actor, fields, agreement_reset="agreement" in fields)

    def _check_agreement(self, agreement: CareAgreement, at: datetime) -> None:
        if not agreement.signed:
            return
        if self.caregiver is None:
            raise MissingPrerequisite("请先登记被委托照护人，再记录书面照护协议")
        if agreement.signed_date is None:
            raise MissingPrerequisite("请填写照护协议的签订日期")
        if agreement.signed_date > china_date(at):
            raise InvalidChildData("签订日期不能晚于今天")
        if not agreement.document_ref.strip():
            raise MissingPrerequisite("请填写照护协议的文书编号或存档位置")
        if len(agreement.document_ref) > 200:
            raise InvalidChildData("文书编号或存档位置不能超过 200 个字")

    def record_agreement(self, agreement: CareAgreement, at: datetime, actor: str) -> None:
        """书面照护协议: signed (with date and document) or recorded as not signed."""
        self._check_agreement(agreement, at)
        cleaned = (
            CareAgreement(True, agreement.signed_date, agreement.document_ref.strip())
            if agreement.signed
            else CareAgreement(signed=False)
        )
        if cleaned == self.agreement:
            return
        self.agreement = cleaned
        self._updated(at, actor, ["agreement"], signed=cleaned.signed)

    # ---- reports opened from monitoring -----------------------------------------------------------------
    def report_opened(
        self, case_id: uuid.UUID, case_ref: str, *, linked: bool, reason: str, at: datetime, actor: str
    ) -> None:
        """Note the case that took the report, on the file and on the events that called for it."""
        action = "report_linked" if linked else "report_opened"
        self._log(at, action, actor, case_id=str(case_id), case_ref=case_ref, reason=reason)
        calling = {
            e.visit_id
            for e in self.events
            if isinstance(e, ev.VisitRecorded | ev.VisitMissed) and e.alert and e.case_id is None
        }
        for visit in self.visits:
            if visit.id in calling:
                visit.case_id = case_id
        self.events = [
            replace(e, case_id=case_id) if isinstance(e, _ALERTS) and e.alert and e.case_id is None else e
            for e in self.events
        ]
