"""走访 of a child on the register: the cadence by risk colour (`VisitPolicy`), the four colours, and the
visits scheduled, done or missed (MP-70, MP-74)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from child_protection.domain import child_events as ev
from child_protection.domain import child_parts as check
from child_protection.domain.child_parts import (
    ALERT_COLOURS,
    RISK_RANK,
    ChildBase,
    RiskColour,
    RiskEntry,
    china_date,
)
from child_protection.domain.errors import InvalidChildData, InvalidTransition
from shared.contracts.labels import child_protection as labels

VisitType = Literal["home", "phone"]
VisitStatus = Literal["scheduled", "done", "missed"]


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

    def cadence(self, colour: str, categories: Sequence[str]) -> int:
        """Days between two contacts: the colour's, at most weekly for a left-behind child (MP-74)."""
        days = self.colour_days(colour)
        if "left_behind" in categories:
            days = min(days, max(1, self.left_behind_contact_days))
        return days

    def next_visit(
        self, colour: str, categories: Sequence[str], last_home: date | None, base: date
    ) -> tuple[date, VisitType]:
        """The next contact after `base`: a 家庭走访 at the colour's cadence, 电话联系 in between."""
        due = base + timedelta(days=self.cadence(colour, categories))
        home = last_home is None or (due - last_home).days >= self.colour_days(colour)
        return due, "home" if home else "phone"


@dataclass
class Visit:
    """A 家庭走访 or 电话联系: scheduled (待走访), then done (已走访) or missed (逾期未走访)."""

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
        return self.status == "scheduled" and now >= check.end_of_day(self.due_date)


def visit_type(value: str) -> VisitType:
    if value not in labels.VISIT_TYPES:
        raise InvalidChildData("走访方式应为家庭走访或电话联系")
    return "home" if value == "home" else "phone"


class ChildVisits(ChildBase):
    """The four colours and the visits of a child's file."""

    birth_date: date
    categories: list[str]
    responsible: str
    risk_colour: RiskColour
    risk_history: list[RiskEntry]
    visits: list[Visit]

    def open_visits(self) -> list[Visit]:
        return sorted((v for v in self.visits if v.status == "scheduled"), key=lambda v: v.due_date)

    def last_home_visit(self) -> date | None:
        done = [v.visited_on for v in self.visits if v.status == "done" and v.visit_type == "home"]
        return max((d for d in done if d is not None), default=None)

    def visit(self, visit_id: uuid.UUID) -> Visit:
        found = next((v for v in self.visits if v.id == visit_id), None)
        if found is None:
            raise InvalidTransition("该走访不存在")
        return found

    def _next_visit(self, policy: VisitPolicy, base: date) -> tuple[date, VisitType]:
        return policy.next_visit(self.risk_colour, self.categories, self.last_home_visit(), base)

    # ---- four colours ----------------------------------------------------------------------------------
    def change_risk(self, colour: str, reason: str, at: datetime, actor: str, policy: VisitPolicy) -> bool:
        """A new colour with its reason; True when the risk rose to red or yellow (a report is due)."""
        current = check.colour(colour)
        why = check.text(reason, "调整风险等级的理由", limit=check.MAX_TEXT)
        if current == self.risk_colour:
            raise InvalidTransition(f"风险等级已是{labels.RISK[current]}，无需调整")
        previous = self.risk_colour
        alert = current in ALERT_COLOURS and RISK_RANK[current] < RISK_RANK[previous]
        self.risk_colour = current
        self.risk_history.append(RiskEntry(current, previous, at, actor, why))
        self._log(at, "risk_changed", actor, previous=previous, current=current, reason=why)
        self._emit(
            ev.RiskChanged(at, actor=actor, previous=previous, current=current, reason=why, alert=alert)
        )
        self._keep_cadence(at, actor, policy)
        return alert

    # ---- visits --------------------------------------------------------------------------------------
    def _add_visit(
        self,
        due: date,
        kind: VisitType,
        assigned_to: str,
        at: datetime,
        actor: str,
        *,
        auto: bool,
        note: str = "",
    ) -> Visit:
        visit = Visit(uuid.uuid4(), due, kind, assigned_to, at, actor, auto=auto, note=note)
        self.visits.append(visit)
        self._log(
            at,
            "visit_scheduled",
            actor,
            visit_id=str(visit.id),
            due_date=due.isoformat(),
            visit_type=kind,
            assigned_to=assigned_to,
            auto=auto,
        )
        self._emit(ev.VisitScheduled(at, actor=actor, visit_id=visit.id, due_date=due, visit_type=kind))
        return visit

    def schedule_visit(
        self, due_date: date, kind: str, assigned_to: str, at: datetime, actor: str, note: str = ""
    ) -> Visit:
        """Plan a visit by hand (a date from today on)."""
        chosen = visit_type(kind)
        if due_date < china_date(at):
            raise InvalidChildData("计划走访日期不能早于今天")
        if due_date > china_date(at) + timedelta(days=366):
            raise InvalidChildData("计划走访日期不能晚于一年以后")
        who = check.text(assigned_to, "走访负责人", required=False) or self.responsible
        remark = check.text(note, "备注", limit=check.MAX_TEXT, required=False)
        return self._add_visit(due_date, chosen, who, at, actor, auto=False, note=remark)

    def _keep_cadence(self, at: datetime, actor: str, policy: VisitPolicy) -> None:
        """After a change of colour or categories the next contact is due no later than the cadence says."""
        today = china_date(at)
        latest = today + timedelta(days=policy.cadence(self.risk_colour, self.categories))
        upcoming = self.open_visits()
        if not upcoming:
            due, kind = self._next_visit(policy, today)
            self._add_visit(due, kind, self.responsible, at, actor, auto=True)
        elif upcoming[0].due_date > latest:
            self._bring_forward(upcoming[0], latest, at, actor)

    def _bring_forward(self, visit: Visit, due: date, at: datetime, actor: str) -> None:
        """The same planned visit, due earlier (announced again as scheduled, with its new date)."""
        visit.due_date = due
        detail = {"visit_id": str(visit.id), "due_date": due.isoformat(), "visit_type": visit.visit_type}
        self._log(at, "visit_rescheduled", actor, **detail)
        self._emit(
            ev.VisitScheduled(at, actor=actor, visit_id=visit.id, due_date=due, visit_type=visit.visit_type)
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
        kind: str | None = None,
        risk_raised: bool = False,
        new_colour: str | None = None,
        risk_reason: str = "",
    ) -> tuple[Visit, bool]:
        """Record a scheduled (or unplanned) visit and schedule the next; True when a report is due.

        A report is due when the visitor found a risk (`risk_raised`) or raised the colour to red/yellow.
        """
        if visited_on > china_date(at):
            raise InvalidChildData("走访日期不能晚于今天")
        if visited_on < self.birth_date:
            raise InvalidChildData("走访日期不能早于儿童出生日期")
        found = check.text(notes, "走访情况", limit=check.MAX_TEXT)
        chosen = visit_type(kind) if kind is not None else None
        if visit_id is not None:
            visit = self.visit(visit_id)
            if visit.status != "scheduled":
                raise InvalidTransition(
                    f"该走访{labels.VISIT_STATUS[visit.status]}，不能再次记录；请记录一次计划外走访"
                )
            visit.visit_type = chosen or visit.visit_type
        else:
            visit = Visit(uuid.uuid4(), visited_on, chosen or "home", actor, at, actor)
            self.visits.append(visit)
        visit.status, visit.visited_on, visit.recorded_at, visit.recorded_by = "done", visited_on, at, actor
        visit.notes, visit.risk_raised = found, bool(risk_raised)
        raised = False
        if new_colour and new_colour != self.risk_colour:
            default = f"{visited_on.isoformat()} {labels.VISIT_TYPES[visit.visit_type]}：{found}"
            reason = (risk_reason.strip() or default)[: check.MAX_TEXT]
            raised = self.change_risk(new_colour, reason, at, actor, policy)
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
            ev.VisitRecorded(
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
        due, kind = self._next_visit(policy, visited_on)
        due = max(due, china_date(at))
        upcoming = self.open_visits()
        if upcoming and upcoming[0].due_date <= due:
            return  # a contact is already planned in time
        if upcoming and upcoming[0].auto:
            self._bring_forward(upcoming[0], due, at, actor)
            return
        self._add_visit(due, kind, assigned_to or self.responsible, at, actor, auto=True)

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
            self._emit(ev.VisitMissed(now, actor="system", visit_id=visit.id, due_date=visit.due_date))
        if missed and not self.open_visits():
            retry = china_date(now) + timedelta(days=max(1, policy.missed_retry_days))
            last = missed[-1]
            self._add_visit(retry, last.visit_type, last.assigned_to, now, "system", auto=True)
        return missed
