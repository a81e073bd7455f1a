"""The application's state machine: every stage × every action, allowed or refused, written out here (not
derived from the model's tables); then every precondition, withdrawal, re-application, the appraisal skip,
objections during 公示, the signed decisions and the events."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from assistance.domain import application_events as ev
from assistance.domain.application_model import Application
from assistance.domain.application_parts import (
    Actor,
    AlertKind,
    DecisionKind,
    Department,
    LeadSource,
    ReviewLevel,
    VerificationStatus,
    make_case_ref,
)
from assistance.domain.errors import (
    InvalidApplicationData,
    InvalidTransition,
    MissingPrerequisite,
    WrongReviewLevel,
)
from assistance.domain.programmes import Programme, TemporaryKind
from assistance.domain.stages import Stage, label

S = Stage
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=20)
HH = uuid.UUID("00000000-0000-0000-0000-0000000000aa")
CW = Actor("u-li", "李经办", "caseworker")
SUP = Actor("u-zhao", "赵审核", "supervisor")

ACTIONS = (
    "convert_lead",
    "close_lead",
    "accept",
    "decline",
    "cover",
    "request_verification",
    "record_verification",
    "complete_verification",
    "record_home_visit",
    "record_appraisal",
    "skip_appraisal",
    "record_review",
    "start_publicity",
    "record_objection",
    "approve",
    "reject",
    "start_payment",
    "enter_management",
    "change_benefit",
    "flag_review_due",
    "record_periodic_review",
    "raise_alert",
    "request_referral",
    "suspend",
    "resume",
    "end",
    "withdraw",
    "reapply",
)
# How each refusal names the action it refused.
ACTION_WORDS = {
    "convert_lead": "转为救助申请",
    "close_lead": "关闭线索",
    "accept": "受理",
    "decline": "不予受理",
    "cover": "调整救助对象",
    "request_verification": "发起家庭经济状况核对",
    "record_verification": "登记核对结果",
    "complete_verification": "完成家庭经济状况核对",
    "record_home_visit": "登记入户调查",
    "record_appraisal": "登记民主评议",
    "skip_appraisal": "免于民主评议",
    "record_review": "登记审核确认意见",
    "start_publicity": "开始公示",
    "record_objection": "登记公示异议",
    "approve": "批准",
    "reject": "不予批准",
    "start_payment": "开始发放",
    "enter_management": "转入动态管理",
    "change_benefit": "调整救助金额",
    "flag_review_due": "提示定期核查",
    "record_periodic_review": "登记定期核查",
    "raise_alert": "登记预警信息",
    "request_referral": "转介",
    "suspend": "暂停发放",
    "resume": "恢复发放",
    "end": "终止救助",
    "withdraw": "撤回申请",
    "reapply": "重新申请",
}
STAGE_NAMES = {
    S.LEAD: "线索",
    S.APPLIED: "申请",
    S.ACCEPTED: "受理",
    S.VERIFYING: "家庭经济状况核对",
    S.HOME_VISIT: "入户调查",
    S.APPRAISAL: "民主评议",
    S.REVIEW: "审核确认",
    S.PUBLICITY: "公示",
    S.APPROVED: "批准",
    S.PAYING: "发放",
    S.MANAGED: "动态管理",
    S.SUSPENDED: "暂停",
    S.ENDED: "终止",
    S.DECLINED: "不予受理",
    S.REJECTED: "不予批准",
    S.WITHDRAWN: "撤回",
    S.LEAD_CLOSED: "线索已关闭",
}

# 低保 (特困 takes the same path): (stage, action) → the stage after it; every pair not listed is refused.
DIBAO_ALLOWED: dict[tuple[Stage, str], Stage] = {
    (S.LEAD, "convert_lead"): S.APPLIED,
    (S.LEAD, "close_lead"): S.LEAD_CLOSED,
    (S.APPLIED, "accept"): S.ACCEPTED,
    (S.APPLIED, "decline"): S.DECLINED,
    (S.APPLIED, "cover"): S.APPLIED,
    (S.APPLIED, "withdraw"): S.WITHDRAWN,
    (S.ACCEPTED, "cover"): S.ACCEPTED,
    (S.ACCEPTED, "request_verification"): S.VERIFYING,
    (S.ACCEPTED, "withdraw"): S.WITHDRAWN,
    (S.VERIFYING, "cover"): S.VERIFYING,
    (S.VERIFYING, "request_verification"): S.VERIFYING,
    (S.VERIFYING, "record_verification"): S.VERIFYING,
    (S.VERIFYING, "complete_verification"): S.HOME_VISIT,
    (S.VERIFYING, "withdraw"): S.WITHDRAWN,
    (S.HOME_VISIT, "cover"): S.HOME_VISIT,
    (S.HOME_VISIT, "record_home_visit"): S.APPRAISAL,
    (S.HOME_VISIT, "withdraw"): S.WITHDRAWN,
    (S.APPRAISAL, "cover"): S.APPRAISAL,
    (S.APPRAISAL, "record_appraisal"): S.REVIEW,
    (S.APPRAISAL, "skip_appraisal"): S.REVIEW,
    (S.APPRAISAL, "withdraw"): S.WITHDRAWN,
    (S.REVIEW, "cover"): S.REVIEW,
    (S.REVIEW, "record_review"): S.REVIEW,
    (S.REVIEW, "start_publicity"): S.PUBLICITY,
    (S.REVIEW, "reject"): S.REJECTED,
    (S.REVIEW, "withdraw"): S.WITHDRAWN,
    (S.PUBLICITY, "cover"): S.PUBLICITY,
    (S.PUBLICITY, "record_objection"): S.PUBLICITY,
    (S.PUBLICITY, "approve"): S.APPROVED,
    (S.PUBLICITY, "reject"): S.REJECTED,
    (S.PUBLICITY, "withdraw"): S.WITHDRAWN,
    (S.APPROVED, "cover"): S.APPROVED,
    (S.APPROVED, "start_payment"): S.PAYING,
    (S.APPROVED, "request_referral"): S.APPROVED,
    (S.APPROVED, "end"): S.ENDED,
    (S.PAYING, "cover"): S.PAYING,
    (S.PAYING, "enter_management"): S.MANAGED,
    (S.PAYING, "change_benefit"): S.PAYING,
    (S.PAYING, "raise_alert"): S.PAYING,
    (S.PAYING, "request_referral"): S.PAYING,
    (S.PAYING, "suspend"): S.SUSPENDED,
    (S.PAYING, "end"): S.ENDED,
    (S.MANAGED, "cover"): S.MANAGED,
    (S.MANAGED, "change_benefit"): S.MANAGED,
    (S.MANAGED, "flag_review_due"): S.MANAGED,
    (S.MANAGED, "record_periodic_review"): S.MANAGED,
    (S.MANAGED, "raise_alert"): S.MANAGED,
    (S.MANAGED, "request_referral"): S.MANAGED,
    (S.MANAGED, "suspend"): S.SUSPENDED,
    (S.MANAGED, "end"): S.ENDED,
    (S.SUSPENDED, "cover"): S.SUSPENDED,
    (S.SUSPENDED, "raise_alert"): S.SUSPENDED,
    (S.SUSPENDED, "request_referral"): S.SUSPENDED,
    (S.SUSPENDED, "resume"): S.MANAGED,
    (S.SUSPENDED, "end"): S.ENDED,
    (S.ENDED, "request_referral"): S.ENDED,
    (S.ENDED, "reapply"): S.ENDED,
    (S.DECLINED, "reapply"): S.DECLINED,
    (S.REJECTED, "request_referral"): S.REJECTED,
    (S.REJECTED, "reapply"): S.REJECTED,
    (S.WITHDRAWN, "reapply"): S.WITHDRAWN,
}
# 临时救助: no 民主评议, no 公示, no 动态管理 (those stages are never reached); approved after 审核确认.
TEMPORARY_ALLOWED: dict[tuple[Stage, str], Stage] = {
    (S.LEAD, "convert_lead"): S.APPLIED,
    (S.LEAD, "close_lead"): S.LEAD_CLOSED,
    (S.APPLIED, "accept"): S.ACCEPTED,
    (S.APPLIED, "decline"): S.DECLINED,
    (S.APPLIED, "cover"): S.APPLIED,
    (S.APPLIED, "withdraw"): S.WITHDRAWN,
    (S.ACCEPTED, "cover"): S.ACCEPTED,
    (S.ACCEPTED, "request_verification"): S.VERIFYING,
    (S.ACCEPTED, "withdraw"): S.WITHDRAWN,
    (S.VERIFYING, "cover"): S.VERIFYING,
    (S.VERIFYING, "request_verification"): S.VERIFYING,
    (S.VERIFYING, "record_verification"): S.VERIFYING,
    (S.VERIFYING, "complete_verification"): S.HOME_VISIT,
    (S.VERIFYING, "withdraw"): S.WITHDRAWN,
    (S.HOME_VISIT, "cover"): S.HOME_VISIT,
    (S.HOME_VISIT, "record_home_visit"): S.REVIEW,
    (S.HOME_VISIT, "withdraw"): S.WITHDRAWN,
    (S.REVIEW, "cover"): S.REVIEW,
    (S.REVIEW, "record_review"): S.REVIEW,
    (S.REVIEW, "approve"): S.APPROVED,
    (S.REVIEW, "reject"): S.REJECTED,
    (S.REVIEW, "withdraw"): S.WITHDRAWN,
    (S.APPROVED, "cover"): S.APPROVED,
    (S.APPROVED, "start_payment"): S.PAYING,
    (S.APPROVED, "request_referral"): S.APPROVED,
    (S.APPROVED, "end"): S.ENDED,
    (S.PAYING, "cover"): S.PAYING,
    (S.PAYING, "change_benefit"): S.PAYING,
    (S.PAYING, "raise_alert"): S.PAYING,
    (S.PAYING, "request_referral"): S.PAYING,
    (S.PAYING, "suspend"): S.SUSPENDED,
    (S.PAYING, "end"): S.ENDED,
    (S.SUSPENDED, "cover"): S.SUSPENDED,
    (S.SUSPENDED, "raise_alert"): S.SUSPENDED,
    (S.SUSPENDED, "request_referral"): S.SUSPENDED,
    (S.SUSPENDED, "resume"): S.PAYING,
    (S.SUSPENDED, "end"): S.ENDED,
    (S.ENDED, "request_referral"): S.ENDED,
    (S.ENDED, "reapply"): S.ENDED,
    (S.DECLINED, "reapply"): S.DECLINED,
    (S.REJECTED, "request_referral"): S.REJECTED,
    (S.REJECTED, "reapply"): S.REJECTED,
    (S.WITHDRAWN, "reapply"): S.WITHDRAWN,
}
TEMPORARY_STAGES = [s for s in STAGE_NAMES if s not in (S.APPRAISAL, S.PUBLICITY, S.MANAGED)]


def new_application(programme: Programme = Programme.DIBAO) -> Application:
    kind = TemporaryKind.URGENT if programme == Programme.TEMPORARY else None
    return Application.apply(
        uuid.uuid4(),
        "SA-500154-2026-000123",
        "500154",
        programme,
        HH,
        "pk_a",
        ("pk_a", "pk_b"),
        T0,
        CW,
        temporary_kind=kind,
    )


def new_lead() -> Application:
    return Application.open_lead(
        uuid.uuid4(), "SA-500154-2026-000124", "500154", LeadSource.HOTLINE, "来电反映家中困难", T0, CW
    )


def day(n: int) -> datetime:
    return T0 + timedelta(days=n)


# The regular way to each stage: the steps from 申请, each at its own time.
WALK: list[tuple[Stage, Callable[[Application], None]]] = [
    (S.ACCEPTED, lambda a: a.accept(ReviewLevel.TOWNSHIP, day(0), CW)),
    (
        S.VERIFYING,
        lambda a: a.request_verification(
            [("pk_a", Department.PUBLIC_SECURITY), ("pk_a", Department.HUMAN_RESOURCES)], day(0), CW
        ),
    ),
    (S.HOME_VISIT, lambda a: answer_all_and_complete(a, day(1))),
    (S.APPRAISAL, lambda a: a.record_home_visit("家中两人，无稳定收入", day(2), CW)),
    (S.REVIEW, lambda a: a.skip_appraisal("申请无争议", day(3), CW)),
    (S.PUBLICITY, lambda a: review_then_publicise(a, day(4))),
    (S.APPROVED, lambda a: a.approve(Decimal("620"), "符合低保条件", day(12), SUP)),
    (S.PAYING, lambda a: a.start_payment(date(2026, 12, 1), day(12), CW)),
    (S.MANAGED, lambda a: a.enter_management(date(2027, 11, 1), day(13), CW)),
    (S.SUSPENDED, lambda a: a.suspend("核查防错预警", day(14), SUP)),
]
TEMPORARY_WALK: list[tuple[Stage, Callable[[Application], None]]] = [
    *WALK[:3],
    (S.REVIEW, lambda a: a.record_home_visit("突发重病，医疗支出大", day(2), CW)),
    (S.APPROVED, lambda a: review_then_approve(a, day(4))),
    (S.PAYING, lambda a: a.start_payment(date(2026, 11, 1), day(4), CW)),
    (S.SUSPENDED, lambda a: a.suspend("核实急难情况", day(5), SUP)),
]
ENDINGS: dict[Stage, Callable[[Application], None]] = {
    S.LEAD_CLOSED: lambda a: a.close_lead("经核实不困难", T0, CW),
    S.DECLINED: lambda a: a.decline("不属于本辖区", T0, CW),
    S.WITHDRAWN: lambda a: a.withdraw("申请人撤回", T0, CW),
    S.REJECTED: lambda a: a.reject("家庭财产超过限定标准", day(4), SUP),
    S.ENDED: lambda a: a.end("家庭收入超过低保标准", day(15), SUP),
}
# Where each ending is taken from on the regular way.
ENDING_FROM = {
    S.DECLINED: S.APPLIED,
    S.WITHDRAWN: S.APPLIED,
    S.REJECTED: S.REVIEW,
    S.ENDED: S.SUSPENDED,
}


def answer_all_and_complete(a: Application, at: datetime) -> None:
    for v in list(a.verifications):
        if v.status == VerificationStatus.REQUESTED:
            a.record_verification(v.personkey, v.department, VerificationStatus.ANSWERED, at, CW)
    a.complete_verification(at, CW)


def review_then_publicise(a: Application, at: datetime) -> None:
    a.record_review(True, "符合条件", ReviewLevel.TOWNSHIP, at, SUP)
    a.start_publicity(at, CW)


def review_then_approve(a: Application, at: datetime) -> None:
    a.record_review(True, "符合临时救助条件", ReviewLevel.TOWNSHIP, at, SUP)
    a.approve(Decimal("3000"), "急难型临时救助", at, SUP)


def application_at(stage: Stage, programme: Programme = Programme.DIBAO) -> Application:
    """An application walked to `stage` the regular way."""
    if stage in (S.LEAD, S.LEAD_CLOSED):
        a = new_lead()
        if stage == S.LEAD_CLOSED:
            ENDINGS[stage](a)
        return a
    a = new_application(programme)
    target = ENDING_FROM.get(stage, stage)
    walk = TEMPORARY_WALK if programme == Programme.TEMPORARY else WALK
    for reached, step in walk:
        if a.stage == target:
            break
        step(a)
        assert a.stage == reached
    if stage in ENDINGS:
        ENDINGS[stage](a)
    assert a.stage == stage
    return a


def stage_of(a: Application) -> Stage:
    """The stage, read afresh (mypy keeps an earlier assertion's narrowing across method calls)."""
    return a.stage


def perform(a: Application, action: str, programme: Programme) -> object:
    """Call `action` with valid arguments at LATER; for REVIEW → 批准 the review opinion comes first."""
    kind = TemporaryKind.URGENT if programme == Programme.TEMPORARY else None
    calls: dict[str, Callable[[], object]] = {
        "convert_lead": lambda: a.convert_lead(
            programme, HH, "pk_a", ("pk_a", "pk_b"), LATER, CW, temporary_kind=kind
        ),
        "close_lead": lambda: a.close_lead("经核实不困难", LATER, CW),
        "accept": lambda: a.accept(ReviewLevel.TOWNSHIP, LATER, CW),
        "decline": lambda: a.decline("不属于本辖区", LATER, CW),
        "cover": lambda: a.cover(("pk_a",), "参照单人户纳入", LATER, CW),
        "request_verification": lambda: a.request_verification([("pk_b", Department.FINANCE)], LATER, CW),
        "record_verification": lambda: a.record_verification(
            "pk_a", Department.PUBLIC_SECURITY, VerificationStatus.ANSWERED, LATER, CW
        ),
        "complete_verification": lambda: a.complete_verification(LATER, CW),
        "record_home_visit": lambda: a.record_home_visit("入户核实", LATER, CW, gap_note="已入户核实"),
        "record_appraisal": lambda: a.record_appraisal("一致同意", 9, LATER, CW),
        "skip_appraisal": lambda: a.skip_appraisal("申请无争议", LATER, CW),
        "record_review": lambda: a.record_review(True, "符合条件", ReviewLevel.TOWNSHIP, LATER, SUP),
        "start_publicity": lambda: a.start_publicity(LATER, CW),
        "record_objection": lambda: a.record_objection(
            "反映家中有车", "经核实车辆已报废，异议不成立", False, LATER, CW
        ),
        "approve": lambda: a.approve(Decimal("620"), "符合条件", LATER, SUP),
        "reject": lambda: a.reject("家庭财产超过限定标准", LATER, SUP),
        "start_payment": lambda: a.start_payment(date(2026, 12, 1), LATER, CW),
        "enter_management": lambda: a.enter_management(date(2027, 11, 1), LATER, CW),
        "change_benefit": lambda: a.change_benefit(Decimal("700"), "低保标准调整", LATER, SUP),
        "flag_review_due": lambda: a.flag_review_due(LATER),
        "record_periodic_review": lambda: a.record_periodic_review(
            "家庭情况无变化", date(2027, 11, 1), LATER, CW
        ),
        "raise_alert": lambda: a.raise_alert(AlertKind.WRONG_INCLUSION, "名下新增车辆", LATER),
        "request_referral": lambda: a.request_referral("开州区医疗保障局", "需医疗救助", LATER, CW),
        "suspend": lambda: a.suspend("核查预警信息", LATER, SUP),
        "resume": lambda: a.resume("核实无误", LATER, SUP),
        "end": lambda: a.end("家庭收入超过标准", LATER, SUP),
        "withdraw": lambda: a.withdraw("申请人撤回", LATER, CW),
        "reapply": lambda: a.reapply(uuid.uuid4(), "SA-500154-2026-000200", LATER, CW),
    }
    return calls[action]()


def test_the_tables_name_every_stage_and_action() -> None:
    assert set(STAGE_NAMES) == set(Stage)
    assert set(ACTION_WORDS) == set(ACTIONS)
    public = {n for n in dir(Application) if not n.startswith("_") and callable(getattr(Application, n))}
    assert public - {"open_lead", "apply", "coverage"} == set(ACTIONS)


@pytest.mark.parametrize(("stage", "action"), list(itertools.product(STAGE_NAMES, ACTIONS)))
def test_dibao_makes_exactly_the_listed_moves(stage: Stage, action: str) -> None:
    check_move(stage, action, Programme.DIBAO, DIBAO_ALLOWED)


@pytest.mark.parametrize(("stage", "action"), list(itertools.product(TEMPORARY_STAGES, ACTIONS)))
def test_temporary_assistance_makes_exactly_the_listed_moves(stage: Stage, action: str) -> None:
    check_move(stage, action, Programme.TEMPORARY, TEMPORARY_ALLOWED)


def check_move(
    stage: Stage, action: str, programme: Programme, table: dict[tuple[Stage, str], Stage]
) -> None:
    a = application_at(stage, programme)
    if action == "approve" and (stage, action) in table and a.review is None:
        a.record_review(True, "符合条件", ReviewLevel.TOWNSHIP, LATER, SUP)
    if action == "start_publicity" and (stage, action) in table:
        a.record_review(True, "符合条件", ReviewLevel.TOWNSHIP, LATER, SUP)
    events, decisions = len(a.events), len(a.decisions)
    if (stage, action) in table:
        perform(a, action, programme)
        assert a.stage == table[(stage, action)]
        return
    with pytest.raises(InvalidTransition) as refused:
        perform(a, action, programme)
    assert a.stage == stage
    assert (len(a.events), len(a.decisions)) == (events, decisions)
    assert f"“{STAGE_NAMES[stage]}”" in refused.value.message
    assert ACTION_WORDS[action] in refused.value.message


def test_every_stage_has_its_chinese_name() -> None:
    assert {s: label(s) for s in Stage} == STAGE_NAMES


# ---- opening: leads and applications ---------------------------------------------------------------------
def test_a_lead_records_its_source_and_masks_numbers_in_the_summary() -> None:
    lead = Application.open_lead(
        uuid.uuid4(),
        "SA-500154-2026-000001",
        "500154",
        LeadSource.CHILD_PROTECTION,
        "家长电话13812345678，家庭困难",
        T0,
        CW,
        source_ref="cp-case-1",
        personkeys=("pk_a",),
    )
    assert (lead.stage, lead.lead_source, lead.lead_ref, lead.programme) == (
        S.LEAD,
        LeadSource.CHILD_PROTECTION,
        "cp-case-1",
        None,
    )
    opened = lead.events[-1]
    assert isinstance(opened, ev.LeadOpened)
    assert "13812345678" not in opened.summary and "138****5678" in opened.summary
    assert (opened.source, opened.personkeys, opened.stage) == (
        "child_protection_referral",
        ("pk_a",),
        "lead",
    )
    assert lead.coverage() is None


def test_a_converted_lead_is_an_application_that_remembers_its_source() -> None:
    lead = new_lead()
    lead.convert_lead(Programme.DIBAO, HH, "pk_a", ("pk_a", "pk_b", "pk_a"), T0, CW)
    applied = lead.events[-1]
    assert isinstance(applied, ev.Applied)
    assert (applied.lead_source, applied.programme, applied.personkeys) == (
        "hotline",
        "dibao",
        ("pk_a", "pk_b"),
    )
    assert applied.household_id == str(HH)


def test_an_application_names_its_applicant_members_and_kind() -> None:
    lead = new_lead()
    with pytest.raises(MissingPrerequisite, match="请选择申请救助的家庭成员"):
        lead.convert_lead(Programme.DIBAO, HH, "pk_a", (" ",), T0, CW)
    with pytest.raises(MissingPrerequisite, match="请选择申请人"):
        lead.convert_lead(Programme.DIBAO, HH, "  ", ("pk_a",), T0, CW)
    with pytest.raises(InvalidApplicationData, match="急难型或支出型"):
        lead.convert_lead(Programme.TEMPORARY, HH, "pk_a", ("pk_a",), T0, CW)
    with pytest.raises(InvalidApplicationData):
        lead.convert_lead(Programme.TEKUN, HH, "pk_a", ("pk_a",), T0, CW, temporary_kind=TemporaryKind.URGENT)
    assert lead.stage == S.LEAD


def test_an_application_belongs_to_a_county() -> None:
    with pytest.raises(InvalidApplicationData):
        Application(uuid.uuid4(), "SA-x", "5001", T0)
    assert make_case_ref("500154", 2026, 123) == "SA-500154-2026-000123"
    with pytest.raises(InvalidApplicationData):
        make_case_ref("50015", 2026, 1)
    with pytest.raises(InvalidApplicationData):
        make_case_ref("500154", 2026, 0)


# ---- every step that needs a reason ----------------------------------------------------------------------
REASONED: list[tuple[Stage, Callable[[Application, str], object]]] = [
    (S.LEAD, lambda a, r: a.close_lead(r, T0, CW)),
    (S.APPLIED, lambda a, r: a.decline(r, T0, CW)),
    (S.APPLIED, lambda a, r: a.withdraw(r, T0, CW)),
    (S.APPLIED, lambda a, r: a.cover(("pk_a",), r, T0, CW)),
    (S.APPRAISAL, lambda a, r: a.skip_appraisal(r, T0, CW)),
    (S.APPRAISAL, lambda a, r: a.record_appraisal(r, 5, T0, CW)),
    (S.REVIEW, lambda a, r: a.record_review(True, r, ReviewLevel.TOWNSHIP, T0, SUP)),
    (S.REVIEW, lambda a, r: a.reject(r, T0, SUP)),
    (S.PUBLICITY, lambda a, r: a.record_objection(r, "异议不成立", False, T0, CW)),
    (S.PUBLICITY, lambda a, r: a.record_objection("有异议", r, False, T0, CW)),
    (S.PUBLICITY, lambda a, r: a.approve(Decimal("620"), r, LATER, SUP)),
    (S.PAYING, lambda a, r: a.change_benefit(Decimal("700"), r, LATER, SUP)),
    (S.PAYING, lambda a, r: a.suspend(r, LATER, SUP)),
    (S.PAYING, lambda a, r: a.request_referral(r, "需医疗救助", LATER, CW)),
    (S.PAYING, lambda a, r: a.request_referral("区医保局", r, LATER, CW)),
    (S.PAYING, lambda a, r: a.raise_alert(AlertKind.OMISSION, r, LATER)),
    (S.MANAGED, lambda a, r: a.record_periodic_review(r, date(2027, 12, 1), LATER, CW)),
    (S.SUSPENDED, lambda a, r: a.resume(r, LATER, SUP)),
    (S.SUSPENDED, lambda a, r: a.end(r, LATER, SUP)),
    (S.HOME_VISIT, lambda a, r: a.record_home_visit(r, LATER, CW)),
]


@pytest.mark.parametrize(("stage", "step"), REASONED)
def test_a_blank_reason_or_record_is_refused(
    stage: Stage, step: Callable[[Application, str], object]
) -> None:
    a = application_at(stage)
    events = len(a.events)
    with pytest.raises(MissingPrerequisite):
        step(a, "  ")
    assert a.stage == stage and len(a.events) == events


# ---- 家庭经济状况核对 and 入户调查 ------------------------------------------------------------------------
def test_verification_requests_are_not_repeated_and_name_a_known_department() -> None:
    a = application_at(S.VERIFYING)
    with pytest.raises(MissingPrerequisite, match="已发起且未反馈的不再重复发起"):
        a.request_verification([("pk_a", Department.PUBLIC_SECURITY)], T0, CW)
    with pytest.raises(InvalidApplicationData, match="未知的核对部门"):
        a.request_verification([("pk_a", "tax")], T0, CW)  # type: ignore[list-item]
    assert len(a.verifications) == 2


def test_an_answer_needs_its_request_and_a_disagreement_its_difference() -> None:
    a = application_at(S.VERIFYING)
    with pytest.raises(MissingPrerequisite, match="没有向该部门发起"):
        a.record_verification("pk_b", Department.FINANCE, VerificationStatus.ANSWERED, T0, CW)
    with pytest.raises(InvalidApplicationData):
        a.record_verification("pk_a", Department.PUBLIC_SECURITY, VerificationStatus.TIMED_OUT, T0, CW)
    with pytest.raises(MissingPrerequisite, match="差异"):
        a.record_verification("pk_a", Department.HUMAN_RESOURCES, VerificationStatus.DISAGREES, T0, CW)
    assert not a.contested
    a.record_verification(
        "pk_a",
        Department.HUMAN_RESOURCES,
        VerificationStatus.DISAGREES,
        T0,
        CW,
        note="社保缴费基数高于申报工资",
    )
    assert a.contested
    assert a.verifications[1].note == "社保缴费基数高于申报工资"


def test_verification_waits_for_the_departments_until_the_timeout() -> None:
    a = application_at(S.VERIFYING)
    a.record_verification("pk_a", Department.PUBLIC_SECURITY, VerificationStatus.ANSWERED, day(1), CW)
    with pytest.raises(MissingPrerequisite, match="还有1项核对未反馈且未超过15天"):
        a.complete_verification(day(14), CW)
    assert a.stage == S.VERIFYING and not a.verification_closed_at
    a.complete_verification(day(15), CW)
    assert stage_of(a) == S.HOME_VISIT
    assert [v.status for v in a.verifications] == [VerificationStatus.ANSWERED, VerificationStatus.TIMED_OUT]
    completed = a.events[-1]
    assert isinstance(completed, ev.VerificationCompleted)
    assert (completed.answered, completed.gaps) == (1, (("pk_a", "human_resources", "timed_out"),))
    proceeded = a.decisions[-1]
    assert (proceeded.what, proceeded.who, proceeded.when) == (DecisionKind.PROCEEDED_WITH_GAPS, CW, day(15))


def test_a_shorter_timeout_is_a_setting() -> None:
    a = application_at(S.VERIFYING)
    a.complete_verification(day(3), CW, timeout=timedelta(days=3))
    assert a.stage == S.HOME_VISIT


def test_the_home_visit_must_note_what_the_departments_left_open() -> None:
    a = application_at(S.VERIFYING)
    a.complete_verification(day(16), CW)
    with pytest.raises(MissingPrerequisite, match="有2项核对结果缺失或与申报不一致"):
        a.record_home_visit("家中无劳动力", day(17), CW)
    a.record_home_visit("家中无劳动力", day(17), CW, gap_note="入户查看工资条和银行流水")
    assert a.stage == S.APPRAISAL
    assert a.home_visit is not None and a.home_visit.gap_note == "入户查看工资条和银行流水"
    visited = a.events[-1]
    assert isinstance(visited, ev.HomeVisitRecorded) and visited.gaps_noted


def test_the_home_visit_is_refused_while_the_check_is_open() -> None:
    loaded = Application(uuid.uuid4(), "SA-500154-2026-000009", "500154", T0, stage=S.HOME_VISIT)
    with pytest.raises(MissingPrerequisite, match="核对完成或超时后"):
        loaded.record_home_visit("入户", T0, CW)


# ---- 民主评议 ---------------------------------------------------------------------------------------------
def test_an_uncontested_application_skips_the_appraisal_with_its_reason() -> None:
    a = application_at(S.APPRAISAL)
    a.skip_appraisal("申请无争议，村委会确认", day(3), CW)
    assert a.stage == S.REVIEW
    assert a.appraisal is not None and (a.appraisal.held, a.appraisal.skip_reason) == (
        False,
        "申请无争议，村委会确认",
    )
    skipped = a.decisions[-1]
    assert (skipped.what, skipped.who.id, skipped.when, skipped.why) == (
        DecisionKind.APPRAISAL_SKIPPED,
        "u-li",
        day(3),
        "申请无争议，村委会确认",
    )
    recorded = a.events[-1]
    assert isinstance(recorded, ev.AppraisalRecorded)
    assert (recorded.held, recorded.skip_reason) == (False, "申请无争议，村委会确认")


def test_a_contested_application_must_be_appraised() -> None:
    a = application_at(S.VERIFYING)
    a.record_verification(
        "pk_a", Department.PUBLIC_SECURITY, VerificationStatus.DISAGREES, day(1), CW, note="名下有车辆"
    )
    a.record_verification("pk_a", Department.HUMAN_RESOURCES, VerificationStatus.ANSWERED, day(1), CW)
    a.complete_verification(day(1), CW)
    a.record_home_visit("车辆已报废", day(2), CW, gap_note="查验报废证明")
    with pytest.raises(MissingPrerequisite, match="须进行民主评议"):
        a.skip_appraisal("无争议", day(3), CW)
    with pytest.raises(InvalidApplicationData, match="人数"):
        a.record_appraisal("同意", 0, day(3), CW)
    a.record_appraisal("评议同意纳入", 11, day(3), CW)
    assert a.stage == S.REVIEW
    assert a.appraisal is not None and (a.appraisal.held, a.appraisal.participants) == (True, 11)
    recorded = a.events[-1]
    assert isinstance(recorded, ev.AppraisalRecorded) and (recorded.held, recorded.contested) == (True, True)


# ---- 审核确认, 公示 and the decision ---------------------------------------------------------------------
def test_the_review_is_signed_at_the_level_the_county_devolved_it_to() -> None:
    a = application_at(S.REVIEW)
    with pytest.raises(WrongReviewLevel, match="乡镇（街道）负责"):
        a.record_review(True, "同意", ReviewLevel.COUNTY, day(4), SUP)
    assert a.review is None
    county = new_application()
    county.accept(ReviewLevel.COUNTY, T0, CW)
    assert county.review_level == ReviewLevel.COUNTY and county.events[-1] == ev.Accepted(
        T0,
        actor="u-li",
        application_id=str(county.id),
        region_code="500154",
        stage="accepted",
        review_level="county",
    )


def test_a_review_needs_the_level_fixed_at_acceptance() -> None:
    loaded = Application(uuid.uuid4(), "SA-500154-2026-000010", "500154", T0, stage=S.REVIEW)
    with pytest.raises(MissingPrerequisite, match="未确定审核确认层级"):
        loaded.record_review(True, "同意", ReviewLevel.TOWNSHIP, T0, SUP)
    assert loaded.review is None


def test_publicity_needs_an_approving_review_and_lasts_its_setting() -> None:
    a = application_at(S.REVIEW)
    with pytest.raises(MissingPrerequisite, match="同意的审核确认意见"):
        a.start_publicity(day(4), CW)
    a.record_review(False, "财产超标", ReviewLevel.TOWNSHIP, day(4), SUP)
    with pytest.raises(MissingPrerequisite):
        a.start_publicity(day(4), CW)
    a.record_review(True, "复核后符合条件", ReviewLevel.TOWNSHIP, day(4), SUP)
    with pytest.raises(InvalidApplicationData):
        a.start_publicity(day(4), CW, days=0)
    a.start_publicity(day(4), CW)
    assert (a.publicity_starts_at, a.publicity_ends_at) == (day(4), day(11))
    b = application_at(S.REVIEW)
    b.record_review(True, "符合条件", ReviewLevel.TOWNSHIP, day(4), SUP)
    b.start_publicity(day(4), CW, days=5)
    started = b.events[-1]
    assert isinstance(started, ev.PublicityStarted) and (started.starts_at, started.ends_at) == (
        day(4),
        day(9),
    )


def test_approval_waits_until_publicity_has_run_its_length() -> None:
    a = application_at(S.PUBLICITY)
    with pytest.raises(MissingPrerequisite, match="公示期未满"):
        a.approve(Decimal("620"), "符合条件", day(11) - timedelta(seconds=1), SUP)
    with pytest.raises(InvalidApplicationData):
        a.approve(Decimal("0"), "符合条件", day(11), SUP)
    a.approve(Decimal("620.50"), "符合低保条件", day(11), SUP)
    assert (a.stage, a.amount, a.approved_at) == (S.APPROVED, Decimal("620.50"), day(11))
    approved = a.events[-1]
    assert isinstance(approved, ev.Approved)
    assert (approved.programme, approved.amount) == ("dibao", Decimal("620.50"))


def test_temporary_assistance_is_approved_after_its_review_without_publicity() -> None:
    a = application_at(S.REVIEW, Programme.TEMPORARY)
    with pytest.raises(MissingPrerequisite, match="同意的审核确认意见"):
        a.approve(Decimal("3000"), "急难", day(4), SUP)
    a.record_review(False, "不符合", ReviewLevel.TOWNSHIP, day(4), SUP)
    with pytest.raises(MissingPrerequisite):
        a.approve(Decimal("3000"), "急难", day(4), SUP)
    with pytest.raises(InvalidTransition, match="临时救助不经公示"):
        a.start_publicity(day(4), CW)
    a.record_review(True, "符合急难型临时救助条件", ReviewLevel.TOWNSHIP, day(4), SUP)
    a.approve(Decimal("3000"), "急难型临时救助", day(4), SUP)
    assert a.stage == S.APPROVED and a.publicity_starts_at is None


def test_an_objection_that_holds_sends_the_case_back_and_makes_it_contested() -> None:
    a = application_at(S.PUBLICITY)
    a.record_objection("群众反映申请人在外务工", "经核实情况属实，退回重新入户调查", True, day(6), CW)
    assert a.stage == S.HOME_VISIT and a.contested
    assert (a.review, a.appraisal, a.home_visit, a.publicity_ends_at) == (None, None, None, None)
    assert a.objections[-1].sent_back
    objected = a.events[-1]
    assert (
        isinstance(objected, ev.ObjectionRecorded) and objected.sent_back and objected.stage == "home_visit"
    )
    a.record_home_visit("申请人已返乡，无务工收入", day(7), CW)
    with pytest.raises(MissingPrerequisite):
        a.skip_appraisal("无争议", day(8), CW)
    a.record_appraisal("评议同意", 9, day(8), CW)
    a.record_review(True, "符合条件", ReviewLevel.TOWNSHIP, day(9), SUP)
    a.start_publicity(day(9), CW)
    a.approve(Decimal("620"), "符合条件", day(16), SUP)
    assert stage_of(a) == S.APPROVED


def test_an_objection_that_does_not_hold_keeps_the_publicity_running() -> None:
    a = application_at(S.PUBLICITY)
    a.record_objection(
        "反映身份证号500154198001011234的人有车", "经核实车辆已报废，异议不成立", False, day(6), CW
    )
    assert a.stage == S.PUBLICITY and a.publicity_ends_at == day(11)
    handled = a.decisions[-1]
    assert (handled.what, handled.why, handled.outcome) == (
        DecisionKind.OBJECTION_HANDLED,
        "经核实车辆已报废，异议不成立",
        "kept",
    )
    objected = a.events[-1]
    assert isinstance(objected, ev.ObjectionRecorded) and "500154198001011234" not in objected.summary


# ---- withdrawal and re-application -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "stage", [S.APPLIED, S.ACCEPTED, S.VERIFYING, S.HOME_VISIT, S.APPRAISAL, S.REVIEW, S.PUBLICITY]
)
def test_the_applicant_withdraws_before_the_decision(stage: Stage) -> None:
    a = application_at(stage)
    a.withdraw("申请人外出务工，主动撤回", day(10), CW)
    assert (a.stage, a.closed_at, a.outcome_reason) == (S.WITHDRAWN, day(10), "申请人外出务工，主动撤回")
    closed = a.events[-1]
    assert isinstance(closed, ev.Closed) and (closed.outcome, closed.stage) == ("withdrawn", "withdrawn")
    withdrawn = a.decisions[-1]
    assert (withdrawn.what, withdrawn.who, withdrawn.when) == (DecisionKind.WITHDRAWN, CW, day(10))


def test_a_reapplication_is_a_new_application_linked_to_the_previous_one() -> None:
    old = application_at(S.REJECTED)
    new = old.reapply(uuid.uuid4(), "SA-500154-2027-000001", day(40), CW)
    assert (new.stage, new.previous_id, old.next_id) == (S.APPLIED, old.id, new.id)
    assert (new.programme, new.household_id, new.personkeys) == (Programme.DIBAO, HH, ("pk_a", "pk_b"))
    assert new.case_ref == "SA-500154-2027-000001" and new.decisions == [] and new.review is None
    applied = new.events[-1]
    assert isinstance(applied, ev.Applied) and applied.previous_id == str(old.id)
    assert old.history[-1].action == "reapplied" and old.stage == S.REJECTED
    with pytest.raises(InvalidTransition, match="已重新申请过"):
        old.reapply(uuid.uuid4(), "SA-500154-2027-000002", day(41), CW)


def test_a_reapplication_may_cover_other_members() -> None:
    old = application_at(S.WITHDRAWN, Programme.TEMPORARY)
    new = old.reapply(uuid.uuid4(), "SA-500154-2027-000003", day(40), CW, personkeys=("pk_b",))
    assert (new.personkeys, new.temporary_kind) == (("pk_b",), TemporaryKind.URGENT)


# ---- decisions, events and history -----------------------------------------------------------------------
def test_every_decision_is_signed_with_who_when_and_why() -> None:
    a = application_at(S.MANAGED)
    a.change_benefit(Decimal("680"), "家庭收入减少", day(30), SUP)
    assert [(d.what, d.who.id, d.who.role, d.when, d.why) for d in a.decisions] == [
        (DecisionKind.ACCEPTED, "u-li", "caseworker", day(0), "材料齐全，予以受理"),
        (DecisionKind.APPRAISAL_SKIPPED, "u-li", "caseworker", day(3), "申请无争议"),
        (DecisionKind.REVIEWED, "u-zhao", "supervisor", day(4), "符合条件"),
        (DecisionKind.APPROVED, "u-zhao", "supervisor", day(12), "符合低保条件"),
        (DecisionKind.BENEFIT_CHANGED, "u-zhao", "supervisor", day(30), "家庭收入减少"),
    ]
    assert [d.outcome for d in a.decisions] == ["township", None, "approve", "620", "680"]


def test_the_regular_way_emits_one_event_per_step() -> None:
    a = application_at(S.MANAGED)
    assert [type(e) for e in a.events] == [
        ev.Applied,
        ev.Accepted,
        ev.VerificationRequested,
        ev.VerificationCompleted,
        ev.HomeVisitRecorded,
        ev.AppraisalRecorded,
        ev.ReviewRecorded,
        ev.PublicityStarted,
        ev.Approved,
        ev.PaymentStarted,
        ev.ManagementStarted,
    ]
    assert [e.stage for e in a.events] == [
        "applied",
        "accepted",
        "verifying",
        "home_visit",
        "appraisal",
        "review",
        "review",
        "publicity",
        "approved",
        "paying",
        "managed",
    ]
    assert {(e.application_id, e.region_code) for e in a.events} == {(str(a.id), "500154")}
    assert {e.actor for e in a.events} == {"u-li", "u-zhao"}
    assert [e.EVENT_TYPE for e in a.events[:4]] == [
        "case.applied",
        "case.accepted",
        "case.verification_requested",
        "case.verification_completed",
    ]


def test_events_carry_no_names_and_mask_numbers_typed_into_reasons() -> None:
    a = application_at(S.REVIEW)
    a.reject("申请人李大明（身份证500154198001011234，电话13812345678）名下有房产", day(4), SUP)
    rejected = a.events[-1]
    assert isinstance(rejected, ev.Rejected)
    assert "500154198001011234" not in rejected.reason and "13812345678" not in rejected.reason
    texts = [repr(e) for e in a.events]
    assert not any("李经办" in t or "赵审核" in t for t in texts)
    assert a.history[-1].actor_name == "赵审核" and a.decisions[-1].who.name == "赵审核"


def test_the_history_keeps_every_step_with_the_stage_after_it() -> None:
    a = application_at(S.APPRAISAL)
    assert [(h.action, h.stage) for h in a.history] == [
        ("applied", S.APPLIED),
        ("accepted", S.ACCEPTED),
        ("verification_requested", S.VERIFYING),
        ("verification_answered", S.VERIFYING),
        ("verification_answered", S.VERIFYING),
        ("verification_completed", S.HOME_VISIT),
        ("home_visit_recorded", S.APPRAISAL),
    ]


# ---- after approval ------------------------------------------------------------------------------------
def test_payment_starts_on_the_first_of_a_month() -> None:
    a = application_at(S.APPROVED)
    with pytest.raises(InvalidApplicationData, match="1日"):
        a.start_payment(date(2026, 12, 15), day(12), CW)
    a.start_payment(date(2026, 12, 1), day(12), CW)
    started = a.events[-1]
    assert isinstance(started, ev.PaymentStarted)
    assert (started.amount, started.first_month) == (Decimal("620"), date(2026, 12, 1))


def test_management_needs_a_future_review_date_and_flags_it_once_when_due() -> None:
    a = application_at(S.PAYING)
    with pytest.raises(InvalidApplicationData, match="下次核查日期"):
        a.enter_management(day(13).date(), day(13), CW)
    a.enter_management(date(2027, 11, 1), day(13), CW)
    assert not a.flag_review_due(datetime(2027, 10, 31, 23, 0, tzinfo=UTC))
    assert a.flag_review_due(datetime(2027, 11, 1, 8, 0, tzinfo=UTC))
    assert not a.flag_review_due(datetime(2027, 11, 2, 8, 0, tzinfo=UTC))
    due = a.events[-1]
    assert isinstance(due, ev.ReviewDue) and (due.due_on, due.actor) == (date(2027, 11, 1), "system")
    a.record_periodic_review(
        "年度核查：家庭情况无变化", date(2028, 11, 1), datetime(2027, 11, 5, tzinfo=UTC), CW
    )
    assert a.next_review_on == date(2028, 11, 1)
    assert a.flag_review_due(datetime(2028, 11, 1, 8, 0, tzinfo=UTC))


def test_a_benefit_change_needs_a_new_amount() -> None:
    a = application_at(S.MANAGED)
    with pytest.raises(InvalidApplicationData, match="相同"):
        a.change_benefit(Decimal("620.00"), "标准调整", day(30), SUP)
    a.change_benefit(Decimal("650"), "低保标准提高", day(30), SUP)
    changed = a.events[-1]
    assert isinstance(changed, ev.BenefitChanged)
    assert (changed.previous, changed.amount, a.amount) == (Decimal("620"), Decimal("650"), Decimal("650"))


@pytest.mark.parametrize(
    ("programme", "from_stage"), [(Programme.DIBAO, S.MANAGED), (Programme.TEMPORARY, S.PAYING)]
)
def test_a_suspension_resumes_where_it_stopped(programme: Programme, from_stage: Stage) -> None:
    a = application_at(from_stage, programme)
    a.suspend("防错预警：名下新增车辆", day(20), SUP)
    assert (a.stage, a.suspended_from) == (S.SUSPENDED, from_stage)
    a.resume("核实车辆为他人借名登记", day(22), SUP)
    assert (a.stage, a.suspended_from) == (from_stage, None)
    assert [type(e) for e in a.events[-2:]] == [ev.Suspended, ev.Resumed]
    assert [d.what for d in a.decisions[-2:]] == [DecisionKind.SUSPENDED, DecisionKind.RESUMED]


def test_temporary_assistance_ends_after_payment_and_may_be_referred() -> None:
    a = application_at(S.PAYING, Programme.TEMPORARY)
    with pytest.raises(InvalidTransition, match="不转入动态管理"):
        a.enter_management(date(2027, 11, 1), day(5), CW)
    a.end("临时救助金已发放完毕", day(5), CW)
    a.request_referral("开州区慈善会", "仍有医疗费用缺口", day(6), CW)
    assert a.stage == S.ENDED and a.closed_at == day(5)
    referral = a.events[-1]
    assert isinstance(referral, ev.ReferralRequested) and referral.agency == "开州区慈善会"


def test_an_alert_is_raised_by_the_system_unless_someone_is_named() -> None:
    a = application_at(S.MANAGED)
    a.raise_alert(AlertKind.WRONG_INCLUSION, "工商登记显示新增企业", day(20))
    a.raise_alert(AlertKind.OMISSION, "家庭成员新增重病", day(21), CW)
    alerts = a.events[-2:]
    assert [(e.actor, getattr(e, "kind", None)) for e in alerts] == [
        ("system", "wrong_inclusion"),
        ("u-li", "omission"),
    ]


def test_the_coverage_is_what_the_cross_programme_rules_see() -> None:
    a = application_at(S.APPROVED)
    coverage = a.coverage()
    assert coverage is not None
    assert (coverage.programme, coverage.stage, coverage.personkeys, coverage.approved_on) == (
        Programme.DIBAO,
        S.APPROVED,
        frozenset({"pk_a", "pk_b"}),
        day(12).date(),
    )
    a.cover(("pk_a",), "配偶已纳入特困供养", day(13), CW)
    covered = a.coverage()
    assert covered is not None and covered.personkeys == frozenset({"pk_a"})
