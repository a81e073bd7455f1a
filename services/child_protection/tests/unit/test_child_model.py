"""The child's file (一人一档): rules, the four-colour history, visit scheduling, the care-agreement flag."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from child_protection.domain.child_events import (
    Registered,
    RiskChanged,
    Updated,
    VisitMissed,
    VisitRecorded,
    VisitScheduled,
)
from child_protection.domain.child_model import ChildFile
from child_protection.domain.child_parts import CareAgreement, Caregiver, Guardian, end_of_day
from child_protection.domain.child_visits import VisitPolicy
from child_protection.domain.errors import InvalidChildData, InvalidTransition, MissingPrerequisite

# 2026-11-23 09:00 in China.
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
POLICY = VisitPolicy()
MOTHER = Guardian("王芳", "母亲", "13800000000", is_primary=True, working_away=True)
GRANDMA = Caregiver("李秀英", "祖母", "13900000000")


def new_child(**overrides: Any) -> ChildFile:
    fields: dict[str, Any] = {
        "id": uuid.uuid4(),
        "personkey": "pk_test",
        "name": "小明",
        "gender": "male",
        "birth_date": date(2016, 5, 1),
        "region_code": "500154102001",
        "categories": ["in_difficulty"],
        "risk_colour": "blue",
        "at": T0,
        "actor": "主任甲",
        "policy": POLICY,
        "guardians": [MOTHER],
    }
    fields.update(overrides)
    return ChildFile.register(**fields)


def only_visit(child: ChildFile) -> Any:
    (visit,) = child.open_visits()
    return visit


# ---- registering -------------------------------------------------------------------------------------


def test_registering_records_the_colour_history_and_schedules_the_first_visit_by_colour() -> None:
    child = new_child(risk_colour="yellow", risk_reason="父亲服刑")
    assert child.risk_history[0].colour == "yellow" and child.risk_history[0].previous is None
    assert child.risk_history[0].reason == "父亲服刑" and child.risk_history[0].by == "主任甲"
    visit = only_visit(child)
    assert visit.due_date == TODAY + timedelta(days=14) and visit.visit_type == "home" and visit.auto
    assert visit.assigned_to == "主任甲"  # the responsible person defaults to whoever registered
    assert [type(e) for e in child.events] == [Registered, VisitScheduled]
    assert [h.action for h in child.history] == ["registered", "visit_scheduled"]


@pytest.mark.parametrize(("colour", "days"), [("red", 7), ("yellow", 14), ("blue", 30), ("green", 90)])
def test_default_cadence_by_colour(colour: str, days: int) -> None:
    assert only_visit(new_child(risk_colour=colour)).due_date == TODAY + timedelta(days=days)


def test_cadence_is_configurable() -> None:
    policy = VisitPolicy(interval_days={"red": 3, "yellow": 10, "blue": 20, "green": 60})
    assert only_visit(new_child(risk_colour="green", policy=policy)).due_date == TODAY + timedelta(days=60)


def test_a_left_behind_child_is_contacted_weekly_home_visit_first_then_phone_between_home_visits() -> None:
    child = new_child(categories=["left_behind"], risk_colour="green", caregiver=GRANDMA)
    first = only_visit(child)
    assert (first.due_date, first.visit_type) == (TODAY + timedelta(days=7), "home")
    child.record_visit(
        visit_id=first.id, visited_on=TODAY, notes="家中一切正常", at=T0, actor="主任甲", policy=POLICY
    )
    second = only_visit(child)
    # Weekly contact (MP-74) by phone; the next home visit is due at the green cadence (90 days).
    assert (second.due_date, second.visit_type) == (TODAY + timedelta(days=7), "phone")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": " "}, "儿童姓名"),
        ({"categories": []}, "儿童类别"),
        ({"categories": ["runaway"]}, "未知的儿童类别"),
        ({"risk_colour": "purple"}, "红、黄、蓝、绿"),
        ({"birth_date": None}, "出生日期"),
        ({"birth_date": date(2030, 1, 1)}, "不能晚于今天"),
        ({"birth_date": date(2008, 11, 22)}, "已满 18 周岁"),
        ({"region_code": "5001"}, "行政区划代码"),
        ({"gender": "x"}, "性别"),
        ({"guardians": [Guardian("甲", "父亲"), Guardian("乙", "母亲")]}, "主要监护人"),
        ({"guardians": [Guardian("甲", "父亲", "abc", is_primary=True)]}, "联系电话"),
        ({"agreement": CareAgreement(True, TODAY, "协议-1")}, "被委托照护人"),
        ({"caregiver": GRANDMA, "agreement": CareAgreement(True, None, "协议-1")}, "签订日期"),
        ({"caregiver": GRANDMA, "agreement": CareAgreement(True, TODAY, "")}, "文书编号"),
    ],
)
def test_registration_refuses_bad_files(change: dict[str, Any], message: str) -> None:
    with pytest.raises((InvalidChildData, MissingPrerequisite)) as info:
        new_child(**change)
    assert message in str(info.value)


# ---- MP-73: entrusted caregiver and written care agreement -------------------------------------------


def test_a_left_behind_child_without_caregiver_or_signed_agreement_is_flagged() -> None:
    child = new_child(categories=["left_behind"])
    assert child.flags == ["caregiver_missing", "agreement_missing"]
    child.set_caregiver(GRANDMA, T0, "主任甲")
    assert child.flags == ["agreement_missing"]
    child.record_agreement(CareAgreement(True, TODAY, "两单两书-2026-001"), T0, "主任甲")
    assert child.flags == []
    assert [e.fields for e in child.events if isinstance(e, Updated)] == [("caregiver",), ("agreement",)]


def test_children_of_other_categories_are_not_flagged_for_the_agreement() -> None:
    assert new_child(categories=["orphan"]).flags == []
    assert new_child(categories=["orphan"], guardians=[]).flags == ["no_guardian"]


def test_another_caregiver_voids_the_signed_agreement() -> None:
    child = new_child(
        categories=["left_behind"], caregiver=GRANDMA, agreement=CareAgreement(True, TODAY, "协议-1")
    )
    assert child.flags == []
    child.set_caregiver(Caregiver(GRANDMA.name, GRANDMA.relation, "13700000000"), T0, "主任甲")
    assert child.agreement is not None and child.agreement.signed  # same person, new phone
    child.set_caregiver(Caregiver("张强", "叔叔"), T0, "主任甲")
    assert child.agreement is not None and not child.agreement.signed
    assert child.flags == ["agreement_missing"]
    assert child.history[-1].detail["agreement_reset"] is True


def test_an_agreement_cannot_be_dated_in_the_future() -> None:
    child = new_child(caregiver=GRANDMA)
    with pytest.raises(InvalidChildData):
        child.record_agreement(CareAgreement(True, TODAY + timedelta(days=1), "协议-1"), T0, "主任甲")


# ---- four colours ---------------------------------------------------------------------------------------


def test_risk_history_keeps_who_when_and_why_and_a_rise_to_red_or_yellow_calls_for_a_report() -> None:
    child = new_child(risk_colour="green")
    later = T0 + timedelta(hours=2)
    assert child.change_risk("blue", "家庭收入下降", T0, "主任甲", POLICY) is False
    assert child.change_risk("yellow", "父母离异", later, "审核人乙", POLICY) is True
    assert child.change_risk("blue", "已得到帮扶", later, "审核人乙", POLICY) is False
    assert child.change_risk("red", "发现遭受殴打", later, "审核人乙", POLICY) is True
    assert [(r.previous, r.colour, r.by, r.reason) for r in child.risk_history] == [
        (None, "green", "主任甲", "建档时初始分级"),
        ("green", "blue", "主任甲", "家庭收入下降"),
        ("blue", "yellow", "审核人乙", "父母离异"),
        ("yellow", "blue", "审核人乙", "已得到帮扶"),
        ("blue", "red", "审核人乙", "发现遭受殴打"),
    ]
    alerts = [e.alert for e in child.events if isinstance(e, RiskChanged)]
    assert alerts == [False, True, False, True]


def test_a_risk_change_needs_a_reason_and_a_different_colour() -> None:
    child = new_child(risk_colour="blue")
    with pytest.raises(MissingPrerequisite):
        child.change_risk("red", " ", T0, "主任甲", POLICY)
    with pytest.raises(InvalidTransition):
        child.change_risk("blue", "复核", T0, "主任甲", POLICY)
    with pytest.raises(InvalidChildData):
        child.change_risk("black", "复核", T0, "主任甲", POLICY)


def test_raising_the_colour_brings_the_next_visit_forward() -> None:
    child = new_child(risk_colour="green")
    visit = only_visit(child)
    assert visit.due_date == TODAY + timedelta(days=90)
    child.change_risk("red", "发现遭受殴打", T0, "主任甲", POLICY)
    assert only_visit(child) is visit and visit.due_date == TODAY + timedelta(days=7)
    assert isinstance(child.events[-1], VisitScheduled) and child.events[-1].due_date == visit.due_date


def test_becoming_left_behind_brings_the_next_contact_within_a_week() -> None:
    child = new_child(risk_colour="blue")
    child.update_details(at=T0, actor="主任甲", policy=POLICY, categories=["in_difficulty", "left_behind"])
    assert only_visit(child).due_date == TODAY + timedelta(days=7)
    assert child.flags == ["caregiver_missing", "agreement_missing"]


# ---- visits ------------------------------------------------------------------------------------------


def test_recording_a_visit_schedules_the_next_by_colour() -> None:
    child = new_child(risk_colour="yellow")
    visit = only_visit(child)
    visited = TODAY + timedelta(days=10)
    at = T0 + timedelta(days=10)
    done, alert = child.record_visit(
        visit_id=visit.id,
        visited_on=visited,
        notes="入户走访，学习生活正常",
        at=at,
        actor="主任甲",
        policy=POLICY,
    )
    assert done is visit and visit.status == "done" and visit.visited_on == visited and not alert
    nxt = only_visit(child)
    assert nxt.due_date == visited + timedelta(days=14) and nxt.auto
    recorded = [e for e in child.events if isinstance(e, VisitRecorded)]
    assert len(recorded) == 1 and not recorded[0].risk_raised


def test_a_visit_that_finds_a_risk_calls_for_a_report_and_may_raise_the_colour() -> None:
    child = new_child(risk_colour="blue")
    visit = only_visit(child)
    _, alert = child.record_visit(
        visit_id=visit.id,
        visited_on=TODAY,
        notes="儿童手臂有伤痕，称被打",
        risk_raised=True,
        new_colour="red",
        at=T0,
        actor="主任甲",
        policy=POLICY,
    )
    assert alert and child.risk_colour == "red"
    assert child.risk_history[-1].reason.endswith("儿童手臂有伤痕，称被打")
    assert only_visit(child).due_date == TODAY + timedelta(days=7)  # red: weekly from now on


def test_raising_the_colour_at_a_visit_calls_for_a_report_even_without_the_flag() -> None:
    child = new_child(risk_colour="green")
    _, alert = child.record_visit(
        visited_on=TODAY, notes="监护人长期酗酒", new_colour="yellow", at=T0, actor="主任甲", policy=POLICY
    )
    assert alert


def test_visit_rules() -> None:
    child = new_child()
    visit = only_visit(child)
    with pytest.raises(MissingPrerequisite):
        child.record_visit(visit_id=visit.id, visited_on=TODAY, notes="", at=T0, actor="甲", policy=POLICY)
    with pytest.raises(InvalidChildData):
        child.record_visit(
            visit_id=visit.id,
            visited_on=TODAY + timedelta(days=1),
            notes="x",
            at=T0,
            actor="甲",
            policy=POLICY,
        )
    with pytest.raises(InvalidTransition):
        child.record_visit(
            visit_id=uuid.uuid4(), visited_on=TODAY, notes="x", at=T0, actor="甲", policy=POLICY
        )
    child.record_visit(visit_id=visit.id, visited_on=TODAY, notes="正常", at=T0, actor="甲", policy=POLICY)
    with pytest.raises(InvalidTransition):  # recorded once only
        child.record_visit(
            visit_id=visit.id, visited_on=TODAY, notes="正常", at=T0, actor="甲", policy=POLICY
        )
    with pytest.raises(InvalidChildData):
        child.schedule_visit(TODAY - timedelta(days=1), "home", "甲", T0, "甲")
    with pytest.raises(InvalidChildData):
        child.schedule_visit(TODAY, "video", "甲", T0, "甲")
    planned = child.schedule_visit(TODAY, "phone", "", T0, "甲", note="电话了解开学情况")
    assert planned.assigned_to == "主任甲" and not planned.auto


def test_an_unplanned_visit_does_not_add_a_second_planned_one() -> None:
    child = new_child(risk_colour="blue")
    planned = only_visit(child)
    child.record_visit(visited_on=TODAY, notes="路遇儿童", at=T0, actor="甲", policy=POLICY)
    assert child.open_visits() == [planned]


# ---- missed visits ------------------------------------------------------------------------------------


def test_a_visit_is_missed_only_after_its_due_day_ends_in_china_and_only_once() -> None:
    child = new_child(risk_colour="red")
    visit = only_visit(child)
    end = end_of_day(visit.due_date)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 2026-12-01 00:00 in China
    assert child.mark_missed(end - timedelta(seconds=1), POLICY) == []
    assert child.mark_missed(end, POLICY) == [visit]
    assert visit.status == "missed" and visit.missed_at == end
    assert child.mark_missed(end + timedelta(days=1), POLICY) == []
    missed = [e for e in child.events if isinstance(e, VisitMissed)]
    assert len(missed) == 1 and missed[0].due_date == visit.due_date
    # A replacement contact is planned within the retry period.
    assert only_visit(child).due_date == date(2026, 12, 1) + timedelta(days=POLICY.missed_retry_days)


def test_report_opened_tags_the_events_and_visits_that_called_for_it() -> None:
    child = new_child(risk_colour="red")
    visit = only_visit(child)
    now = end_of_day(visit.due_date)
    child.mark_missed(now, POLICY)
    case_id = uuid.uuid4()
    child.report_opened(
        case_id, "CP-500154-2026-000001", linked=False, reason="逾期未访", at=now, actor="system"
    )
    assert visit.case_id == case_id
    assert next(e for e in child.events if isinstance(e, VisitMissed)).case_id == case_id
    assert child.history[-1].action == "report_opened"
    assert child.history[-1].detail["case_ref"] == "CP-500154-2026-000001"
