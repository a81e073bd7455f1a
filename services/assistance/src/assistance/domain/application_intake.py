"""Opening an application: a lead turned into an application or closed, 受理 or 不予受理, and whom the
application covers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from assistance.domain import application_events as ev
from assistance.domain.application_parts import (
    LEAD_SOURCE_LABELS,
    Actor,
    ApplicationBase,
    DecisionKind,
    LeadSource,
    ReviewLevel,
    masked,
    require_text,
)
from assistance.domain.errors import InvalidApplicationData, MissingPrerequisite
from assistance.domain.programmes import Programme, TemporaryKind
from assistance.domain.stages import ACTIVE, Stage


def _people(personkeys: Iterable[str]) -> tuple[str, ...]:
    people = tuple(dict.fromkeys(p.strip() for p in personkeys if p.strip()))
    if not people:
        raise MissingPrerequisite("请选择申请救助的家庭成员")
    return people


def _check_programme(programme: Programme, temporary_kind: TemporaryKind | None) -> None:
    if (programme == Programme.TEMPORARY) != (temporary_kind is not None):
        raise InvalidApplicationData("临时救助须注明急难型或支出型，低保、特困不区分类型")


class ApplicationIntake(ApplicationBase):
    """From 线索 or 申请 to 受理; every method checks the stage it belongs to."""

    programme: Programme | None
    temporary_kind: TemporaryKind | None
    household_id: uuid.UUID | None
    applicant_personkey: str | None
    personkeys: tuple[str, ...]
    lead_source: LeadSource | None
    previous_id: uuid.UUID | None
    review_level: ReviewLevel | None
    closed_at: datetime | None
    outcome_reason: str | None

    def _fill(
        self,
        programme: Programme,
        temporary_kind: TemporaryKind | None,
        household_id: uuid.UUID,
        applicant_personkey: str,
        personkeys: Iterable[str],
    ) -> None:
        _check_programme(programme, temporary_kind)
        self.applicant_personkey = require_text(applicant_personkey, "请选择申请人")
        self.personkeys = _people(personkeys)
        self.programme, self.temporary_kind, self.household_id = programme, temporary_kind, household_id

    def _applied(self, at: datetime, by: Actor, action: str) -> None:
        if self.programme is None or self.household_id is None or not self.applicant_personkey:
            raise MissingPrerequisite("申请缺少救助项目、家庭或申请人")
        self._log(at, action, by, programme=self.programme.value, previous_id=self.previous_id)
        self._emit(
            ev.Applied(
                at,
                actor=by.id,
                programme=self.programme.value,
                temporary_kind=self.temporary_kind.value if self.temporary_kind else None,
                household_id=str(self.household_id),
                applicant_personkey=self.applicant_personkey,
                personkeys=self.personkeys,
                previous_id=str(self.previous_id) if self.previous_id else None,
                lead_source=self.lead_source.value if self.lead_source else None,
            )
        )

    # ---- 线索 -------------------------------------------------------------------------------------------
    def convert_lead(
        self,
        programme: Programme,
        household_id: uuid.UUID,
        applicant_personkey: str,
        personkeys: Iterable[str],
        at: datetime,
        by: Actor,
        *,
        temporary_kind: TemporaryKind | None = None,
    ) -> None:
        """The lead becomes an application (the household applies, or is helped to, SA-28)."""
        self._require_stage(Stage.LEAD, doing="转为救助申请")
        self._fill(programme, temporary_kind, household_id, applicant_personkey, personkeys)
        self._enter(Stage.APPLIED, at)
        self._applied(at, by, "lead_converted")

    def close_lead(self, reason: str, at: datetime, by: Actor) -> None:
        """A lead closed without an application (not in need, help declined, already assisted…)."""
        self._require_stage(Stage.LEAD, doing="关闭线索")
        reason = require_text(reason, "关闭线索须填写理由")
        source = LEAD_SOURCE_LABELS[self.lead_source] if self.lead_source else None
        self._finish(Stage.LEAD_CLOSED, DecisionKind.LEAD_CLOSED, reason, at, by, source=source)
        self._emit(ev.Closed(at, actor=by.id, outcome="lead_closed", reason=masked(reason)))

    # ---- 受理 / 不予受理 ---------------------------------------------------------------------------------
    def accept(self, review_level: ReviewLevel, at: datetime, by: Actor) -> None:
        """受理; `review_level` is where the county places 审核确认 (SA-51), fixed for this application."""
        self._require_stage(Stage.APPLIED, doing="受理")
        self.review_level = review_level
        self._decide(DecisionKind.ACCEPTED, by, at, "材料齐全，予以受理", review_level.value)
        self._enter(Stage.ACCEPTED, at)
        self._log(at, "accepted", by, review_level=review_level.value)
        self._emit(ev.Accepted(at, actor=by.id, review_level=review_level.value))

    def decline(self, reason: str, at: datetime, by: Actor) -> None:
        """不予受理 with the reason the applicant is told."""
        self._require_stage(Stage.APPLIED, doing="不予受理")
        reason = require_text(reason, "不予受理须填写理由")
        self._finish(Stage.DECLINED, DecisionKind.DECLINED, reason, at, by)
        self._emit(ev.Declined(at, actor=by.id, reason=masked(reason)))

    def cover(self, personkeys: Iterable[str], reason: str, at: datetime, by: Actor) -> None:
        """Whom the application covers changes (a member joins or leaves, 单人户 施保, SA-12)."""
        self._require_stage(*ACTIVE, doing="调整救助对象")
        people = _people(personkeys)
        reason = require_text(reason, "请填写调整救助对象的理由")
        self.personkeys = people
        self._log(at, "coverage_changed", by, personkeys=list(people), reason=reason)
        self._emit(ev.CoverageChanged(at, actor=by.id, personkeys=people, reason=masked(reason)))

    def _finish(
        self, stage: Stage, what: DecisionKind, reason: str, at: datetime, by: Actor, **detail: str | None
    ) -> None:
        self._decide(what, by, at, reason)
        self.closed_at, self.outcome_reason = at, reason
        self._enter(stage, at)
        self._log(at, stage.value, by, reason=reason, **detail)
