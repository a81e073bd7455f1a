"""12345 through intake, on fakes through the real bus: a routed work order opens a case bound by the work
order's deadline, later events reach the case, a low 回访 score reopens it, redeliveries change nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from child_protection.domain import commands as c
from child_protection.domain.stages import Stage
from child_protection.entrypoints.consumer import ROUTES
from services.child_protection.tests.support import AT, Service, cloud_event, routed, satisfaction
from shared.contracts import child_protection as cp
from shared.contracts import intake as ic
from shared.kit.unit_of_work import DuplicateDelivery


@pytest.fixture
def service() -> Service:
    return Service()


async def closed_case(service: Service, work_order_id: uuid.UUID) -> uuid.UUID:
    """A case from a 12345 work order, taken to closure the shortest way (a 审核人-approved skip)."""
    outcome = await service.deliver(routed(work_order_id))
    case_id = outcome.case.id
    await service.act(c.AcceptCase, case_id)
    await service.act(c.RecordEmergency, case_id, action="on_site_visit")
    await service.act(c.RequestSkip, case_id, target=Stage.CLOSED, reason="经核实无风险")
    await service.act(c.ApproveSkip, case_id, feedback="经核实儿童安全，已办结。")
    return case_id


def test_the_consumer_routes_exactly_these_event_types() -> None:
    assert set(ROUTES) == {
        "intake.work_order.routed",
        "intake.work_order.supplemented",
        "intake.work_order.urged",
        "intake.work_order.revoked",
        "intake.work_order.satisfaction_recorded",
    }


async def test_a_routed_work_order_opens_a_case_about_the_minor_it_names(service: Service) -> None:
    work_order_id = uuid.uuid4()
    outcome = await service.deliver(routed(work_order_id), event_id="intake-ev-1")
    case = outcome.case
    assert (case.urgency, case.region_code, case.work_order_id, case.order_no) == (
        "critical",
        "500154",
        work_order_id,
        "GD-CP-0001",
    )
    assert (case.child.personkey, case.child.name, case.child.age) == ("pk_child", "小*", 8)
    (event,) = service.uow.sent
    assert (event.type, event.causationid, event.correlationid) == (
        "child_protection.case.reported",
        "intake-ev-1",
        str(work_order_id),
    )
    assert (event.data["source"], event.data["reporter_type"], event.data["actor"]) == (
        "12345",
        "hotline_12345",
        "12345",
    )
    # Critical: accepted within the hour.
    assert case.step_due_at == AT + timedelta(hours=1)


async def test_a_work_order_for_another_service_is_not_a_command(service: Service) -> None:
    assert (
        ROUTES["intake.work_order.routed"](cloud_event(routed(uuid.uuid4(), routed_to="assistance"))) is None
    )


async def test_the_12345_deadline_shortens_the_due_time_of_every_step_while_open(service: Service) -> None:
    deadline = AT + timedelta(minutes=30)
    outcome = await service.deliver(routed(uuid.uuid4(), urgency="normal", deadline_at=deadline))
    case = outcome.case
    assert case.hotline_deadline_at == deadline
    assert case.step_due_at == deadline  # the rule would give 24 hours
    await service.act(c.AcceptCase, case.id)
    assert case.step_due_at == deadline  # the rule would give 72 hours
    far = await service.deliver(
        routed(uuid.uuid4(), urgency="normal", deadline_at=AT + timedelta(days=30), subjects=[])
    )
    assert far.case.step_due_at == AT + timedelta(hours=24)


async def test_a_redelivered_event_has_no_second_effect(service: Service) -> None:
    work_order_id = uuid.uuid4()
    await service.deliver(routed(work_order_id), event_id="intake-ev-7")
    commits = service.uow.commits
    with pytest.raises(DuplicateDelivery):
        await service.deliver(routed(work_order_id), event_id="intake-ev-7")
    assert service.uow.commits == commits
    assert len(service.uow.cases.items) == 1 and service.types() == ["case.reported"]


async def test_revoked_before_acceptance_declines_later_events_are_notes(service: Service) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    one = (await service.deliver(routed(first, order_no="GD-1"))).case
    two = (await service.deliver(routed(second, order_no="GD-2", subjects=[]))).case
    common = {"status": "routed", "occurred_at": AT, "routed_to": "child_protection"}
    await service.deliver(
        ic.WorkOrderRevoked(work_order_id=first, order_no="GD-1", reason="来电人撤回", **common)
    )
    await service.deliver(
        ic.WorkOrderUrged(work_order_id=second, order_no="GD-2", note="请尽快处理", urge_count=1, **common)
    )
    await service.deliver(
        ic.WorkOrderSupplemented(work_order_id=second, order_no="GD-2", content="补充：孩子8岁", **common)
    )
    assert one.stage == Stage.DECLINED and one.feedback == "12345 撤单：来电人撤回"
    assert service.uow.contracts(cp.CaseDeclined)[0].referred_to is None
    assert two.stage == Stage.REPORTED
    assert [(r.kind, r.data["note"]) for r in two.records] == [
        ("hotline_urged", "请尽快处理"),
        ("hotline_supplemented", "补充：孩子8岁"),
    ]
    assert service.uow.cases.actions(two.id) == ["reported", "hotline_urged", "hotline_supplemented"]


async def test_events_on_work_orders_this_service_does_not_hold_change_nothing(service: Service) -> None:
    common = {"status": "routed", "occurred_at": AT}
    urged = ic.WorkOrderUrged(
        work_order_id=uuid.uuid4(), order_no="x", urge_count=1, routed_to=None, **common
    )
    await service.deliver(urged)
    elsewhere = ic.WorkOrderUrged(
        work_order_id=uuid.uuid4(), order_no="y", urge_count=1, routed_to="assistance", **common
    )
    assert ROUTES[elsewhere.EVENT_TYPE](cloud_event(elsewhere)) is None
    assert await service.deliver(satisfaction(uuid.uuid4(), 1)) is False
    assert service.uow.sent == []


async def test_a_low_satisfaction_score_reopens_the_closed_case(service: Service) -> None:
    work_order_id = uuid.uuid4()
    case_id = await closed_case(service, work_order_id)
    assert await service.deliver(satisfaction(work_order_id, 2, "没人上门，请回电13912345678")) is True
    case = service.uow.cases.items[case_id]
    assert case.stage == Stage.ASSESSMENT and case.closed_at is None
    (reopened,) = service.uow.contracts(cp.CaseReopened)
    assert reopened.reason == "12345 回访不满意（2分）：没人上门，请回电139****5678"
    assert (reopened.actor, reopened.work_order_id) == ("12345", work_order_id)
    # Back in assessment on the clock of its rule: the answered work order's deadline no longer binds.
    assert case.hotline_deadline_at is None and case.step_due_at is not None


async def test_a_low_score_on_an_open_case_is_recorded_for_the_caseworker(service: Service) -> None:
    work_order_id = uuid.uuid4()
    case = (await service.deliver(routed(work_order_id))).case
    assert await service.deliver(satisfaction(work_order_id, 1)) is False
    assert case.stage == Stage.REPORTED
    assert (case.records[-1].kind, case.records[-1].data) == (
        "hotline_dissatisfied",
        {"score": 1, "note": "12345 回访不满意（1分）"},
    )
    assert service.uow.cases.actions(case.id) == ["reported", "hotline_dissatisfied"]


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_satisfied_caller_needs_nothing_here(score: int) -> None:
    assert (
        ROUTES["intake.work_order.satisfaction_recorded"](cloud_event(satisfaction(uuid.uuid4(), score)))
        is None
    )
