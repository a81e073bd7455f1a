"""The steps between 受理 and the decision: 家庭经济状况核对, 入户调查, 民主评议, 审核确认 and 公示."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from assistance.domain import application_events as ev
from assistance.domain.application_parts import (
    ANSWERS,
    DEFAULT_PUBLICITY_DAYS,
    DEFAULT_VERIFICATION_TIMEOUT,
    GAPS,
    REVIEW_LEVEL_LABELS,
    Actor,
    ApplicationBase,
    Appraisal,
    Decision,
    DecisionKind,
    Department,
    HomeVisit,
    Objection,
    ReviewLevel,
    VerificationRequest,
    VerificationStatus,
    masked,
    require_text,
)
from assistance.domain.errors import (
    InvalidApplicationData,
    MissingPrerequisite,
    WrongReviewLevel,
)
from assistance.domain.programmes import Programme
from assistance.domain.stages import Stage

APPROVE, REJECT = "approve", "reject"


def _department(value: str) -> Department:
    try:
        return Department(value)
    except ValueError:
        raise InvalidApplicationData("未知的核对部门") from None


class ApplicationSteps(ApplicationBase):
    """The records of each step before the decision; every method checks the stage it belongs to."""

    programme: Programme | None
    review_level: ReviewLevel | None
    verifications: list[VerificationRequest]
    verification_closed_at: datetime | None
    home_visit: HomeVisit | None
    appraisal: Appraisal | None
    # 有争议: the checks disagree with what was declared, or an objection sent the case back (SA-52).
    contested: bool
    review: Decision | None
    publicity_starts_at: datetime | None
    publicity_ends_at: datetime | None
    objections: list[Objection]

    @property
    def verification_gaps(self) -> list[VerificationRequest]:
        return [v for v in self.verifications if v.status in GAPS]

    # ---- 家庭经济状况核对 -------------------------------------------------------------------------------
    def request_verification(
        self, requests: Iterable[tuple[str, Department]], at: datetime, by: Actor
    ) -> None:
        """Ask departments for members' income and asset data (SA-40); more may be asked while checking."""
        self._require_stage(Stage.ACCEPTED, Stage.VERIFYING, doing="发起家庭经济状况核对")
        asked = {
            (v.personkey, v.department)
            for v in self.verifications
            if v.status == VerificationStatus.REQUESTED
        }
        new: list[tuple[str, Department]] = []
        for personkey, department in requests:
            pair = (personkey.strip(), _department(department))
            if not pair[0]:
                raise InvalidApplicationData("核对须指明家庭成员和核对部门")
            if pair not in asked and pair not in new:
                new.append(pair)
        if not new:
            raise MissingPrerequisite("请选择要核对的家庭成员和部门（已发起且未反馈的不再重复发起）")
        self.verifications.extend(VerificationRequest(p, d, at) for p, d in new)
        if self.stage == Stage.ACCEPTED:
            self._enter(Stage.VERIFYING, at)
        self._log(at, "verification_requested", by, requests=[f"{p}:{d.value}" for p, d in new])
        self._emit(ev.VerificationRequested(at, actor=by.id, requests=tuple((p, d.value) for p, d in new)))

    def record_verification(
        self,
        personkey: str,
        department: Department,
        status: VerificationStatus,
        at: datetime,
        by: Actor,
        note: str | None = None,
    ) -> None:
        """A department's answer; a disagreement with the declared income makes the application contested."""
        self._require_stage(Stage.VERIFYING, doing="登记核对结果")
        if status not in ANSWERS:
            raise InvalidApplicationData("核对结果须为已反馈、部分反馈、无相关数据或与申报收入不一致")
        request = next(
            (
                v
                for v in self.verifications
                if v.personkey == personkey
                and v.department == department
                and v.status == VerificationStatus.REQUESTED
            ),
            None,
        )
        if request is None:
            raise MissingPrerequisite("没有向该部门发起这名成员的核对，或结果已登记")
        if status == VerificationStatus.DISAGREES and not (note and note.strip()):
            raise MissingPrerequisite("请填写核对结果与申报收入的差异")
        request.status, request.answered_at = status, at
        request.note = note.strip() if note and note.strip() else None
        if status == VerificationStatus.DISAGREES:
            self.contested = True
        self._log(
            at,
            "verification_answered",
            by,
            personkey=personkey,
            department=department.value,
            status=status.value,
        )

    def complete_verification(
        self, at: datetime, by: Actor, timeout: timedelta = DEFAULT_VERIFICATION_TIMEOUT
    ) -> None:
        """Close the check: every request answered, or unanswered past `timeout` (then the home visit goes
        ahead on its own record, with the gap noted)."""
        self._require_stage(Stage.VERIFYING, doing="完成家庭经济状况核对")
        pending = [v for v in self.verifications if v.status == VerificationStatus.REQUESTED]
        waiting = [v for v in pending if at - v.requested_at < timeout]
        if waiting:
            raise MissingPrerequisite(
                f"还有{len(waiting)}项核对未反馈且未超过{timeout.days}天，请等待部门反馈后再完成核对"
            )
        for request in pending:
            request.status = VerificationStatus.TIMED_OUT
        gaps = self.verification_gaps
        if gaps:
            self._decide(
                DecisionKind.PROCEEDED_WITH_GAPS,
                by,
                at,
                "部分核对结果缺失或与申报不一致，以入户调查记录为准继续办理",
                f"{len(gaps)}项",
            )
        self.verification_closed_at = at
        self._enter(Stage.HOME_VISIT, at)
        self._log(at, "verification_completed", by, gaps=len(gaps), timed_out=len(pending))
        self._emit(
            ev.VerificationCompleted(
                at,
                actor=by.id,
                answered=len(self.verifications) - len(pending),
                gaps=tuple((v.personkey, v.department.value, v.status.value) for v in gaps),
            )
        )

    # ---- 入户调查 ---------------------------------------------------------------------------------------
    def record_home_visit(self, findings: str, at: datetime, by: Actor, gap_note: str | None = None) -> None:
        """入户调查 (SA-42/44); what the departments did not confirm must be noted in its record."""
        self._require_stage(Stage.HOME_VISIT, doing="登记入户调查")
        if self.verification_closed_at is None:
            raise MissingPrerequisite("家庭经济状况核对完成或超时后，方可登记入户调查")
        findings = require_text(findings, "请填写入户调查情况")
        note = gap_note.strip() if gap_note and gap_note.strip() else None
        if self.verification_gaps and note is None:
            raise MissingPrerequisite(
                f"有{len(self.verification_gaps)}项核对结果缺失或与申报不一致，请在入户调查记录中注明核实情况"
            )
        self.home_visit = HomeVisit(at, by, findings, note)
        # 临时救助 is decided without 民主评议 and 公示 (SA-61 快速响应).
        self._enter(Stage.REVIEW if self.programme == Programme.TEMPORARY else Stage.APPRAISAL, at)
        self._log(at, "home_visit_recorded", by, gap_note=note)
        self._emit(ev.HomeVisitRecorded(at, actor=by.id, gaps_noted=note is not None))

    # ---- 民主评议 ---------------------------------------------------------------------------------------
    def record_appraisal(self, opinion: str, participants: int, at: datetime, by: Actor) -> None:
        """民主评议 held by the village or residents' committee."""
        self._require_stage(Stage.APPRAISAL, doing="登记民主评议")
        opinion = require_text(opinion, "请填写民主评议意见")
        if participants < 1:
            raise InvalidApplicationData("请填写参加民主评议的人数")
        self.appraisal = Appraisal(at, by, held=True, opinion=opinion, participants=participants)
        self._enter(Stage.REVIEW, at)
        self._log(at, "appraisal_recorded", by, participants=participants)
        self._emit(ev.AppraisalRecorded(at, actor=by.id, held=True, contested=self.contested))

    def skip_appraisal(self, reason: str, at: datetime, by: Actor) -> None:
        """SA-52: an uncontested application goes to review without 民主评议, with the reason recorded."""
        self._require_stage(Stage.APPRAISAL, doing="免于民主评议")
        reason = require_text(reason, "不进行民主评议须填写理由")
        if self.contested:
            raise MissingPrerequisite("该申请有争议（核对结果与申报不一致，或公示异议退回），须进行民主评议")
        self.appraisal = Appraisal(at, by, held=False, skip_reason=reason)
        self._decide(DecisionKind.APPRAISAL_SKIPPED, by, at, reason)
        self._enter(Stage.REVIEW, at)
        self._log(at, "appraisal_skipped", by, reason=reason)
        self._emit(
            ev.AppraisalRecorded(at, actor=by.id, held=False, contested=False, skip_reason=masked(reason))
        )

    # ---- 审核确认 ---------------------------------------------------------------------------------------
    def record_review(self, approve: bool, reason: str, level: ReviewLevel, at: datetime, by: Actor) -> None:
        """The review opinion, signed at the level the county's devolution setting names (SA-51)."""
        self._require_stage(Stage.REVIEW, doing="登记审核确认意见")
        reason = require_text(reason, "请填写审核确认意见的理由")
        if self.review_level is None:
            raise MissingPrerequisite("受理时未确定审核确认层级")
        if level != self.review_level:
            raise WrongReviewLevel(f"本申请的审核确认由{REVIEW_LEVEL_LABELS[self.review_level]}负责")
        outcome = APPROVE if approve else REJECT
        self.review = Decision(DecisionKind.REVIEWED, by, at, reason, outcome)
        self.decisions.append(self.review)
        self._log(at, "review_recorded", by, level=level.value, outcome=outcome, reason=reason)
        self._emit(
            ev.ReviewRecorded(
                at, actor=by.id, level=level.value, recommends_approval=approve, reason=masked(reason)
            )
        )

    def _require_approving_review(self) -> None:
        if self.review is None or self.review.outcome != APPROVE:
            raise MissingPrerequisite("须先登记同意的审核确认意见")

    # ---- 公示 -------------------------------------------------------------------------------------------
    def start_publicity(self, at: datetime, by: Actor, days: int = DEFAULT_PUBLICITY_DAYS) -> None:
        """公示 of the review opinion for `days` (a county setting, default 7)."""
        self._require_stage(Stage.REVIEW, doing="开始公示")
        if self.programme == Programme.TEMPORARY:
            raise self._refuse("开始公示", "临时救助不经公示，审核确认后直接审批")
        self._require_approving_review()
        if days < 1:
            raise InvalidApplicationData("公示期至少1天")
        self.publicity_starts_at, self.publicity_ends_at = at, at + timedelta(days=days)
        self._enter(Stage.PUBLICITY, at)
        self._log(at, "publicity_started", by, days=days)
        self._emit(ev.PublicityStarted(at, actor=by.id, starts_at=at, ends_at=self.publicity_ends_at))

    def record_objection(self, summary: str, handling: str, send_back: bool, at: datetime, by: Actor) -> None:
        """An objection during 公示 with its handling; one that holds sends the case back to 入户调查, and
        from then on the application is contested (民主评议 cannot be skipped)."""
        self._require_stage(Stage.PUBLICITY, doing="登记公示异议")
        summary = require_text(summary, "请填写异议内容")
        handling = require_text(handling, "请填写异议的核实处理情况")
        self.objections.append(Objection(at, by, summary, handling, send_back))
        self._decide(DecisionKind.OBJECTION_HANDLED, by, at, handling, "sent_back" if send_back else "kept")
        if send_back:
            self.contested = True
            self.home_visit = self.appraisal = self.review = None
            self.publicity_starts_at = self.publicity_ends_at = None
            self._enter(Stage.HOME_VISIT, at)
        self._log(at, "objection_recorded", by, summary=summary, handling=handling, sent_back=send_back)
        self._emit(ev.ObjectionRecorded(at, actor=by.id, summary=masked(summary), sent_back=send_back))
