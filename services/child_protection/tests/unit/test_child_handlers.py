"""The register's handlers on fakes, through the real bus: what each command stages on
child_protection.child.v1 (person keys, no names), and the reports monitoring opens or links."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from child_protection.domain import commands as c
from child_protection.domain.child_parts import CareAgreement, Caregiver, Guardian, end_of_day
from child_protection.domain.errors import AlreadyRegistered, ChildNotFound, InvalidChildData
from child_protection.domain.stages import Stage
from services.child_protection.tests.support import CHILD_ID, SECRET, WORKER, Service, id_number
from shared.contracts import child_protection as cp
from shared.identity import is_provisional, personkey

TODAY = date(2026, 11, 23)
FATHER = Guardian("张大山", "父亲", "13800000001", is_primary=True, working_away=True)


@pytest.fixture
def service() -> Service:
    return Service()


async def register(service: Service, **fields: Any) -> uuid.UUID:
    body: dict[str, Any] = {
        "actor": WORKER,
        "name": "张小明",
        "id_number": CHILD_ID,
        "region_code": "500154102001",
        "categories": ("left_behind",),
        "risk_colour": "blue",
        "guardians": (FATHER,),
    }
    change = await service.bus.handle(c.RegisterChild(**{**body, **fields}))
    return change.child.id


async def change(service: Service, command: type[c.ChildCommand], child_id: uuid.UUID, **fields: Any) -> Any:
    return await service.bus.handle(command(child_id=child_id, actor=WORKER, **fields))


async def test_registering_stages_the_file_and_its_first_visit_without_names(service: Service) -> None:
    child_id = await register(service)
    child = service.uow.children.items[child_id]
    assert child.personkey == personkey(CHILD_ID, SECRET)
    assert (child.birth_date, child.gender, child.responsible) == (date(2016, 5, 1), "male", "李社工")
    assert service.types() == ["child.registered", "child.visit_scheduled"]
    registered, scheduled = service.uow.sent
    assert registered.data["flags"] == ["caregiver_missing", "agreement_missing"]
    assert registered.data["categories"] == ["left_behind"] and registered.data["actor"] == "李社工"
    assert scheduled.data["due_date"] == (TODAY + timedelta(days=7)).isoformat()  # weekly: left behind
    text = json.dumps([e.data for e in service.uow.sent], ensure_ascii=False)
    assert "张小明" not in text and CHILD_ID not in text
    assert service.uow.children.actions(child_id) == ["registered", "visit_scheduled"]


async def test_one_file_per_child(service: Service) -> None:
    child_id = await register(service)
    with pytest.raises(AlreadyRegistered) as refused:
        await register(service, name="张晓明")
    assert (refused.value.child_id, refused.value.region_code) == (child_id, "500154102001")
    with pytest.raises(InvalidChildData, match="出生日期与身份证号不一致"):
        await register(service, id_number=id_number("50015420160501246"), birth_date=date(2016, 5, 2))


async def test_changes_to_the_file_stage_child_updated_with_the_fields(service: Service) -> None:
    child_id = await register(service, id_number=None, birth_date=date(2019, 2, 3))
    assert is_provisional(service.uow.children.items[child_id].personkey)
    later_id = id_number("50015420190203002")
    await change(service, c.UpdateChildDetails, child_id, id_number=later_id, address="某村三组")
    await change(service, c.SetGuardians, child_id, guardians=(FATHER, Guardian("刘小芳", "母亲")))
    await change(service, c.SetCaregiver, child_id, caregiver=Caregiver("张奶奶", "祖母"))
    await change(
        service, c.RecordCareAgreement, child_id, agreement=CareAgreement(True, TODAY, "两单两书-001")
    )
    child = service.uow.children.items[child_id]
    assert child.personkey == personkey(later_id, SECRET) and child.flags == []
    assert [u.fields for u in service.uow.contracts(cp.ChildUpdated)] == [
        ["id_number"],
        ["gender", "address"],  # the ID number tells the gender, which was unknown
        ["guardians"],
        ["caregiver"],
        ["agreement"],
    ]
    with pytest.raises(ChildNotFound):
        await change(service, c.SetGuardians, uuid.uuid4(), guardians=())


async def test_a_colour_raised_to_red_opens_a_report_and_the_next_one_is_linked(service: Service) -> None:
    child_id = await register(service, risk_colour="green")
    lowered = await change(service, c.ChangeChildRisk, child_id, colour="blue", reason="家庭收入下降")
    assert lowered.opened is None
    raised = await change(service, c.ChangeChildRisk, child_id, colour="red", reason="邻居反映儿童常被打骂")
    case = raised.opened.case
    assert raised.opened.linked is False and case.urgency == "urgent" and case.child.child_id == child_id
    assert case.reports[0].source == "monitoring" and "邻居反映儿童常被打骂" in case.reports[0].content
    visit = await change(
        service,
        c.RecordVisit,
        child_id,
        visited_on=TODAY,
        notes="儿童脸部有淤青",
        risk_raised=True,
        visit_type="home",
    )
    assert visit.opened.case is case and visit.opened.linked is True
    assert [e.type for e in service.uow.sent if ".case." in e.type] == [
        "child_protection.case.reported",
        "child_protection.case.report_linked",
    ]
    risk = service.uow.contracts(cp.ChildRiskChanged)
    assert [(r.current, r.case_id) for r in risk] == [("blue", None), ("red", case.id)]
    (recorded,) = service.uow.contracts(cp.ChildVisitRecorded)
    assert (recorded.case_id, recorded.risk_raised, recorded.visit_type) == (case.id, True, "home")


async def test_a_visit_planned_by_hand_then_recorded(service: Service) -> None:
    child_id = await register(service, categories=("orphan",), risk_colour="yellow")
    planned = await change(
        service, c.ScheduleVisit, child_id, due_date=TODAY, visit_type="phone", note="电话了解"
    )
    done = await change(
        service, c.RecordVisit, child_id, visit_id=planned.visit.id, visited_on=TODAY, notes="正常"
    )
    assert done.visit is planned.visit and done.visit.status == "done" and done.opened is None
    scheduled = service.uow.contracts(cp.ChildVisitScheduled)
    assert [(s.due_date, s.visit_type) for s in scheduled] == [
        (TODAY + timedelta(days=14), "home"),
        (TODAY, "phone"),
    ]


async def test_missed_visits_are_marked_once_and_open_one_report(service: Service) -> None:
    child_id = await register(service, risk_colour="red", categories=("in_difficulty",))
    due = service.uow.children.items[child_id].open_visits()[0].due_date
    end = end_of_day(due)
    assert (
        await service.bus.handle(c.MarkMissedVisits(child_id=child_id, now=end - timedelta(seconds=1))) == 0
    )
    assert await service.bus.handle(c.MarkMissedVisits(child_id=child_id, now=end)) == 1
    assert await service.bus.handle(c.MarkMissedVisits(child_id=child_id, now=end + timedelta(hours=1))) == 0
    (missed,) = service.uow.contracts(cp.ChildVisitMissed)
    (reported,) = service.uow.contracts(cp.CaseReported)
    assert missed.case_id == reported.case_id and missed.visit_type == "home"
    assert (reported.source, reported.urgency, reported.actor) == ("monitoring", "urgent", "system")
    case = service.uow.cases.items[reported.case_id]
    assert case.stage == Stage.REPORTED and "计划走访未按期完成" in case.reports[0].content
    assert await service.bus.handle(c.MarkMissedVisits(child_id=uuid.uuid4(), now=end)) == 0


async def test_a_risk_reason_leaves_without_the_names_the_file_holds(service: Service) -> None:
    child_id = await register(service, risk_colour="green")
    await change(
        service, c.ChangeChildRisk, child_id, colour="blue", reason="张大山外出务工，张小明由邻居照看"
    )
    risk = next(e for e in service.uow.sent if e.type == "child_protection.child.risk_changed")
    assert risk.data["reason"] == "张**外出务工，张**由邻居照看"
