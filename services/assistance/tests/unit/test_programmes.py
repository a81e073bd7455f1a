"""The rules across programmes: 低保 and 特困 exclude each other, no duplicate open application, the yearly
临时救助 limit, the place of application, and what a household change sends back for checking."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from assistance.domain.errors import OutsideJurisdiction, ProgrammeConflict
from assistance.domain.household import Household
from assistance.domain.household_parts import ChangeKind
from assistance.domain.programmes import (
    DEFAULT_TEMPORARY_LIMIT_PER_YEAR,
    Coverage,
    Programme,
    TemporaryKind,
    check_enrolment,
    check_jurisdiction,
    check_temporary_frequency,
    programmes_to_recheck,
)
from assistance.domain.stages import Stage

HH = uuid.UUID("00000000-0000-0000-0000-0000000000aa")
OTHER_HH = uuid.UUID("00000000-0000-0000-0000-0000000000bb")


def cover(
    programme: Programme,
    stage: Stage,
    *people: str,
    household: uuid.UUID = HH,
    approved_on: date | None = None,
) -> Coverage:
    return Coverage(uuid.uuid4(), household, programme, stage, frozenset(people), approved_on)


@pytest.mark.parametrize(
    "stage", [Stage.APPLIED, Stage.VERIFYING, Stage.PUBLICITY, Stage.APPROVED, Stage.MANAGED, Stage.SUSPENDED]
)
def test_a_person_in_tekun_is_not_also_in_dibao(stage: Stage) -> None:
    tekun = cover(Programme.TEKUN, stage, "pk_grandma")
    with pytest.raises(ProgrammeConflict, match="有1名人员正在申请或享受特困，不能同时纳入低保") as refused:
        check_enrolment(Programme.DIBAO, ["pk_a", "pk_grandma"], [tekun])
    assert refused.value.personkeys == ("pk_grandma",)


def test_a_person_in_dibao_is_not_also_in_tekun() -> None:
    dibao = cover(Programme.DIBAO, Stage.MANAGED, "pk_a", "pk_b")
    with pytest.raises(ProgrammeConflict, match="正在申请或享受低保，不能同时纳入特困") as refused:
        check_enrolment(Programme.TEKUN, ["pk_b"], [dibao])
    assert refused.value.personkeys == ("pk_b",)


@pytest.mark.parametrize("stage", [Stage.ENDED, Stage.REJECTED, Stage.WITHDRAWN, Stage.DECLINED, Stage.LEAD])
def test_a_finished_application_or_a_lead_does_not_count(stage: Stage) -> None:
    tekun = cover(Programme.TEKUN, stage, "pk_a")
    dibao = cover(Programme.DIBAO, stage, "pk_a")
    check_enrolment(Programme.DIBAO, ["pk_a"], [tekun, dibao])
    check_enrolment(Programme.TEKUN, ["pk_a"], [tekun, dibao])
    assert tekun.stage == dibao.stage == stage


def test_the_asking_application_and_other_people_do_not_count() -> None:
    own = cover(Programme.DIBAO, Stage.MANAGED, "pk_a", "pk_b")
    neighbour = cover(Programme.TEKUN, Stage.MANAGED, "pk_x", household=OTHER_HH)
    check_enrolment(Programme.DIBAO, ["pk_a"], [own, neighbour], application_id=own.application_id)
    with pytest.raises(ProgrammeConflict, match="已有在办或在保的低保申请，不能重复申请"):
        check_enrolment(Programme.DIBAO, ["pk_a"], [own, neighbour])


def test_temporary_assistance_goes_with_dibao_and_tekun_but_not_twice_at_once() -> None:
    dibao = cover(Programme.DIBAO, Stage.MANAGED, "pk_a")
    tekun = cover(Programme.TEKUN, Stage.MANAGED, "pk_b")
    granted = cover(Programme.TEMPORARY, Stage.ENDED, "pk_a", approved_on=date(2026, 3, 1))
    paying = cover(Programme.TEMPORARY, Stage.PAYING, "pk_a", approved_on=date(2026, 6, 1))
    check_enrolment(Programme.TEMPORARY, ["pk_a", "pk_b"], [dibao, tekun, granted, paying])
    open_one = cover(Programme.TEMPORARY, Stage.REVIEW, "pk_b")
    with pytest.raises(ProgrammeConflict, match="临时救助申请，不能重复申请"):
        check_enrolment(Programme.TEMPORARY, ["pk_a", "pk_b"], [open_one])


def test_temporary_assistance_has_a_yearly_limit_per_household() -> None:
    assert DEFAULT_TEMPORARY_LIMIT_PER_YEAR == 2
    first = cover(Programme.TEMPORARY, Stage.ENDED, "pk_a", approved_on=date(2026, 2, 1))
    second = cover(Programme.TEMPORARY, Stage.PAYING, "pk_b", approved_on=date(2026, 9, 1))
    last_year = cover(Programme.TEMPORARY, Stage.ENDED, "pk_a", approved_on=date(2025, 12, 31))
    not_granted = cover(Programme.TEMPORARY, Stage.REJECTED, "pk_a")
    elsewhere = cover(
        Programme.TEMPORARY, Stage.ENDED, "pk_x", household=OTHER_HH, approved_on=date(2026, 5, 1)
    )
    dibao = cover(Programme.DIBAO, Stage.MANAGED, "pk_a", approved_on=date(2026, 1, 1))
    check_temporary_frequency(HH, date(2026, 10, 1), [first, last_year, not_granted, elsewhere, dibao])
    with pytest.raises(ProgrammeConflict, match="该家庭2026年已获临时救助2次，已达每年2次的上限"):
        check_temporary_frequency(HH, date(2026, 10, 1), [first, second, last_year])
    check_temporary_frequency(HH, date(2027, 1, 2), [first, second])
    check_temporary_frequency(HH, date(2026, 10, 1), [first, second], limit=3)
    with pytest.raises(ProgrammeConflict, match="已达每年1次的上限"):
        check_temporary_frequency(HH, date(2026, 10, 1), [first], limit=1)


def test_the_asking_application_and_a_case_by_case_decision_lift_the_count() -> None:
    first = cover(Programme.TEMPORARY, Stage.ENDED, "pk_a", approved_on=date(2026, 2, 1))
    second = cover(Programme.TEMPORARY, Stage.APPROVED, "pk_a", approved_on=date(2026, 9, 1))
    check_temporary_frequency(HH, date(2026, 9, 1), [first, second], application_id=second.application_id)
    check_temporary_frequency(
        HH, date(2026, 10, 1), [first, second], special_deliberation="区协调机制一事一议同意"
    )
    with pytest.raises(ProgrammeConflict):
        check_temporary_frequency(HH, date(2026, 10, 1), [first, second], special_deliberation="  ")


def test_a_household_change_names_the_active_programmes_to_check_again() -> None:
    dibao = cover(Programme.DIBAO, Stage.MANAGED, "pk_a", "pk_b")
    tekun = cover(Programme.TEKUN, Stage.SUSPENDED, "pk_c")
    temporary_open = cover(Programme.TEMPORARY, Stage.HOME_VISIT, "pk_a")
    temporary_paid = cover(Programme.TEMPORARY, Stage.PAYING, "pk_a", approved_on=date(2026, 3, 1))
    ended = cover(Programme.DIBAO, Stage.ENDED, "pk_a")
    coverages = [dibao, tekun, temporary_open, temporary_paid, ended]
    income = programmes_to_recheck([ChangeKind.INCOME], coverages)
    assert [(r.application_id, r.programme, r.reasons) for r in income] == [
        (dibao.application_id, Programme.DIBAO, ("家庭收入变化",)),
        (tekun.application_id, Programme.TEKUN, ("家庭收入变化",)),
        (temporary_open.application_id, Programme.TEMPORARY, ("家庭收入变化",)),
    ]
    composition = programmes_to_recheck([ChangeKind.COMPOSITION, ChangeKind.COMPOSITION], [dibao])
    assert [r.reasons for r in composition] == [("家庭人员构成变化",)]


def test_deductions_and_categories_matter_to_dibao_only() -> None:
    dibao = cover(Programme.DIBAO, Stage.APPROVED, "pk_a")
    tekun = cover(Programme.TEKUN, Stage.MANAGED, "pk_c")
    temporary = cover(Programme.TEMPORARY, Stage.ACCEPTED, "pk_a")
    flags = programmes_to_recheck([ChangeKind.FLAGS], [dibao, tekun, temporary])
    assert [r.programme for r in flags] == [Programme.DIBAO]
    spending = programmes_to_recheck([ChangeKind.EXPENDITURE, ChangeKind.FLAGS], [dibao, tekun, temporary])
    assert [(r.programme, r.reasons) for r in spending] == [
        (Programme.DIBAO, ("刚性支出变化", "家庭类别变化")),
        (Programme.TEMPORARY, ("刚性支出变化",)),
    ]
    assert programmes_to_recheck([ChangeKind.INCOME], []) == []


def household(*, hukou: str = "500154", residence: str = "500154", permit: bool = False) -> Household:
    return Household(uuid.uuid4(), "500154", "500154101", hukou, residence, residence_permit=permit)


def test_the_household_applies_where_it_is_registered_or_lives_with_a_permit() -> None:
    check_jurisdiction(household(), "500154", Programme.DIBAO)
    migrant = household(hukou="510101", residence="500154", permit=True)
    check_jurisdiction(migrant, "500154", Programme.DIBAO)
    check_jurisdiction(migrant, "510101", Programme.TEKUN)
    no_permit = household(hukou="510101", residence="500154")
    with pytest.raises(OutsideJurisdiction, match="持有居住证的，可向居住地申请"):
        check_jurisdiction(no_permit, "500154", Programme.DIBAO)
    with pytest.raises(OutsideJurisdiction):
        check_jurisdiction(no_permit, "500154", Programme.TEMPORARY, temporary_kind=TemporaryKind.EXPENDITURE)


def test_urgent_temporary_assistance_is_also_given_where_the_emergency_happened() -> None:
    no_permit = household(hukou="510101", residence="500154")
    urgent = TemporaryKind.URGENT
    check_jurisdiction(no_permit, "500154", Programme.TEMPORARY, temporary_kind=urgent)
    check_jurisdiction(
        no_permit, "500101", Programme.TEMPORARY, temporary_kind=urgent, incident_code="500101"
    )
    with pytest.raises(OutsideJurisdiction, match="急难发生地"):
        check_jurisdiction(
            no_permit, "500102", Programme.TEMPORARY, temporary_kind=urgent, incident_code="500101"
        )
