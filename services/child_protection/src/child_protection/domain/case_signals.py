"""What reaches a case from outside its own steps: 12345's later events on the work order, its 回访,
and a report about the same child in another county (never written into that county's case)."""

from __future__ import annotations

import uuid
from datetime import datetime

from child_protection.domain import case_events as ev
from child_protection.domain.case_parts import HOTLINE, SYSTEM
from child_protection.domain.case_steps import CaseSteps
from child_protection.domain.stages import Stage
from shared.masking import mask_text

LOW_SATISFACTION = 2


class CaseSignals(CaseSteps):
    """12345 follow-ups, dissatisfaction, cross-county duplicates; `decline`/`reopen` come from `Case`."""

    stage: Stage

    def decline(self, at: datetime, actor: str, reason: str) -> None:
        raise NotImplementedError

    def reopen(self, reason: str, at: datetime, actor: str) -> None:
        raise NotImplementedError

    def note_hotline(self, kind: str, note: str | None, at: datetime) -> None:
        """补充 / 催办 from 12345, and 撤单 after acceptance: kept on the case for the caseworker."""
        self._record(f"hotline_{kind}", at, HOTLINE, note=note)
        self._log(at, f"hotline_{kind}", HOTLINE, note=note)

    def hotline_revoked(self, reason: str, at: datetime) -> None:
        """撤单: before acceptance the report is declined; afterwards the caseworker is told."""
        if self.stage == Stage.REPORTED:
            self.decline(at, HOTLINE, f"12345 撤单：{reason}")
        else:
            self.note_hotline("revoked", reason, at)

    def hotline_dissatisfied(self, score: int, comment: str | None, at: datetime) -> bool:
        """回访 with a low score: a closed case is handled again (重新办理), an open one is flagged.

        Returns whether the case was reopened. Comments are masked: they may hold phone or ID numbers.
        """
        reason = f"12345 回访不满意（{score}分）"
        if comment and comment.strip():
            reason += f"：{mask_text(comment.strip())}"
        if self.stage == Stage.CLOSED:
            self.reopen(reason, at, HOTLINE)
            return True
        self._record("hotline_dissatisfied", at, HOTLINE, score=score, note=reason)
        self._log(at, "hotline_dissatisfied", HOTLINE, score=score, note=reason)
        return False

    def flag_cross_county(self, other_case_id: uuid.UUID, at: datetime) -> None:
        """The child has an open case in another county: this county's case is opened anyway and the two
        counties' 审核人 decide (a referral between counties); the other case is never written to."""
        self._record(
            "cross_county_duplicate", at, SYSTEM, note="该儿童在其他辖区有在办案件，已通知对方辖区审核人"
        )
        self._log(at, "cross_county_duplicate", SYSTEM)
        self._emit(ev.CrossCountyDuplicateFound(at, actor=SYSTEM, other_case_id=str(other_case_id)))
