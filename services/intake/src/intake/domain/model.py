"""The work-order aggregate: a 12345 work order from receipt to closure, with its state machine."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from intake.domain import events as ev
from intake.domain.errors import InvalidTransition
from intake.domain.routing import SERVICES, RoutingDecision


class Status(StrEnum):
    """Work-order statuses as 12345 sees them."""

    RECEIVED = "received"
    ROUTED = "routed"
    TRIAGE = "triage"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    CLOSED = "closed"
    REOPENED = "reopened"
    REVOKED = "revoked"


S = Status
ALLOWED: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.ROUTED, S.TRIAGE, S.REVOKED}),
    S.TRIAGE: frozenset({S.ROUTED, S.REVOKED}),
    # A service may decline (back to triage) or conclude without a separate acceptance.
    S.ROUTED: frozenset({S.ACCEPTED, S.IN_PROGRESS, S.REPLIED, S.TRIAGE, S.REVOKED}),
    S.ACCEPTED: frozenset({S.IN_PROGRESS, S.REPLIED, S.TRIAGE, S.REVOKED}),
    S.IN_PROGRESS: frozenset({S.REPLIED, S.REVOKED}),
    S.REPLIED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.ROUTED, S.ACCEPTED, S.IN_PROGRESS, S.REPLIED, S.TRIAGE, S.REVOKED}),
    S.REVOKED: frozenset(),
}
OPEN = frozenset(s for s in Status if s not in {S.CLOSED, S.REVOKED})
STATUS_LABELS = {
    S.RECEIVED: "已接收",
    S.ROUTED: "已派发",
    S.TRIAGE: "待分拨",
    S.ACCEPTED: "已签收",
    S.IN_PROGRESS: "办理中",
    S.REPLIED: "已办结回复",
    S.CLOSED: "已结案",
    S.REOPENED: "已重启",
    S.REVOKED: "已撤单",
}
LOW_SATISFACTION = 2


@dataclass
class Subject:
    """A person the work order is about, as reported (the ID number stays inside intake)."""

    personkey: str
    name: str | None = None
    id_number: str | None = None
    id_number_valid: bool | None = None
    gender: str = "unknown"
    age: int | None = None
    is_minor: bool = False
    description: str | None = None


@dataclass
class HistoryEntry:
    """One line of the status history."""

    at: datetime
    action: str
    status: Status
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class WorkOrder:
    """A 12345 work order; every change goes through a method that checks the state machine."""

    id: uuid.UUID
    order_no: str
    received_at: datetime
    channel: str
    category_code: str
    category_name: str | None
    urgency: str
    region_code: str
    content: str
    payload: dict[str, Any]
    subjects: list[Subject] = field(default_factory=list)
    deadline_at: datetime | None = None
    address: str | None = None
    flags: list[str] = field(default_factory=list)
    status: Status = S.RECEIVED
    routed_to: str | None = None
    responsible_region: str | None = None
    case_ref: str | None = None
    reply_text: str | None = None
    urge_count: int = 0
    supplements: list[dict[str, Any]] = field(default_factory=list)
    # Lines recorded since the work order was loaded; the repository appends them to the stored history.
    history: list[HistoryEntry] = field(default_factory=list)
    version: int = 0
    events: list[ev.Event] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def _move(self, to: Status, action: str, at: datetime, actor: str, **detail: Any) -> None:
        if to not in ALLOWED[self.status]:
            raise InvalidTransition(
                f"工单当前状态为“{STATUS_LABELS[self.status]}”，不能{_ACTION_LABELS.get(action, action)}"
            )
        self.status = to
        self.history.append(HistoryEntry(at, action, to, actor, detail))

    def _emit(self, event: ev.Event) -> None:
        self.events.append(replace(event, status=self.status.value))

    def _note(self, action: str, at: datetime, actor: str, **detail: Any) -> None:
        self.history.append(HistoryEntry(at, action, self.status, actor, detail))

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise InvalidTransition(
                f"工单已{STATUS_LABELS[self.status]}，不能{_ACTION_LABELS.get(action, action)}"
            )

    def mark_received(self, at: datetime) -> None:
        """Record the receipt (the first history line)."""
        self.history.append(HistoryEntry(at, "received", S.RECEIVED, "12345"))
        self._emit(ev.Received(at))

    def apply_routing(self, decision: RoutingDecision, at: datetime, actor: str) -> None:
        """Route automatically, or send to the triage queue with the reasons."""
        self.responsible_region = decision.county
        if decision.automatic:
            self.route(decision.target, decision.county or self.region_code, at, actor)
        else:
            self.require_triage(decision.reasons, at, actor)

    def route(self, target: str, county: str, at: datetime, actor: str) -> None:
        """Send to a domain service and a responsible county."""
        if target not in SERVICES:
            raise InvalidTransition(f"无法派发到“{target}”")
        self._move(S.ROUTED, "routed", at, actor, routed_to=target, responsible_region=county)
        self.routed_to = target
        self.responsible_region = county
        self._emit(ev.Routed(at, by=actor))

    def require_triage(self, reasons: tuple[str, ...], at: datetime, actor: str) -> None:
        self._move(S.TRIAGE, "triage_required", at, actor, reasons=list(reasons))
        self.routed_to = "triage"
        self._emit(ev.TriageRequired(at, reasons=reasons))

    def supplement(self, at: datetime, content: str | None, subjects: list[Subject], event_id: str) -> None:
        """补充: more text or people from 12345."""
        self._require_open("supplemented")
        self.subjects.extend(subjects)
        self.supplements.append(
            {"event_id": event_id, "at": at.isoformat(), "content": content, "subject_count": len(subjects)}
        )
        self._note("supplemented", at, "12345", content=content, subject_count=len(subjects))
        self._emit(ev.Supplemented(at, content=content, subject_count=len(subjects)))

    def urge(self, at: datetime, note: str | None) -> None:
        """催办: 12345 presses for handling."""
        self._require_open("urged")
        self.urge_count += 1
        self._note("urged", at, "12345", note=note, urge_count=self.urge_count)
        self._emit(ev.Urged(at, note=note))

    def revoke(self, at: datetime, reason: str) -> None:
        """撤单: 12345 withdraws the work order."""
        self._move(S.REVOKED, "revoked", at, "12345", reason=reason)
        self._emit(ev.Revoked(at, reason=reason))

    def accept(self, at: datetime, case_ref: str, actor: str) -> None:
        """签收: the domain service opened a case for it."""
        if self.status == S.ACCEPTED:
            self.case_ref = case_ref
            return
        # Checked before anything changes: a refused acceptance must leave the work order as it was.
        self._move(S.ACCEPTED, "accepted", at, actor, case_ref=case_ref)
        self.case_ref = case_ref
        self._emit(ev.Accepted(at, case_ref=case_ref))

    def mark_in_progress(self, at: datetime, actor: str) -> None:
        if self.status in (S.ACCEPTED, S.REOPENED, S.ROUTED):
            self._move(S.IN_PROGRESS, "in_progress", at, actor)
            self._emit(ev.InProgress(at))

    def refer(self, at: datetime, agency: str, reason: str, actor: str) -> None:
        """转介: the service handed the matter to another agency; 12345 is told where it went."""
        text = f"已转介至{agency}办理。{reason}".strip() if reason else f"已转介至{agency}办理。"
        self._move(S.REPLIED, "referred", at, actor, referred_to=agency, reason=reason)
        self.reply_text = text
        self._emit(ev.Replied(at, reply_text=text))

    def decline(self, at: datetime, reason: str, actor: str) -> None:
        """The service declined it: back to the desk for another route."""
        self._move(S.TRIAGE, "declined", at, actor, reason=reason)
        self.routed_to = "triage"
        self._emit(ev.TriageRequired(at, reasons=("declined_by_service",)))

    def reply(self, at: datetime, reply_text: str, actor: str) -> None:
        """办结回复: the case concluded; the reply goes back to 12345."""
        self._move(S.REPLIED, "replied", at, actor, reply_text=reply_text)
        self.reply_text = reply_text
        self._emit(ev.Replied(at, reply_text=reply_text))

    def record_satisfaction(self, at: datetime, score: int, comment: str | None) -> None:
        """回访: a low score reopens the work order, otherwise it closes."""
        if self.status not in (S.REPLIED, S.CLOSED):
            raise InvalidTransition(
                f"工单当前状态为“{STATUS_LABELS[self.status]}”，尚未办结回复，不能记录回访结果"
            )
        self._note("satisfaction_recorded", at, "12345", score=score, comment=comment)
        self._emit(ev.SatisfactionRecorded(at, score=score, comment=comment))
        if score <= LOW_SATISFACTION:
            self.reopen(at, f"回访不满意（{score}分）", "12345")
        elif self.status == S.REPLIED:
            self._move(S.CLOSED, "closed", at, "12345")
            self._emit(ev.Closed(at))

    def reopen(self, at: datetime, reason: str, actor: str) -> None:
        self._move(S.REOPENED, "reopened", at, actor, reason=reason)
        self._emit(ev.Reopened(at, reason=reason))


_ACTION_LABELS = {
    "routed": "派发",
    "triage_required": "转入待分拨",
    "supplemented": "补充",
    "urged": "催办",
    "revoked": "撤单",
    "accepted": "签收",
    "in_progress": "办理",
    "declined": "退回",
    "referred": "转介",
    "replied": "办结回复",
    "closed": "结案",
    "reopened": "重启",
}
