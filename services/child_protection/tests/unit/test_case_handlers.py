"""The case's handlers on fakes, through the real bus: what each command stages on child_protection.case.v1,
the source of a hand-entered report, referrals, the 12345 deadline, the breach metric."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from child_protection.domain import commands as c
from child_protection.domain.errors import (
    ApprovalRequired,
    CaseNotFound,
    InvalidChildData,
    InvalidTransition,
    MissingPrerequisite,
)
from child_protection.domain.stages import Stage
from services.child_protection.tests.support import AT, CHILD_ID, SUPERVISOR, Service
from shared.contracts import child_protection as cp
from shared.identity import personkey

SECRET = "unit-test-personkey-secret"


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.mark.parametrize(
    ("reporter_type", "source"),
    [
        ("school", "mandatory_reporter"),
        ("hospital", "mandatory_reporter"),
        ("police", "mandatory_reporter"),
        ("village_committee", "mandatory_reporter"),
        ("child_director", "mandatory_reporter"),
        ("family", "public_report"),
        ("public", "public_report"),
        ("other", "public_report"),
    ],
)
async def test_a_hand_entered_report_is_mandatory_only_from_those_bound_to_report(
    service: Service, reporter_type: str, source: str
) -> None:
    outcome = await service.report(reporter_type=reporter_type)
    (reported,) = service.uow.contracts(cp.CaseReported)
    assert (reported.source, reported.reporter_type) == (source, reporter_type)
    assert outcome.case.reports[0].source == source and outcome.linked is False


async def test_a_report_opens_a_case_named_by_reference_and_staff_by_name(service: Service) -> None:
    outcome = await service.report(child_id_number=CHILD_ID, content=f"孩子身份证{CHILD_ID}，身上有淤青")
    case = outcome.case
    assert case.case_ref == "CP-500154-2026-000001" and case.stage == Stage.REPORTED
    (event,) = service.uow.sent
    assert event.type == "child_protection.case.reported"
    assert event.data["actor"] == "李社工" and event.data["urgency"] == "urgent"
    assert CHILD_ID not in event.data["summary"] and "身上有淤青" in event.data["summary"]
    assert event.personkey == personkey(CHILD_ID, SECRET) == case.child.personkey
    assert (event.subject, event.regioncode, event.correlationid) == (str(case.id), "500154", str(case.id))
    # Urgent: to be accepted within 4 hours.
    assert case.step_due_at == AT + timedelta(hours=4)


async def test_a_second_report_about_the_same_child_joins_the_open_case(service: Service) -> None:
    first = await service.report(child_id_number=CHILD_ID)
    second = await service.report(child_id_number=CHILD_ID, reporter_type="family")
    assert second.case is first.case and second.linked is True
    assert service.types() == ["case.reported", "case.report_linked"]
    assert service.uow.sent[1].data["source"] == "public_report"


async def test_a_report_in_another_county_opens_that_countys_case_and_never_touches_this_one(
    service: Service,
) -> None:
    first = await service.report(child_id_number=CHILD_ID)
    before = (first.case.version, len(first.case.reports))
    other = await service.report(child_id_number=CHILD_ID, region_code="500155", reporter_type="hospital")
    assert other.linked is False and other.case is not first.case
    assert other.case.region_code == "500155" and other.case.case_ref.startswith("CP-500155-2026-")
    assert (first.case.version, len(first.case.reports)) == before
    assert service.types() == ["case.reported", "case.reported", "case.cross_county_duplicate_found"]
    flagged = service.uow.sent[-1]
    assert flagged.data["case_id"] == str(other.case.id)
    assert flagged.data["other_case_id"] == str(first.case.id)
    assert flagged.regioncode == "500155"
    assert [r.kind for r in other.case.records] == ["cross_county_duplicate"]
    # Within the same county a further report still joins the county's own case.
    again = await service.report(child_id_number=CHILD_ID, region_code="500155001", reporter_type="family")
    assert again.case is other.case and again.linked is True


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"child_id_number": "500154201605011"}, "身份证号"), ({"reporter_type": "monitoring"}, "报告人类型")],
)
async def test_a_report_with_a_bad_id_number_or_a_machine_reporter_is_refused(
    service: Service, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidChildData, match=message):
        await service.report(**fields)
    assert service.uow.sent == []


async def test_every_step_of_the_chain_stages_its_contracts(service: Service) -> None:
    case_id = (await service.report()).case.id
    await service.act(c.AcceptCase, case_id)
    await service.act(c.RecordEmergency, case_id, action="on_site_visit", note="电话13912345678，已上门")
    await service.act(c.AdvanceCase, case_id, target=Stage.EMERGENCY)
    await service.act(
        c.StartTemporaryGuardianship, case_id, institution="区未成年人救助保护中心", legal_basis="第九十二条"
    )
    await service.act(c.EndTemporaryGuardianship, case_id, outcome="委托祖母照护")
    await service.act(c.AdvanceCase, case_id, target=Stage.ASSESSMENT)
    await service.act(
        c.AssessCase, case_id, situation="继父打骂", capacity="母亲能力不足", risk_colour="red", hardship=True
    )
    await service.act(c.AdvanceCase, case_id, target=Stage.SUPPORT)
    await service.act(
        c.AddPlanItem,
        case_id,
        kind="counselling",
        description="每周心理疏导",
        owner="王社工",
        agency="区未成年人救助保护中心",
        due_date=date(2026, 12, 31),
    )
    case = service.uow.cases.items[case_id]
    await service.act(c.SetPlanItemStatus, case_id, item_id=case.plan[0].id, status="done")
    await service.act(c.AdvanceCase, case_id, target=Stage.INTERVENTION)
    await service.act(
        c.RecordIntervention, case_id, kind="parenting_education", legal_basis="《家庭教育促进法》"
    )
    await service.act(c.CloseCase, case_id, feedback="已核实并处置。")
    await service.act(c.RecordFollowUp, case_id, note="一月后回访，儿童安全")
    await service.act(c.ReopenCase, case_id, reason="再次接到报告")
    assert service.types() == [
        "case.reported",
        "case.accepted",
        "case.emergency_responded",
        "case.stage_changed",
        "case.temporary_guardianship_started",
        "case.temporary_guardianship_ended",
        "case.stage_changed",
        "case.assessed",
        "case.risk_changed",
        "case.referral_requested",
        "case.stage_changed",
        "case.service_plan_updated",
        "case.service_plan_updated",
        "case.stage_changed",
        "case.intervention_recorded",
        "case.stage_changed",
        "case.closed",
        "case.stage_changed",
        "case.reopened",
    ]
    assert service.uow.contracts(cp.CaseEmergencyResponded)[0].note == "电话139****5678，已上门"
    assert [p.open_items for p in service.uow.contracts(cp.CaseServicePlanUpdated)] == [1, 0]
    assert service.uow.contracts(cp.CaseClosed)[0].feedback == "已核实并处置。"
    assert {e.data["actor"] for e in service.uow.sent[1:]} == {"李社工"}
    assert service.uow.cases.actions(case_id)[-3:] == ["closed", "follow_up", "reopened"]
    assert case.stage == Stage.ASSESSMENT and case.owner == "test:li" and case.owner_name == "李社工"


async def test_a_referral_carries_the_receiving_agency(service: Service) -> None:
    case_id = (await service.report()).case.id
    with pytest.raises(MissingPrerequisite, match="转介单位"):
        await service.act(c.ReferCase, case_id, referred_to=" ", reason="属教育部门职责")
    await service.act(c.ReferCase, case_id, referred_to="开州区教育委员会", reason="属教育部门职责")
    (declined,) = service.uow.contracts(cp.CaseDeclined)
    assert (declined.referred_to, declined.reason, declined.stage) == (
        "开州区教育委员会",
        "属教育部门职责",
        "referred",
    )


async def test_a_decline_names_no_agency_and_ends_the_clock(service: Service) -> None:
    case_id = (await service.report()).case.id
    case = await service.act(c.DeclineCase, case_id, reason="不属于未成年人保护范围")
    (declined,) = service.uow.contracts(cp.CaseDeclined)
    assert declined.referred_to is None and declined.stage == "declined"
    assert case.step_due_at is None


async def test_skips_need_a_request_and_a_supervisors_decision(service: Service) -> None:
    case_id = (await service.report()).case.id
    await service.act(c.AcceptCase, case_id)
    await service.act(c.RecordEmergency, case_id, action="on_site_visit")
    with pytest.raises(ApprovalRequired):
        await service.act(c.AdvanceCase, case_id, target=Stage.SUPPORT)
    await service.act(c.RequestSkip, case_id, target=Stage.ASSESSMENT, reason="无需应急处置")
    await service.act(c.RejectSkip, case_id, SUPERVISOR, reason="须先完成应急处置")
    with pytest.raises(InvalidTransition):
        await service.act(c.ApproveSkip, case_id, SUPERVISOR)
    await service.act(c.RequestSkip, case_id, target=Stage.ASSESSMENT, reason="已确认安全")
    case = await service.act(c.ApproveSkip, case_id, SUPERVISOR)
    assert case.stage == Stage.ASSESSMENT
    changed = service.uow.contracts(cp.CaseStageChanged)[-1]
    assert (changed.skipped, changed.approved_by, changed.actor) == (
        ["emergency_response"],
        "赵审核",
        "赵审核",
    )


async def test_an_unknown_case_is_not_found(service: Service) -> None:
    with pytest.raises(CaseNotFound):
        await service.act(c.AcceptCase, uuid.uuid4())


async def test_each_breached_step_is_counted_once_in_deadline_breaches_total() -> None:
    service = Service(service_name="cp-unit-breach")
    registry = service.runtime.metrics.registry if service.runtime.metrics else None
    assert registry is not None
    case_id = (await service.report(urgency="critical")).case.id
    due = service.uow.cases.items[case_id].step_due_at
    assert due == AT + timedelta(hours=1)
    labels = {"service": "cp-unit-breach", "step": "reported"}
    assert await service.bus.handle(c.ScanCaseDeadline(case_id=case_id, now=due)) is None
    assert registry.get_sample_value("deadline_breaches_total", labels) is None
    later = due + timedelta(minutes=1)
    assert await service.bus.handle(c.ScanCaseDeadline(case_id=case_id, now=later)) == "reported"
    assert (
        await service.bus.handle(c.ScanCaseDeadline(case_id=case_id, now=later + timedelta(hours=1))) is None
    )
    assert registry.get_sample_value("deadline_breaches_total", labels) == 1.0
    (breach,) = service.uow.contracts(cp.CaseDeadlineBreached)
    assert (breach.step, breach.due_at, breach.actor) == ("reported", due, "system")
    # A new step has a new clock, breached (and counted) once again.
    await service.act(c.AcceptCase, case_id)
    accepted_due = service.uow.cases.items[case_id].step_due_at
    assert accepted_due == AT + timedelta(hours=24)
    await service.bus.handle(c.ScanCaseDeadline(case_id=case_id, now=accepted_due + timedelta(seconds=1)))
    assert registry.get_sample_value("deadline_breaches_total", {**labels, "step": "accepted"}) == 1.0
    assert registry.get_sample_value("deadline_breaches_total", labels) == 1.0


async def test_free_text_leaves_without_the_names_and_contacts_the_case_holds(service: Service) -> None:
    await service.report(
        child_name="王小红",
        reporter_name="陈丽华",
        reporter_contact="023-12345678",
        content="陈丽华老师（023-12345678）报告：王小红身上多处淤青，家长电话13912345678。",
    )
    (reported,) = service.uow.contracts(cp.CaseReported)
    assert reported.summary == "陈丽华老师（023-12345678）报告：王小红身上多处淤青，家长电话139****5678。"
    (event,) = service.uow.sent
    assert event.data["summary"] == "陈**老师（***）报告：王**身上多处淤青，家长电话139****5678。"
