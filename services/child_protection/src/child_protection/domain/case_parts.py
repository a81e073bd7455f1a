"""The parts of a case (reports, records, plan lines, the pending skip) and the helpers every change of
the case aggregate uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Literal

from child_protection.domain import case_events as ev
from child_protection.domain.errors import InvalidTransition
from child_protection.domain.stages import TERMINAL, Stage, label

RiskColour = Literal["red", "yellow", "blue", "green"]
# Actors that are not people: 12345 (events from intake) and the deadline and visit scanners.
HOTLINE = "12345"
SYSTEM = "system"


@dataclass
class Report:
    """One report about the child (the first opens the case, later ones are linked to it)."""

    id: str
    received_at: datetime
    source: str  # labels.REPORT_SOURCES
    reporter_type: str  # labels.REPORTER_TYPES
    content: str
    reporter_name: str | None = None
    reporter_contact: str | None = None
    work_order_id: uuid.UUID | None = None
    order_no: str | None = None


@dataclass
class PlanItem:
    """One line of the service plan (一人一清单)."""

    id: str
    kind: str
    description: str
    owner: str
    agency: str
    due_date: date
    status: str = "open"  # labels.PLAN_STATUS


@dataclass
class SkipRequest:
    """A request to jump ahead on the chain; only a 审核人's approval carries it out."""

    target: Stage
    reason: str
    requested_by: str
    requested_at: datetime


@dataclass
class TemporaryGuardianship:
    """临时监护 in progress."""

    institution: str
    legal_basis: str
    started_at: datetime
    started_by: str


@dataclass
class Record:
    """A dated entry in the case: an emergency action, an assessment, an intervention, a follow-up…"""

    kind: str
    at: datetime
    by: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class HistoryEntry:
    """One line of the case's history (appended by the repository, never rewritten)."""

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
    # The register file (一人一档) the case was opened from or linked to.
    child_id: uuid.UUID | None = None


class CaseBase:
    """State helpers of the case aggregate (its fields are declared on `Case`)."""

    stage: Stage
    records: list[Record]
    history: list[HistoryEntry]
    events: list[ev.Event]

    @property
    def is_open(self) -> bool:
        return self.stage not in TERMINAL

    def has_record(self, kind: str, **match: Any) -> bool:
        return any(r.kind == kind and all(r.data.get(k) == v for k, v in match.items()) for r in self.records)

    def _emit(self, event: ev.Event) -> None:
        self.events.append(replace(event, stage=self.stage.value))

    def _log(self, at: datetime, what: str, actor: str, **detail: Any) -> None:
        self.history.append(HistoryEntry(at, what, self.stage, actor, detail))

    def _record(self, kind: str, at: datetime, actor: str, /, **data: Any) -> None:
        self.records.append(Record(kind, at, actor, data))

    def _require_stage(self, *stages: Stage, doing: str) -> None:
        if self.stage not in stages:
            allowed = "、".join(label(s) for s in stages)
            raise InvalidTransition(f"案件当前处于“{label(self.stage)}”，{doing}只能在“{allowed}”阶段进行")
