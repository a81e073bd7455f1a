"""After approval: 发放, 动态管理 (the periodic review, SA-102), benefit changes, 防错/防漏 alerts, 转介,
暂停 and 终止."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from assistance.domain import application_events as ev
from assistance.domain.application_parts import (
    SYSTEM,
    Actor,
    AlertKind,
    ApplicationBase,
    DecisionKind,
    masked,
    require_amount,
    require_text,
)
from assistance.domain.errors import InvalidApplicationData, MissingPrerequisite
from assistance.domain.programmes import Programme
from assistance.domain.stages import Stage

_HOLDING = (Stage.APPROVED, Stage.PAYING, Stage.MANAGED, Stage.SUSPENDED)


class ApplicationCare(ApplicationBase):
    """What happens to an approved application; every method checks the stage it belongs to."""

    programme: Programme | None
    amount: Decimal | None
    first_payment_month: date | None
    next_review_on: date | None
    review_flagged_for: date | None
    suspended_from: Stage | None
    closed_at: datetime | None
    outcome_reason: str | None

    def start_payment(self, first_month: date, at: datetime, by: Actor) -> None:
        """发放 begins with the month given (the first day of that month)."""
        self._require_stage(Stage.APPROVED, doing="开始发放")
        if first_month.day != 1:
            raise InvalidApplicationData("首次发放月份须写作该月1日")
        if self.amount is None:
            raise MissingPrerequisite("批准时未确定救助金额")
        self.first_payment_month = first_month
        self._enter(Stage.PAYING, at)
        self._log(at, "payment_started", by, first_month=first_month, amount=self.amount)
        self._emit(ev.PaymentStarted(at, actor=by.id, amount=self.amount, first_month=first_month))

    def enter_management(self, next_review_on: date, at: datetime, by: Actor) -> None:
        """低保 and 特困 under payment move to 动态管理 with the date of their next review."""
        self._require_stage(Stage.PAYING, doing="转入动态管理")
        if self.programme == Programme.TEMPORARY:
            raise self._refuse("转入动态管理", "临时救助发放完毕即终止，不转入动态管理")
        self._set_next_review(next_review_on, at)
        self._enter(Stage.MANAGED, at)
        self._log(at, "management_started", by, next_review_on=next_review_on)
        self._emit(ev.ManagementStarted(at, actor=by.id, next_review_on=next_review_on))

    def _set_next_review(self, next_review_on: date, at: datetime) -> None:
        if next_review_on <= at.date():
            raise InvalidApplicationData("下次核查日期须晚于今天")
        self.next_review_on, self.review_flagged_for = next_review_on, None

    def change_benefit(self, amount: Decimal, reason: str, at: datetime, by: Actor) -> None:
        """A new amount after a household change, a periodic review or a standard's adjustment."""
        self._require_stage(Stage.PAYING, Stage.MANAGED, doing="调整救助金额")
        amount = require_amount(amount)
        reason = require_text(reason, "请填写调整救助金额的理由")
        if amount == self.amount:
            raise InvalidApplicationData("新的救助金额与现行金额相同")
        previous, self.amount = self.amount, amount
        self._decide(DecisionKind.BENEFIT_CHANGED, by, at, reason, str(amount))
        self._log(at, "benefit_changed", by, previous=previous, amount=amount, reason=reason)
        self._emit(
            ev.BenefitChanged(at, actor=by.id, previous=previous, amount=amount, reason=masked(reason))
        )

    def flag_review_due(self, at: datetime) -> bool:
        """The scanner's call when the periodic review falls due (once per due date); True if flagged now."""
        self._require_stage(Stage.MANAGED, doing="提示定期核查")
        due = self.next_review_on
        if due is None or at.date() < due or self.review_flagged_for == due:
            return False
        self.review_flagged_for = due
        self._log(at, "review_due", SYSTEM, due_on=due)
        self._emit(ev.ReviewDue(at, actor=SYSTEM.id, due_on=due))
        return True

    def record_periodic_review(self, findings: str, next_review_on: date, at: datetime, by: Actor) -> None:
        """低保年度核查 or 特困 visit done (SA-102, SA-104); changes found go through `change_benefit` or
        `end`."""
        self._require_stage(Stage.MANAGED, doing="登记定期核查")
        findings = require_text(findings, "请填写核查情况")
        self._set_next_review(next_review_on, at)
        self._log(at, "periodic_review_recorded", by, findings=findings, next_review_on=next_review_on)
        self._emit(ev.PeriodicReviewRecorded(at, actor=by.id, next_review_on=next_review_on))

    def raise_alert(self, kind: AlertKind, summary: str, at: datetime, by: Actor = SYSTEM) -> None:
        """A 防错 alert from the monitoring platform about a household receiving the benefit (SA-114)."""
        self._require_stage(Stage.PAYING, Stage.MANAGED, Stage.SUSPENDED, doing="登记预警信息")
        summary = require_text(summary, "请填写预警内容")
        self._log(at, "alert_raised", by, kind=kind.value, summary=summary)
        self._emit(ev.AlertRaised(at, actor=by.id, kind=kind.value, summary=masked(summary)))

    def request_referral(self, agency: str, reason: str, at: datetime, by: Actor) -> None:
        """转介 when the assistance given does not solve the household's difficulty (SA-69)."""
        self._require_stage(*_HOLDING, Stage.ENDED, Stage.REJECTED, doing="转介")
        agency = require_text(agency, "请填写转介单位")
        reason = require_text(reason, "请填写转介理由")
        self._log(at, "referral_requested", by, agency=agency, reason=reason)
        self._emit(ev.ReferralRequested(at, actor=by.id, agency=agency, reason=masked(reason)))

    def suspend(self, reason: str, at: datetime, by: Actor) -> None:
        """暂停发放 while a doubt is checked (an alert, a missed review); the benefit is kept, not ended."""
        self._require_stage(Stage.PAYING, Stage.MANAGED, doing="暂停发放")
        reason = require_text(reason, "请填写暂停发放的理由")
        self.suspended_from = self.stage
        self._decide(DecisionKind.SUSPENDED, by, at, reason)
        self._enter(Stage.SUSPENDED, at)
        self._log(at, "suspended", by, reason=reason)
        self._emit(ev.Suspended(at, actor=by.id, reason=masked(reason)))

    def resume(self, reason: str, at: datetime, by: Actor) -> None:
        """恢复发放: back to the stage the suspension interrupted."""
        self._require_stage(Stage.SUSPENDED, doing="恢复发放")
        reason = require_text(reason, "请填写恢复发放的理由")
        target = self.suspended_from or Stage.MANAGED
        self.suspended_from = None
        self._decide(DecisionKind.RESUMED, by, at, reason)
        self._enter(target, at)
        self._log(at, "resumed", by, reason=reason)
        self._emit(ev.Resumed(at, actor=by.id, reason=masked(reason)))

    def end(self, reason: str, at: datetime, by: Actor) -> None:
        """终止: the benefit stops (no longer eligible, death, moved away, 临时救助 paid out)."""
        self._require_stage(*_HOLDING, doing="终止救助")
        reason = require_text(reason, "请填写终止救助的理由")
        self._decide(DecisionKind.ENDED, by, at, reason)
        self.closed_at, self.outcome_reason, self.suspended_from = at, reason, None
        self._enter(Stage.ENDED, at)
        self._log(at, "ended", by, reason=reason)
        self._emit(ev.Ended(at, actor=by.id, reason=masked(reason)))
