"""The response chain: every allowed move, every refused one, skips with and without approval. The allowed
moves are written out here, not derived from the model's own tables."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from child_protection.domain import case_events as ev
from child_protection.domain.case_model import Case
from child_protection.domain.case_parts import Child, PlanItem, Report
from child_protection.domain.deadlines import DeadlinePolicy
from child_protection.domain.errors import ApprovalRequired, InvalidTransition, MissingPrerequisite
from child_protection.domain.stages import Stage

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
S = Stage
# Every stage, and the way a case gets there the regular way (after 受理).
WALK = (S.ACCEPTED, S.EMERGENCY, S.ASSESSMENT, S.SUPPORT, S.INTERVENTION, S.CLOSED)
# The only moves `advance` makes: the next step, or from 监护干预 back to 帮扶.
ALLOWED_ADVANCES = {
    (S.ACCEPTED, S.EMERGENCY),
    (S.EMERGENCY, S.ASSESSMENT),
    (S.ASSESSMENT, S.SUPPORT),
    (S.SUPPORT, S.INTERVENTION),
    (S.INTERVENTION, S.SUPPORT),
}
# Forward jumps of more than one step: refused as needing approval (the others as invalid).
NEEDS_APPROVAL = {
    (S.ACCEPTED, S.ASSESSMENT),
    (S.ACCEPTED, S.SUPPORT),
    (S.ACCEPTED, S.INTERVENTION),
    (S.EMERGENCY, S.SUPPORT),
    (S.EMERGENCY, S.INTERVENTION),
    (S.ASSESSMENT, S.INTERVENTION),
}


def new_case() -> Case:
    c = Case(
        id=uuid.uuid4(),
        case_ref="CP-500154-2026-000001",
        region_code="500154",
        urgency="urgent",
        child=Child(personkey="pk_x", name="小红"),
        opened_at=T0,
    )
    report = Report(
        id="r1", received_at=T0, source="mandatory_reporter", reporter_type="school", content="淤青"
    )
    c.open(report, T0, "陈老师")
    return c


def fulfil(c: Case) -> None:
    """Produce what the current stage must have before the case may leave it."""
    if c.stage in (S.ACCEPTED, S.EMERGENCY):
        c.record_emergency("on_site_visit", "上门", T0, "李社工")
    elif c.stage == S.ASSESSMENT:
        c.assess(
            situation="s",
            capacity="c",
            risk_colour="yellow",
            findings="",
            hardship=False,
            at=T0,
            actor="李社工",
        )
    elif c.stage == S.SUPPORT:
        c.add_plan_item(
            PlanItem("p1", "counselling", "心理疏导", "王", "中心", date(2026, 12, 31)), T0, "李社工"
        )
    elif c.stage == S.INTERVENTION:
        c.record_intervention("parenting_education", "《家庭教育促进法》", "指导令", "", T0, "李社工")


def case_at(stage: Stage) -> Case:
    """A case walked along the chain to `stage` the regular way."""
    c = new_case()
    if stage == S.DECLINED:
        c.decline(T0, "李社工", "不属于本部门职责")
    elif stage == S.REFERRED:
        c.refer(T0, "李社工", "开州区公安局", "涉嫌刑事案件")
    elif stage != S.REPORTED:
        c.accept(T0, "李社工", "test:li")
        for nxt in WALK[1 : WALK.index(stage) + 1]:
            fulfil(c)
            if nxt == S.CLOSED:
                c.close(T0, "李社工", "已反馈")
            else:
                c.advance(nxt, T0, "李社工")
    assert c.stage == stage
    return c


ADVANCE_TARGETS = [s for s in Stage if s not in (S.DECLINED, S.REFERRED)]


@pytest.mark.parametrize(("current", "target"), list(itertools.product(list(Stage), ADVANCE_TARGETS)))
def test_advance_makes_exactly_the_listed_moves(current: Stage, target: Stage) -> None:
    c = case_at(current)
    fulfil(c)
    if (current, target) in ALLOWED_ADVANCES:
        c.advance(target, T0, "李社工")
        assert c.stage == target
        return
    expected = ApprovalRequired if (current, target) in NEEDS_APPROVAL else InvalidTransition
    with pytest.raises(expected):
        c.advance(target, T0, "李社工")
    assert c.stage == current


def test_a_forward_jump_names_the_approver_role() -> None:
    c = case_at(S.ASSESSMENT)
    fulfil(c)
    with pytest.raises(ApprovalRequired, match="跳过环节需要填写理由并经审核人审批"):
        c.advance(S.INTERVENTION, T0, "李社工")


def test_skip_request_needs_a_reason_and_is_done_only_on_approval() -> None:
    c = case_at(S.ASSESSMENT)
    with pytest.raises(MissingPrerequisite):
        c.request_skip(S.CLOSED, "  ", T0, "李社工")
    c.request_skip(S.CLOSED, "低风险，无需干预", T0, "李社工")
    assert c.stage == S.ASSESSMENT and c.skip_request is not None
    with pytest.raises(MissingPrerequisite):
        c.approve_skip(T0, "赵审核", feedback="")
    c.approve_skip(T0 + timedelta(hours=1), "赵审核", feedback="经核实已无风险")
    assert c.stage == S.CLOSED and c.feedback == "经核实已无风险"
    changed = [e for e in c.events if isinstance(e, ev.StageChanged)][-1]
    assert changed.skipped == ("support", "intervention")
    assert changed.approved_by == "赵审核" and changed.skip_reason == "低风险，无需干预"


def test_rejected_skip_leaves_the_case_where_it_was() -> None:
    c = case_at(S.SUPPORT)
    c.request_skip(S.CLOSED, "家庭已恢复", T0, "李社工")
    with pytest.raises(MissingPrerequisite):
        c.reject_skip(T0, "赵审核", "")
    c.reject_skip(T0, "赵审核", "仍需帮扶")
    assert c.stage == S.SUPPORT and c.skip_request is None
    with pytest.raises(InvalidTransition):
        c.approve_skip(T0, "赵审核")


@pytest.mark.parametrize(
    ("stage", "target"), [(S.ASSESSMENT, S.SUPPORT), (S.REPORTED, S.ASSESSMENT), (S.CLOSED, S.INTERVENTION)]
)
def test_skipping_needs_a_jump_of_at_least_one_step_from_an_accepted_open_case(
    stage: Stage, target: Stage
) -> None:
    with pytest.raises(InvalidTransition):
        case_at(stage).request_skip(target, "理由", T0, "李社工")


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (S.ACCEPTED, "受理后须先上门核查"),
        (S.EMERGENCY, "应急处置环节须至少记录一次“上门核查”"),
        (S.ASSESSMENT, "请先完成并提交评估"),
        (S.SUPPORT, "请先制定服务清单"),
        (S.INTERVENTION, "请先记录监护干预措施"),
    ],
)
def test_a_step_cannot_be_left_without_its_record(stage: Stage, message: str) -> None:
    c = case_at(stage)
    if stage == S.EMERGENCY:
        c.records.clear()
    nxt = {
        S.ACCEPTED: S.EMERGENCY,
        S.EMERGENCY: S.ASSESSMENT,
        S.ASSESSMENT: S.SUPPORT,
        S.SUPPORT: S.INTERVENTION,
    }
    with pytest.raises(MissingPrerequisite, match=message):
        if stage == S.INTERVENTION:
            c.close(T0, "李社工", "反馈")
        else:
            c.advance(nxt[stage], T0, "李社工")


def test_closing_needs_feedback_and_no_running_temporary_guardianship() -> None:
    c = case_at(S.INTERVENTION)
    fulfil(c)
    with pytest.raises(MissingPrerequisite):
        c.close(T0, "李社工", " ")
    c.start_temporary_guardianship("区未成年人救助保护中心", "《未成年人保护法》第九十二条", T0, "李社工")
    with pytest.raises(MissingPrerequisite, match="临时监护尚未结束"):
        c.close(T0, "李社工", "反馈")
    c.end_temporary_guardianship("返回家庭", T0, "李社工")
    c.close(T0, "李社工", "已反馈报告人")
    assert c.stage == S.CLOSED and isinstance(c.events[-1], ev.Closed)
    assert c.records[-1].kind == "temporary_guardianship" and c.records[-1].data["outcome"] == "返回家庭"


def test_only_a_reported_case_can_be_accepted_declined_or_referred() -> None:
    c = case_at(S.ACCEPTED)
    for refused in (
        lambda: c.accept(T0, "李社工", "test:li"),
        lambda: c.decline(T0, "李社工", "理由"),
        lambda: c.refer(T0, "李社工", "公安", "理由"),
    ):
        with pytest.raises(InvalidTransition):
            refused()


def test_a_referral_names_the_receiving_agency() -> None:
    c = new_case()
    with pytest.raises(MissingPrerequisite, match="请填写转介单位"):
        c.refer(T0, "李社工", "  ", "属教育部门职责")
    with pytest.raises(MissingPrerequisite):
        c.refer(T0, "李社工", "开州区教育委员会", "")
    c.refer(T0, "李社工", "开州区教育委员会", "属教育部门职责")
    assert c.stage == S.REFERRED and not c.is_open and c.feedback == "属教育部门职责"
    declined = c.events[-1]
    assert isinstance(declined, ev.Declined) and declined.referred_to == "开州区教育委员会"


def test_a_plain_decline_names_no_agency() -> None:
    c = new_case()
    c.decline(T0, "李社工", "经核实不属于未成年人保护范围")
    assert c.stage == S.DECLINED
    assert c.events[-1] == ev.Declined(
        T0, actor="李社工", stage="declined", reason="经核实不属于未成年人保护范围", referred_to=None
    )


def test_accepting_keeps_the_owners_id_and_name_apart() -> None:
    c = new_case()
    c.accept(T0, "李社工", "dev:li")
    assert (c.owner, c.owner_name) == ("dev:li", "李社工")
    assert c.history[-1].actor == "李社工"


def test_reopen_returns_to_assessment_with_a_reason() -> None:
    c = case_at(S.CLOSED)
    with pytest.raises(MissingPrerequisite, match="请填写重新办理的理由"):
        c.reopen("", T0, "李社工")
    c.reopen("再次接到报告", T0, "李社工")
    assert c.stage == S.ASSESSMENT and c.closed_at is None
    assert isinstance(c.events[-1], ev.Reopened)
    assert c.history[-1].action == "reopened"


def test_a_low_satisfaction_score_reopens_a_closed_case_and_flags_an_open_one() -> None:
    closed = case_at(S.CLOSED)
    assert closed.hotline_dissatisfied(1, "没人联系我，电话13912345678", T0) is True
    assert closed.stage == S.ASSESSMENT
    reopened = closed.events[-1]
    assert isinstance(reopened, ev.Reopened)
    assert reopened.reason == "12345 回访不满意（1分）：没人联系我，电话139****5678"
    open_case = case_at(S.SUPPORT)
    assert open_case.hotline_dissatisfied(2, None, T0) is False
    assert open_case.stage == S.SUPPORT
    assert (open_case.records[-1].kind, open_case.records[-1].data) == (
        "hotline_dissatisfied",
        {"score": 2, "note": "12345 回访不满意（2分）"},
    )


def test_assessment_with_hardship_requests_an_assistance_referral_and_sets_risk() -> None:
    c = case_at(S.ASSESSMENT)
    c.assess(
        situation="s",
        capacity="c",
        risk_colour="red",
        findings="父母均无收入",
        hardship=True,
        at=T0,
        actor="w",
    )
    kinds = [type(e) for e in c.events[-3:]]
    assert kinds == [ev.Assessed, ev.RiskChanged, ev.ReferralRequested]
    assert c.risk_colour == "red"


def test_events_carry_the_stage_right_after_them() -> None:
    c = case_at(S.EMERGENCY)
    assert [(type(e).__name__, e.stage) for e in c.events] == [
        ("Reported", "reported"),
        ("Accepted", "accepted"),
        ("EmergencyResponded", "accepted"),
        ("StageChanged", "emergency_response"),
    ]


def test_deadline_is_breached_once_per_step() -> None:
    c = case_at(S.ACCEPTED)
    c.step_due_at = T0 + timedelta(hours=48)
    assert c.breach_deadline(T0 + timedelta(hours=47)) is None
    assert c.breach_deadline(T0 + timedelta(hours=49)) == "accepted"
    assert c.breach_deadline(T0 + timedelta(hours=50)) is None
    assert sum(isinstance(e, ev.DeadlineBreached) for e in c.events) == 1


def test_the_12345_deadline_shortens_every_step_while_the_case_is_open() -> None:
    policy = DeadlinePolicy()
    c = new_case()  # urgent: a report is accepted within 4 hours
    c.schedule(policy)
    assert c.step_due_at == T0 + timedelta(hours=4)
    c.bind_hotline_deadline(T0 + timedelta(hours=2))
    c.bind_hotline_deadline(T0 + timedelta(hours=3))  # a later deadline does not relax the earlier one
    c.schedule(policy)
    assert c.step_due_at == T0 + timedelta(hours=2)
    c.accept(T0 + timedelta(hours=1), "李社工", "test:li")
    c.schedule(policy)  # on-site within 48 hours, but the 12345 deadline comes first
    assert c.step_due_at == T0 + timedelta(hours=2)
    closed = case_at(S.CLOSED)
    closed.bind_hotline_deadline(T0 + timedelta(hours=2))
    closed.schedule(policy)
    assert closed.step_due_at is None
