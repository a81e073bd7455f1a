"""The child's file (一人一档) in the register of children under watch: 监测预防 (MP-70..76).

One file per child (MP-71/72) with the categories the child falls in, the guardians, the entrusted
caregiver and the written care agreement (MP-73), the four-colour risk classification 红/黄/蓝/绿 with
its full history (MP-70), and the visits: scheduled, done or missed. Contacts follow a cadence by colour
(`VisitPolicy`), and a left-behind child is contacted at least weekly (MP-74).

The aggregate checks every rule and raises a domain error with a Chinese message; it never opens a
report itself: the methods tell the service layer when one is due (a missed visit, a risk raised during
a visit, a colour raised to red or yellow), and `report_opened` records the case that took it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from child_protection.domain.deadlines import CHINA
from child_protection.domain.errors import ChildProtectionError, InvalidTransition, MissingPrerequisite
from child_protection.domain.model import RISK_LABELS, RiskColour
from shared.regions import is_region_code

CATEGORIES: dict[str, str] = {
    "left_behind": "留守儿童",
    "in_difficulty": "困境儿童",
    "orphan": "孤儿",
    "de_facto_unsupported": "事实无人抚养儿童",
    "disabled": "残疾儿童",
    "other": "其他",
}
GENDERS: dict[str, str] = {"male": "男", "female": "女", "unknown": "未知"}
VISIT_TYPES: dict[str, str] = {"home": "家访", "phone": "电话联系"}
VISIT_STATUS: dict[str, str] = {"scheduled": "待访视", "done": "已访视", "missed": "逾期未访"}
FLAGS: dict[str, str] = {
    "agreement_missing": "留守儿童未签订书面照护协议",
    "caregiver_missing": "留守儿童未确定被委托照护人",
    "no_guardian": "未登记监护人",
}
# Most severe first; a change towards 0 is a rise in risk.
RISK_RANK: dict[str, int] = {"red": 0, "yellow": 1, "blue": 2, "green": 3}
ALERT_COLOURS = frozenset({"red", "yellow"})
ADULT_AGE = 18
MAX_NAME = 50
MAX_TEXT = 2000
MAX_GUARDIANS = 10

VisitType = Literal["home", "phone"]
VisitStatus = Literal["scheduled", "done", "missed"]


class InvalidChildData(ChildProtectionError):
    """A value of the child's file is not acceptable (a bad date, an unknown category…)."""


class AlreadyRegistered(ChildProtectionError):
    """One file per child: the child (same person key) already has a file."""

    def __init__(self, message: str, child_id: uuid.UUID, region_code: str) -> None:
        super().__init__(message)
        self.child_id = child_id
        self.region_code = region_code


def china_date(moment: datetime) -> date:
    """The calendar day in China of an instant (visits are due on China days)."""
    return moment.astimezone(CHINA).date()


def end_of_day(day: date) -> datetime:
    """The first instant after `day` ends in China: a visit due on `day` is missed from then on."""
    return datetime.combine(day + timedelta(days=1), time.min, CHINA)


@dataclass(frozen=True)
class VisitPolicy:
    """How often a child is contacted (settings `visit_interval_days`, `left_behind_contact_days`…)."""

    interval_days: Mapping[str, int] = field(
        default_factory=lambda: {"red": 7, "yellow": 14, "blue": 30, "green": 90}
    )
    left_behind_contact_days: int = 7
    missed_retry_days: int = 3

    def colour_days(self, colour: str) -> int:
        return max(1, int(self.interval_days.get(colour, 30)))

    def cadence(self, child: ChildFile) -> int:
        """Days between two contacts: the colour's, at most weekly for a left-behind child (MP-74)."""
        days = self.colour_days(child.risk_colour)
        if "left_behind" in child.categories:
            days = min(days, max(1, self.left_behind_contact_days))
        return days

    def next_visit(self, child: ChildFile, base: date) -> tuple[date, VisitType]:
        """The next contact after `base`: a home visit at the colour's cadence, phone calls in between."""
        due = base + timedelta(days=self.cadence(child))
        last_home = child.last_home_visit()
        colour_days = self.colour_days(child.risk_colour)
        visit_type: VisitType = (
            "home" if last_home is None or (due - last_home).days >= colour_days else "phone"
        )
        return due, visit_type


# ---- parts of the file -------------------------------------------------------------------------------


@dataclass
class Guardian:
    """A guardian (监护人): parents first; `working_away` marks a parent working away from home."""

    name: str
    relation: str
    phone: str = ""
    is_primary: bool = False
    working_away: bool = False


@dataclass
class Caregiver:
    """The entrusted caregiver (被委托照护人) of a left-behind child (MP-73)."""

    name: str
    relation: str
    phone: str = ""


@dataclass
class CareAgreement:
    """The written care agreement (书面照护协议) between the parents and the entrusted caregiver."""

    signed: bool
    signed_date: date | None = None
    document_ref: str = ""


@dataclass
class RiskEntry:
    """One step of the four-colour history: who set which colour, when and why."""

    colour: RiskColour
    previous: RiskColour | None
    at: datetime
    by: str
    reason: str


@dataclass
class Visit:
    """A home visit (家访) or phone contact (电话联系): scheduled, then done or missed."""

    id: uuid.UUID
    due_date: date
    visit_type: VisitType
    assigned_to: str
    scheduled_at: datetime
    scheduled_by: str
    status: VisitStatus = "scheduled"
    auto: bool = False
    note: str = ""
    visited_on: date | None = None
    recorded_at: datetime | None = None
    recorded_by: str | None = None
    notes: str = ""
    risk_raised: bool = False
    missed_at: datetime | None = None
    case_id: uuid.UUID | None = None

    def overdue(self, now: datetime) -> bool:
        return self.status == "scheduled" and now >= end_of_day(self.due_date)


@dataclass
class ChildHistoryEntry:
    at: datetime
    action: str
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)


# ---- events (mapped to child_protection.child.v1 in service_layer/outgoing.py) ---------------------


@dataclass(frozen=True)
class ChildEvent:
    at: datetime
    actor: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class Registered(ChildEvent):
    pass


@dataclass(frozen=True)
class Updated(ChildEvent):
    fields: tuple[str, ...]


@dataclass(frozen=True)
class RiskChanged(ChildEvent):
    previous: RiskColour | None
    current: RiskColour
    reason: str
    alert: bool = False
    case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class VisitScheduled(ChildEvent):
    visit_id: uuid.UUID
    due_date: date
    visit_type: str


@dataclass(frozen=True)
class VisitRecorded(ChildEvent):
    visit_id: uuid.UUID
    visit_type: str
    risk_raised: bool
    alert: bool = False
    case_id: uuid.UUID | None = None


@dataclass(frozen=True)
class VisitMissed(ChildEvent):
    visit_id: uuid.UUID
    due_date: date
    alert: bool = True
    case_id: uuid.UUID | None = None


# ---- checks ------------------------------------------------------------------------------------------


def _text(value: str | None, label: str, *, limit: int = MAX_NAME, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise MissingPrerequisite(f"请填写{label}")
    if len(text) > limit:
        raise InvalidChildData(f"{label}不能超过 {limit} 个字")
    return text


def _phone(value: str | None) -> str:
    phone = (value or "").strip()
    if phone and (len(phone) > 20 or not all(c.isdigit() or c in "+- " for c in phone)):
        raise InvalidChildData("联系电话只能包含数字、空格、“+”和“-”，最多 20 位")
    return phone


def _categories(values: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(v for v in values if v))
    if not chosen:
        raise MissingPrerequisite("请至少选择一个儿童类别")
    unknown = [v for v in chosen if v not in CATEGORIES]
    if unknown:
        raise InvalidChildData(f"未知的儿童类别：{'、'.join(unknown)}")
    return [c for c in CATEGORIES if c in chosen]


def _colour(value: str) -> RiskColour:
    if value not in RISK_LABELS:
        raise InvalidChildData("风险等级必须是红、黄、蓝、绿之一")
    return value  # type: ignore[return-value]


def _region(value: str) -> str:
    code = value.strip()
    if not is_region_code(code):
        raise InvalidChildData("行政区划代码应为 6 位（区县）、9 位（乡镇街道）或 12 位（村居）数字")
    return code


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _birth_date(value: date | None, today: date) -> date:
    if value is None:
        raise MissingPrerequisite("请填写出生日期（或有效的身份证号）")
    if value > today:
        raise InvalidChildData("出生日期不能晚于今天")
    if age_on(value, today) >= ADULT_AGE:
        raise InvalidChildData("已满 18 周岁，不属于未成年人，不能登记到儿童名册")
    return value


def _guardians(guardians: Sequence[Guardian]) -> list[Guardian]:
    cleaned = [
        Guardian(
            name=_text(g.name, "监护人姓名"),
            relation=_text(g.relation, "与儿童关系", limit=20),
            phone=_phone(g.phone),
            is_primary=bool(g.is_primary),
            working_away=bool(g.working_away),
        )
        for g in guardians
    ]
    if len(cleaned) > MAX_GUARDIANS:
        raise InvalidChildData(f"监护人最多登记 {MAX_GUARDIANS} 位")
    primaries = sum(g.is_primary for g in cleaned)
    if cleaned and primaries != 1:
        raise InvalidChildData("请指定且只指定一位主要监护人")
    return cleaned


def _caregiver(caregiver: Caregiver) -> Caregiver:
    return Caregiver(
        name=_text(caregiver.name, "被委托照护人姓名"),
        relation=_text(caregiver.relation, "被委托照护人与儿童关系", limit=20),
        phone=_phone(caregiver.phone),
    )


# ---- the aggregate ------------------------------------------------------------------------------------


@dataclass
class ChildFile:
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
    history: list[ChildHistoryEntry] = field(default_factory=list)
    version: int = 0
    events: list[ChildEvent] = field(default_factory=list)

    # ---- reading -------------------------------------------------------------------------------------
    @property
    def is_left_behind(self) -> bool:
        return "left_behind" in self.categories

    @property
    def flags(self) -> list[str]:
        """What needs attention: MP-73 for left-behind children, and a file without any guardian."""
        flags: list[str] = []
        if self.is_left_behind:
            if self.caregiver is None:
                flags.append("caregiver_missing")
            if self.agreement is None or not self.agreement.signed:
                flags.append("agreement_missing")
        if not self.guardians:
            flags.append("no_guardian")
        return flags

    def age(self, on: datetime | date) -> int:
        day = china_date(on) if isinstance(on, datetime) else on
        return age_on(self.birth_date, day)

    def open_visits(self) -> list[Visit]:
        return sorted((v for v in self.visits if v.status == "scheduled"), key=lambda v: v.due_date)

    def last_home_visit(self) -> date | None:
        done = [v.visited_on for v in self.visits if v.status == "done" and v.visit_type == "home"]
        return max((d for d in done if d is not None), default=None)

    def visit(self, visit_id: uuid.UUID) -> Visit:
        found = next((v for v in self.visits if v.id == visit_id), None)
        if found is None:
            raise InvalidTransition("该访视不存在")
        return found

    # ---- helpers -------------------------------------------------------------------------------------
    def _log(self, at: datetime, action: str, actor: str, **detail: Any) -> None:
        self.history.append(ChildHistoryEntry(at, action, actor, detail))

    def _emit(self, event: ChildEvent) -> None:
        self.events.append(event)

    def _updated(self, at: datetime, actor: str, fields: Sequence[str], **detail: Any) -> None:
        self._log(at, "updated", actor, fields=list(fields), **detail)
        self._emit(Updated(at, actor=actor, fields=tuple(fields)))

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
        if gender not in GENDERS:
            raise InvalidChildData("性别应为男、女或未知")
        child = cls(
            id=id,
            personkey=personkey,
            name=_text(name, "儿童姓名"),
            gender=gender,
            birth_date=_birth_date(birth_date, china_date(at)),
            region_code=_region(region_code),
            registered_at=at,
            id_number=id_number,
            address=_text(address, "住址", limit=200, required=False),
            categories=_categories(categories),
            responsible=_text(responsible, "负责人", required=False) or actor,
            guardians=_guardians(guardians),
            caregiver=_caregiver(caregiver) if caregiver else None,
        )
        colour = _colour(risk_colour)
        if agreement is not None:
            child._check_agreement(agreement, at)
            child.agreement = agreement
        child.risk_colour = colour
        reason = _text(risk_reason, "分级理由", limit=MAX_TEXT, required=False) or "建档时初始分级"
        child.risk_history.append(RiskEntry(colour, None, at, actor, reason))
        child._log(at, "registered", actor, categories=child.categories, risk_colour=colour)
        child._emit(Registered(at, actor=actor))
        due, visit_type = policy.next_visit(child, china_date(at))
        child._add_visit(due, visit_type, child.responsible, at, actor, auto=True)
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
            new["name"] = _text(name, "儿童姓名")
        if gender is not None:
            if gender not in GENDERS:
                raise InvalidChildData("性别应为男、女或未知")
            new["gender"] = gender
        if birth_date is not None:
            new["birth_date"] = _birth_date(birth_date, china_date(at))
        if address is not None:
            new["address"] = _text(address, "住址", limit=200, required=False)
        if region_code is not None:
            new["region_code"] = _region(region_code)
        if categories is not None:
            new["categories"] = _categories(categories)
        if responsible is not None:
            new["responsible"] = _text(responsible, "负责人", required=False) or self.responsible
        changed = [k for k, v in new.items() if getattr(self, k) != v]
        if not changed:
            return []
        detail = {
            k: (new[k].isoformat() if isinstance(new[k], date) else new[k])
            for k in changed
            if k in ("categories", "region_code", "responsible", "gender", "birth_date")
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
        cleaned = _guardians(guardians)
        if cleaned == self.guardians:
            return
        self.guardians = cleaned
        self._updated(at, actor, ["guardians"], count=len(cleaned))

    def set_caregiver(self, caregiver: Caregiver | None, at: datetime, actor: str) -> None:
        """The entrusted caregiver; another caregiver needs a new written agreement (MP-73)."""
        cleaned = _caregiver(caregiver) if caregiver is not None else None
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

    # ---- four colours ----------------------------------------------------------------------------------
    def change_risk(self, colour: str, reason: str, at: datetime, actor: str, policy: VisitPolicy) -> bool:
        """A new colour with its reason; True when the risk rose to red or yellow (a report is due)."""
        current = _colour(colour)
        why = _text(reason, "调整风险等级的理由", limit=MAX_TEXT)
        if current == self.risk_colour:
            raise InvalidTransition(f"风险等级已是{RISK_LABELS[current]}，无需调整")
        previous = self.risk_colour
        alert = current in ALERT_COLOURS and RISK_RANK[current] < RISK_RANK[previous]
        self.risk_colour = current
        self.risk_history.append(RiskEntry(current, previous, at, actor, why))
        self._log(at, "risk_changed", actor, previous=previous, current=current, reason=why)
        self._emit(RiskChanged(at, actor=actor, previous=previous, current=current, reason=why, alert=alert))
        self._keep_cadence(at, actor, policy)
        return alert

    # ---- visits --------------------------------------------------------------------------------------
    def _add_visit(
        self,
        due: date,
        visit_type: VisitType,
        assigned_to: str,
        at: datetime,
        actor: str,
        *,
        auto: bool,
        note: str = "",
    ) -> Visit:
        visit = Visit(
            id=uuid.uuid4(),
            due_date=due,
            visit_type=visit_type,
            assigned_to=assigned_to,
            scheduled_at=at,
            scheduled_by=actor,
            auto=auto,
            note=note,
        )
        self.visits.append(visit)
        self._log(
            at,
            "visit_scheduled",
            actor,
            visit_id=str(visit.id),
            due_date=due.isoformat(),
            visit_type=visit_type,
            assigned_to=assigned_to,
            auto=auto,
        )
        self._emit(VisitScheduled(at, actor=actor, visit_id=visit.id, due_date=due, visit_type=visit_type))
        return visit

    def schedule_visit(
        self, due_date: date, visit_type: str, assigned_to: str, at: datetime, actor: str, note: str = ""
    ) -> Visit:
        """Plan a visit by hand (a date from today on)."""
        if visit_type not in VISIT_TYPES:
            raise InvalidChildData("访视方式应为家访或电话联系")
        if due_date < china_date(at):
            raise InvalidChildData("计划访视日期不能早于今天")
        if due_date > china_date(at) + timedelta(days=366):
            raise InvalidChildData("计划访视日期不能晚于一年以后")
        who = _text(assigned_to, "访视负责人", required=False) or self.responsible
        return self._add_visit(
            due_date,
            visit_type,  # type: ignore[arg-type]
            who,
            at,
            actor,
            auto=False,
            note=_text(note, "备注", limit=MAX_TEXT, required=False),
        )

    def _keep_cadence(self, at: datetime, actor: str, policy: VisitPolicy) -> None:
        """After a change of colour or categories the next contact is due no later than the cadence says."""
        today = china_date(at)
        latest = today + timedelta(days=policy.cadence(self))
        upcoming = self.open_visits()
        if not upcoming:
            due, visit_type = policy.next_visit(self, today)
            self._add_visit(due, visit_type, self.responsible, at, actor, auto=True)
            return
        if upcoming[0].due_date > latest:
            self._bring_forward(upcoming[0], latest, at, actor)

    def _bring_forward(self, visit: Visit, due: date, at: datetime, actor: str) -> None:
        """The same planned visit, due earlier (announced again as scheduled, with its new date)."""
        visit.due_date = due
        self._log(
            at,
            "visit_rescheduled",
            actor,
            visit_id=str(visit.id),
            due_date=due.isoformat(),
            visit_type=visit.visit_type,
        )
        self._emit(
            VisitScheduled(at, actor=actor, visit_id=visit.id, due_date=due, visit_type=visit.visit_type)
        )

    def record_visit(
        self,
        *,
        visited_on: date,
        notes: str,
        at: datetime,
        actor: str,
        policy: VisitPolicy,
        visit_id: uuid.UUID | None = None,
        visit_type: str | None = None,
        risk_raised: bool = False,
        new_colour: str | None = None,
        risk_reason: str = "",
    ) -> tuple[Visit, bool]:
        """走访: record a scheduled (or unplanned) visit and schedule the next; True when a report is due.

        A report is due when the visitor found a risk (`risk_raised`) or raised the colour to red/yellow.
        """
        today = china_date(at)
        if visited_on > today:
            raise InvalidChildData("访视日期不能晚于今天")
        if visited_on < self.birth_date:
            raise InvalidChildData("访视日期不能早于儿童出生日期")
        text = _text(notes, "访视情况", limit=MAX_TEXT)
        if visit_type is not None and visit_type not in VISIT_TYPES:
            raise InvalidChildData("访视方式应为家访或电话联系")
        if visit_id is not None:
            visit = self.visit(visit_id)
            if visit.status != "scheduled":
                raise InvalidTransition(
                    f"该访视{VISIT_STATUS[visit.status]}，不能再次记录；请记录一次计划外访视"
                )
            if visit_type is not None:
                visit.visit_type = visit_type  # type: ignore[assignment]
        else:
            visit = Visit(
                id=uuid.uuid4(),
                due_date=visited_on,
                visit_type=(visit_type or "home"),  # type: ignore[arg-type]
                assigned_to=actor,
                scheduled_at=at,
                scheduled_by=actor,
            )
            self.visits.append(visit)
        visit.status = "done"
        visit.visited_on = visited_on
        visit.recorded_at = at
        visit.recorded_by = actor
        visit.notes = text
        visit.risk_raised = bool(risk_raised)
        raised = False
        if new_colour and new_colour != self.risk_colour:
            reason = (
                risk_reason.strip() or f"{visited_on.isoformat()} {VISIT_TYPES[visit.visit_type]}：{text}"
            )
            raised = self.change_risk(new_colour, reason[:MAX_TEXT], at, actor, policy)
        alert = visit.risk_raised or raised
        self._log(
            at,
            "visit_recorded",
            actor,
            visit_id=str(visit.id),
            visited_on=visited_on.isoformat(),
            visit_type=visit.visit_type,
            risk_raised=visit.risk_raised,
            planned=visit_id is not None,
        )
        self._emit(
            VisitRecorded(
                at,
                actor=actor,
                visit_id=visit.id,
                visit_type=visit.visit_type,
                risk_raised=visit.risk_raised,
                alert=alert,
            )
        )
        self._schedule_after_visit(visited_on, visit.assigned_to, at, actor, policy)
        return visit, alert

    def _schedule_after_visit(
        self, visited_on: date, assigned_to: str, at: datetime, actor: str, policy: VisitPolicy
    ) -> None:
        due, visit_type = policy.next_visit(self, visited_on)
        due = max(due, china_date(at))
        upcoming = self.open_visits()
        if upcoming and upcoming[0].due_date <= due:
            return  # a contact is already planned in time
        if upcoming and upcoming[0].auto:
            self._bring_forward(upcoming[0], due, at, actor)
            return
        self._add_visit(due, visit_type, assigned_to or self.responsible, at, actor, auto=True)

    def mark_missed(self, now: datetime, policy: VisitPolicy) -> list[Visit]:
        """Scheduled visits not done by the end of their due day (China time) become missed, once each.

        A replacement contact is then due within `missed_retry_days`; the service layer opens a report.
        """
        missed = [v for v in self.visits if v.overdue(now)]
        for visit in missed:
            visit.status = "missed"
            visit.missed_at = now
            self._log(
                now,
                "visit_missed",
                "system",
                visit_id=str(visit.id),
                due_date=visit.due_date.isoformat(),
                visit_type=visit.visit_type,
                assigned_to=visit.assigned_to,
            )
            self._emit(VisitMissed(now, actor="system", visit_id=visit.id, due_date=visit.due_date))
        if missed and not self.open_visits():
            retry = china_date(now) + timedelta(days=max(1, policy.missed_retry_days))
            last = missed[-1]
            self._add_visit(retry, last.visit_type, last.assigned_to, now, "system", auto=True)
        return missed

    # ---- reports opened from monitoring -----------------------------------------------------------------
    def report_opened(
        self, case_id: uuid.UUID, case_ref: str, *, linked: bool, reason: str, at: datetime, actor: str
    ) -> None:
        """Note the case that took the report, on the file and on the events that called for it."""
        self._log(
            at,
            "report_linked" if linked else "report_opened",
            actor,
            case_id=str(case_id),
            case_ref=case_ref,
            reason=reason,
        )
        calling = {
            e.visit_id
            for e in self.events
            if isinstance(e, VisitRecorded | VisitMissed) and e.alert and e.case_id is None
        }
        for visit in self.visits:
            if visit.id in calling:
                visit.case_id = case_id
        self.events = [
            replace(e, case_id=case_id)
            if isinstance(e, RiskChanged | VisitRecorded | VisitMissed) and e.alert and e.case_id is None
            else e
            for e in self.events
        ]


__all__ = [
    "CATEGORIES",
    "FLAGS",
    "VISIT_STATUS",
    "VISIT_TYPES",
    "AlreadyRegistered",
    "CareAgreement",
    "Caregiver",
    "ChildFile",
    "Guardian",
    "InvalidChildData",
    "RiskEntry",
    "Visit",
    "VisitPolicy",
]
