"""The response chain: every allowed move, every refused one, skips with and without approval."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from child_protection.domain import events as ev
from child_protection.domain.errors import ApprovalRequired, InvalidTransition, MissingPrerequisite
from child_protection.domain.model import Case, Child, PlanItem, Report
from child_protection.domain.stages import BACKWARD, CHAIN, TERMINAL, Stage, position

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def new_case() -> Case:
    c = Case(
        id=uuid.uuid4(),
        case_ref="CP-500154-2026-000001",
        region_code="500154",
        urgency="urgent",
        child=Child(personkey="pk_x", name="小红"),
        opened_at=T0,
    )
    c.open(
        Report(id="r1", received_at=T0, source="mandatory_reporter", reporter_type="school", content="淤青"),
        T0,
        "reporter",
    )
    return c


def fulfil(c: Case, stage: Stage) -> None:
    """Produce what `stage` must have before the case may leave it."""
    if stage in (Stage.ACCEPTED, Stage.EMERGENCY):
        c.record_emergency("on_site_visit", "上门", T0, "w")
    elif stage == Stage.ASSESSMENT:
        c.assess(
            situation="s", capacity="c", risk_colour="yellow", findings="", hardship=False, at=T0, actor="w"
        )
    elif stage == Stage.SUPPORT:
        c.add_plan_item(PlanItem("p1", "counselling", "心理疏导", "王", "中心", "2026-12-31"), T0, "w")
    elif stage == Stage.INTERVENTION:
        c.record_intervention("parenting_education", "《家庭教育促进法》", "指导令", "", T0, "w")


def case_at(stage: Stage) -> Case:
    """A case walked along the chain to `stage` the regular way."""
    c = new_case()
    if stage in (Stage.DECLINED, Stage.REFERRED):
        c.decline(T0, "w", "不属于本部门职责", referred_to="公安" if stage == Stage.REFERRED else None)
        return c
    if stage == Stage.REPORTED:
        return c
    c.accept(T0, "w")
    for nxt in CHAIN[2 : position(stage) + 1]:
        current = c.stage
        fulfil(c, current)
        if nxt == Stage.CLOSED:
            c.close(T0, "w", "已反馈")
        else:
            c.advance(nxt, T0, "w")
    assert c.stage == stage
    return c


ADVANCE_TARGETS = [s for s in Stage if s not in (Stage.DECLINED, Stage.REFERRED)]


@pytest.mark.parametrize(("current", "target"), list(itertools.product(list(Stage), ADVANCE_TARGETS)))
def test_advance_allows_exactly_the_next_step_or_an_allowed_step_back(current: Stage, target: Stage) -> None:
    c = case_at(current)
    fulfil(c, current)
    allowed = (
        current not in TERMINAL
        and current != Stage.REPORTED
        and position(target) == position(current) + 1
        and target != Stage.CLOSED
    ) or target in BACKWARD.get(current, frozenset())
    if allowed:
        c.advance(target, T0, "w")
        assert c.stage == target
    else:
        before = c.stage
        with pytest.raises((InvalidTransition, ApprovalRequired)):
            c.advance(target, T0, "w")
        assert c.stage == before


def test_a_forward_jump_needs_approval() -> None:
    c = case_at(Stage.ASSESSMENT)
    fulfil(c, Stage.ASSESSMENT)
    with pytest.raises(ApprovalRequired):
        c.advance(Stage.INTERVENTION, T0, "w")


def test_skip_request_needs_a_reason_and_is_done_only_on_approval() -> None:
    c = case_at(Stage.ASSESSMENT)
    with pytest.raises(MissingPrerequisite):
        c.request_skip(Stage.CLOSED, "  ", T0, "w")
    c.request_skip(Stage.CLOSED, "低风险，无需干预", T0, "w")
    assert c.stage == Stage.ASSESSMENT and c.skip_request is not None
    with pytest.raises(MissingPrerequisite):
        c.approve_skip(T0, "supervisor", feedback="")
    c.approve_skip(T0 + timedelta(hours=1), "supervisor", feedback="经核实已无风险")
    assert c.stage == Stage.CLOSED and c.feedback == "经核实已无风险"
    changed = [e for e in c.events if isinstance(e, ev.StageChanged)][-1]
    assert changed.skipped == ("support", "intervention")
    assert changed.approved_by == "supervisor" and changed.skip_reason == "低风险，无需干预"


def test_rejected_skip_leaves_the_case_where_it_was() -> None:
    c = case_at(Stage.SUPPORT)
    c.request_skip(Stage.CLOSED, "家庭已恢复", T0, "w")
    c.reject_skip(T0, "supervisor", "仍需帮扶")
    assert c.stage == Stage.SUPPORT and c.skip_request is None
    with pytest.raises(InvalidTransition):
        c.approve_skip(T0, "supervisor")


def test_skipping_to_the_next_step_is_not_a_skip() -> None:
    c = case_at(Stage.ASSESSMENT)
    with pytest.raises(InvalidTransition):
        c.request_skip(Stage.SUPPORT, "理由", T0, "w")


@pytest.mark.parametrize(
    "stage", [Stage.ACCEPTED, Stage.EMERGENCY, Stage.ASSESSMENT, Stage.SUPPORT, Stage.INTERVENTION]
)
def test_a_step_cannot_be_left_without_its_record(stage: Stage) -> None:
    c = case_at(stage)
    if stage == Stage.EMERGENCY:
        c.records.clear()
    with pytest.raises(MissingPrerequisite):
        if stage == Stage.INTERVENTION:
            c.close(T0, "w", "反馈")
        else:
            c.advance(CHAIN[position(stage) + 1], T0, "w")


def test_closing_needs_feedback_and_no_running_temporary_guardianship() -> None:
    c = case_at(Stage.INTERVENTION)
    fulfil(c, Stage.INTERVENTION)
    with pytest.raises(MissingPrerequisite):
        c.close(T0, "w", " ")
    c.start_temporary_guardianship("区未成年人救助保护中心", "《未成年人保护法》第九十二条", T0, "w")
    with pytest.raises(MissingPrerequisite):
        c.close(T0, "w", "反馈")
    c.end_temporary_guardianship("返回家庭", T0, "w")
    c.close(T0, "w", "已反馈报告人")
    assert c.stage == Stage.CLOSED and isinstance(c.events[-1], ev.Closed)


def test_only_a_reported_case_can_be_accepted_declined_or_referred() -> None:
    c = case_at(Stage.ACCEPTED)
    for action in (lambda: c.accept(T0, "w"), lambda: c.decline(T0, "w", "理由")):
        with pytest.raises(InvalidTransition):
            action()
    fresh = new_case()
    with pytest.raises(MissingPrerequisite):
        fresh.decline(T0, "w", "")
    fresh.decline(T0, "w", "转公安处理", referred_to="公安")
    assert fresh.stage == Stage.REFERRED and not fresh.is_open


def test_reopen_returns_to_assessment_with_a_reason() -> None:
    c = case_at(Stage.CLOSED)
    with pytest.raises(MissingPrerequisite):
        c.reopen("", T0, "w")
    c.reopen("再次接到报告", T0, "w")
    assert c.stage == Stage.ASSESSMENT and c.closed_at is None
    assert isinstance(c.events[-1], ev.Reopened)


def test_assessment_with_hardship_requests_an_assistance_referral_and_sets_risk() -> None:
    c = case_at(Stage.ASSESSMENT)
    c.assess(
        situation="s",
        capacity="c",
        risk_colour="red",
        findings="父母均无收入",
        hardship=True,
        at=T0,
        actor="w",
    )
    kinds = [type(e) for e in c.events]
    assert ev.Assessed in kinds and ev.RiskChanged in kinds and ev.ReferralRequested in kinds
    assert c.risk_colour == "red"


def test_events_carry_the_stage_right_after_them() -> None:
    c = case_at(Stage.EMERGENCY)
    stages = [(type(e).__name__, e.stage) for e in c.events]
    assert ("Reported", "reported") in stages and ("Accepted", "accepted") in stages
    assert ("StageChanged", "emergency_response") in stages


def test_deadline_is_breached_once_per_step() -> None:
    c = case_at(Stage.ACCEPTED)
    c.step_due_at = T0 + timedelta(hours=48)
    assert not c.breach_deadline(T0 + timedelta(hours=47))
    assert c.breach_deadline(T0 + timedelta(hours=49))
    assert not c.breach_deadline(T0 + timedelta(hours=50))
    assert sum(isinstance(e, ev.DeadlineBreached) for e in c.events) == 1
