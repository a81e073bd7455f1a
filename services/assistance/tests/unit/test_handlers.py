"""assistance's handlers on fakes, through the real bus: leads once per source, registration refused out
of jurisdiction or across 低保/特困, the steps to 批准 with the amount the seed standards give, 不予批准,
and the re-checks a household change calls for."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from assistance.domain import commands as c
from assistance.domain.application_model import Application
from assistance.domain.application_parts import (
    DecisionKind,
    Department,
    LeadSource,
    ReviewLevel,
    VerificationStatus,
)
from assistance.domain.errors import MissingPrerequisite, OutsideJurisdiction, ProgrammeConflict
from assistance.domain.household_parts import IncomeItem, IncomeSource
from assistance.domain.programmes import Programme, Recheck
from assistance.domain.stages import Stage
from assistance.service_layer.application_handlers import Approval
from services.assistance.tests.fakes import AT, CASEWORKER, COUNTY, Service, register

WORK_ORDER = uuid.UUID("00000000-0000-0000-0000-000000012345")


@pytest.fixture
def service() -> Service:
    return Service()


def hotline() -> c.OpenLeadFromHotline:
    return c.OpenLeadFromHotline(
        work_order_id=WORK_ORDER,
        order_no="GD20260302001",
        category_code="social_assistance",
        region_code="500154101",
        urgency="urgent",
        summary="老人独居，生活困难",
        personkeys=("pk-zhang",),
    )


async def test_a_12345_work_order_opens_one_lead_however_often_it_is_delivered(service: Service) -> None:
    first: Application = await service.handle(hotline())
    again: Application = await service.handle(hotline())
    assert again is first and list(service.uow.applications.items) == [first.id]
    assert (first.stage, first.lead_source, first.lead_ref) == (
        Stage.LEAD,
        LeadSource.HOTLINE,
        str(WORK_ORDER),
    )
    assert (first.case_ref, first.region_code, first.personkeys) == (
        "SA-500154-2026-000001",
        COUNTY,
        ("pk-zhang",),
    )
    assert service.uow.event_types() == ["case.lead_opened"]
    assert service.uow.commits == 2


async def test_a_child_protection_referral_opens_a_lead_naming_the_case(service: Service) -> None:
    case_id = uuid.UUID("00000000-0000-0000-0000-0000000000c1")
    cmd = c.OpenLeadFromReferral(
        case_id=case_id,
        case_ref="CP-500154-2026-000007",
        region_code=COUNTY,
        reason="监护人失业，家庭无收入",
        personkeys=("pk-child", "pk-mother"),
    )
    lead: Application = await service.handle(cmd)
    assert (lead.stage, lead.lead_source, lead.lead_ref) == (
        Stage.LEAD,
        LeadSource.CHILD_PROTECTION,
        str(case_id),
    )
    (opened,) = service.uow.staged_events
    assert opened.EVENT_TYPE == "case.lead_opened"
    assert opened.source == "child_protection_referral"  # type: ignore[attr-defined]
    assert opened.personkeys == ("pk-child", "pk-mother")  # type: ignore[attr-defined]
    assert service.uow.applications.actions(lead.id) == ["lead_opened"]


async def test_registration_opens_the_application_and_the_household_file(service: Service) -> None:
    application: Application = await service.handle(register())
    (household,) = service.uow.households.items.values()
    assert application.household_id == household.id and household.size == 3
    assert (application.stage, application.programme) == (Stage.APPLIED, Programme.DIBAO)
    assert application.applicant_personkey == "pk-wang-1"
    assert application.personkeys == ("pk-wang-1", "pk-wang-2", "pk-wang-3")
    assert service.uow.event_types() == ["case.applied"] and service.uow.commits == 1


async def test_tekun_is_refused_for_a_person_already_in_dibao(service: Service) -> None:
    await service.handle(register())
    with pytest.raises(ProgrammeConflict) as refused:
        await service.handle(register(Programme.TEKUN))
    assert refused.value.personkeys == ("pk-wang-1",)
    assert "低保" in refused.value.message
    assert len(service.uow.applications.items) == 1 and len(service.uow.households.items) == 1
    assert service.uow.event_types() == ["case.applied"] and service.uow.commits == 1


async def test_registration_outside_the_hukou_county_without_a_residence_permit_is_refused(
    service: Service,
) -> None:
    with pytest.raises(OutsideJurisdiction):
        await service.handle(register(hukou_code="500101"))
    assert service.uow.applications.items == {} and service.uow.households.items == {}
    assert service.uow.staged_events == [] and service.uow.commits == 0


def step(
    kind: type[c.ApplicationCommand], application: Application, **fields: object
) -> c.ApplicationCommand:
    return kind(application_id=application.id, actor=CASEWORKER, **fields)


async def to_review(service: Service) -> Application:
    """Registered, accepted, checked (one partial answer, one timed out), visited, appraisal skipped."""
    application: Application = await service.handle(register())
    await service.handle(step(c.AcceptApplication, application, review_level=ReviewLevel.TOWNSHIP))
    requests = (("pk-wang-1", Department.HUMAN_RESOURCES), ("pk-wang-2", Department.FINANCE))
    await service.handle(step(c.RequestVerification, application, requests=requests))
    await service.handle(
        step(
            c.RecordVerificationAnswer,
            application,
            personkey="pk-wang-1",
            department=Department.HUMAN_RESOURCES,
            status=VerificationStatus.PARTIAL,
            note="仅有社保缴费记录",
        )
    )
    with pytest.raises(MissingPrerequisite):
        await service.handle(step(c.CompleteVerification, application))
    assert application.verification_closed_at is None
    service.clock.advance(timedelta(days=15))
    await service.handle(step(c.CompleteVerification, application))
    statuses = [v.status for v in application.verifications]
    assert statuses == [VerificationStatus.PARTIAL, VerificationStatus.TIMED_OUT]
    with pytest.raises(MissingPrerequisite):
        await service.handle(step(c.RecordHomeVisit, application, findings="家中无大件电器"))
    await service.handle(
        step(c.RecordHomeVisit, application, findings="家中无大件电器", gap_note="入户核实工资单和存折")
    )
    await service.handle(step(c.SkipAppraisal, application, reason="核对无争议，家庭情况清楚"))
    assert application.appraisal is not None and application.appraisal.held is False
    assert application.stage == Stage.REVIEW
    return application


async def test_a_dibao_application_is_approved_with_the_amount_of_the_seed_standards(
    service: Service,
) -> None:
    application = await to_review(service)
    level = ReviewLevel.TOWNSHIP
    await service.handle(step(c.RecordReview, application, approve=True, reason="符合低保条件", level=level))
    await service.handle(step(c.StartPublicity, application))
    with pytest.raises(MissingPrerequisite):
        await service.handle(step(c.Approve, application, reason="公示无异议"))
    service.clock.advance(timedelta(days=7))
    approval: Approval = await service.handle(step(c.Approve, application, reason="公示无异议"))
    # Seed 500154 urban standard on 2026-03-24: ¥760 (¥780 only from 2026-07-01); February counted.
    # Income 600 − disability costs 90 = 510; 510 ÷ 3 = 170.00 per person; gap 760 − 170 = 590 × 3 = 1770;
    # 刘小芳 holds a grade-3 certificate: +70 困难残疾人生活补贴; 1770 + 70 = 1840.00 a month.
    assert approval.amount == Decimal("1840.00") and application.amount == Decimal("1840.00")
    assert approval.lines[-1] == "每月低保金合计：差额 ¥1,770.00 + 分类施保 ¥70.00 = ¥1,840.00"
    assert application.stage == Stage.APPROVED and application.approved_at == AT + timedelta(days=22)
    assert [d.what for d in application.decisions] == [
        DecisionKind.ACCEPTED,
        DecisionKind.PROCEEDED_WITH_GAPS,
        DecisionKind.APPRAISAL_SKIPPED,
        DecisionKind.REVIEWED,
        DecisionKind.APPROVED,
    ]
    assert service.uow.event_types() == [
        "case.applied",
        "case.accepted",
        "case.verification_requested",
        "case.verification_completed",
        "case.home_visit_recorded",
        "case.appraisal_recorded",
        "case.review_recorded",
        "case.publicity_started",
        "case.approved",
    ]
    # The ten commands that returned were committed; the three refused ones were not.
    assert service.uow.commits == 10


async def test_an_application_is_rejected_after_an_unfavourable_review(service: Service) -> None:
    application = await to_review(service)
    level = ReviewLevel.TOWNSHIP
    await service.handle(step(c.RecordReview, application, approve=False, reason="存款超标", level=level))
    with pytest.raises(MissingPrerequisite):
        await service.handle(step(c.StartPublicity, application))
    await service.handle(step(c.Reject, application, reason="家庭人均金融资产超过财产限定标准"))
    assert application.stage == Stage.REJECTED and application.amount is None
    assert application.outcome_reason == "家庭人均金融资产超过财产限定标准"
    assert service.uow.event_types()[-2:] == ["case.review_recorded", "case.rejected"]


async def test_a_household_change_returns_the_programmes_to_check_again(service: Service) -> None:
    application: Application = await service.handle(register())
    assert application.household_id is not None
    cmd = c.ChangeHousehold(
        household_id=application.household_id,
        actor=CASEWORKER,
        remove_members=("m3",),
        removal_reason="外出就学",
    )
    rechecks = await service.handle(cmd)
    assert rechecks == [Recheck(application.id, Programme.DIBAO, ("家庭人员构成变化",))]
    household = service.uow.households.items[application.household_id]
    assert household.personkeys == ("pk-wang-1", "pk-wang-2") and household.changes == []
    # Before the decision there is no benefit to raise a 防错 alert on: the caseworker re-checks it.
    assert service.uow.event_types() == ["case.applied"] and service.uow.commits == 2


async def test_a_household_change_raises_an_alert_on_a_benefit_being_paid(service: Service) -> None:
    application = await to_review(service)
    level = ReviewLevel.TOWNSHIP
    await service.handle(step(c.RecordReview, application, approve=True, reason="符合低保条件", level=level))
    await service.handle(step(c.StartPublicity, application))
    service.clock.advance(timedelta(days=7))
    await service.handle(step(c.Approve, application, reason="公示无异议"))
    # Payment has no handler yet: the aggregate is moved on directly.
    application.start_payment(AT.date().replace(month=4, day=1), service.clock(), CASEWORKER)
    application.events.clear()
    assert application.household_id is not None
    income = IncomeItem("i2", "m2", IncomeSource.WAGE, AT.date().replace(day=1), Decimal("1500"))
    cmd = c.ChangeHousehold(household_id=application.household_id, actor=CASEWORKER, incomes=(income,))
    rechecks = await service.handle(cmd)
    assert rechecks == [Recheck(application.id, Programme.DIBAO, ("家庭收入变化",))]
    assert service.uow.event_types()[-1] == "case.alert_raised"
    assert service.uow.applications.actions(application.id)[-1] == "alert_raised"
