"""低保 and 分类施保 as properties: never negative, monotone in income, top-ups only with their condition."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistance.data import load_seed_standards
from assistance.domain.benefit_facts import (
    Area,
    HouseholdFacts,
    MemberFacts,
    TemporaryCategory,
    TemporaryFacts,
)
from assistance.domain.benefit_facts import Recipient as R
from assistance.domain.benefits import dibao_benefit
from assistance.domain.money import add_months, percent, plain, to_fen, yuan
from assistance.domain.rule_errors import InvalidBenefitInput
from services.assistance.tests.unit.rule_strategies import (
    PROPERTY,
    REGION,
    dates,
    dibao_standard,
    households,
    single_person_candidate,
)

STANDARDS = load_seed_standards()
SPECIAL = "特殊困难补助金"
SUBSIDY = "困难残疾人生活补贴"


def _per_head(household: HouseholdFacts) -> Decimal:
    gross = sum(m.monthly_income for m in household.members) + household.other_monthly_income
    deductions = sum(m.rigid_expenditure + m.employment_cost for m in household.members)
    net = max(gross - deductions, Decimal(0))
    return (net / len(household.members)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@PROPERTY
@given(household=households(assets=True), on=dates)
def test_dibao_is_never_negative_and_adds_up(household: HouseholdFacts, on: date) -> None:
    result = dibao_benefit(household, STANDARDS, on)
    assert result.amount >= 0
    assert result.amount == result.gap_amount + result.top_up_total
    assert result.amount == result.amount.quantize(Decimal("0.01"))
    assert result.eligible == (not result.refusals)
    if not result.eligible:
        assert result.amount == 0
        assert result.top_ups == ()
    assert result.lines


@PROPERTY
@given(
    household=households(single_person=False),
    on=dates,
    index=st.integers(min_value=0, max_value=5),
    rise=st.decimals(0, 3000, places=2),
)
def test_dibao_never_rises_when_income_rises(
    household: HouseholdFacts, on: date, index: int, rise: Decimal
) -> None:
    # The 单人户 switch is a cliff the seeds create (see test_single_person_switch_is_a_documented_cliff).
    assert not any(single_person_candidate(m) for m in household.members)
    index %= len(household.members)
    richer_member = replace(
        household.members[index], monthly_income=household.members[index].monthly_income + rise
    )
    members = (*household.members[:index], richer_member, *household.members[index + 1 :])
    before = dibao_benefit(household, STANDARDS, on)
    after = dibao_benefit(replace(household, members=members), STANDARDS, on)
    assert after.amount <= before.amount


@PROPERTY
@given(household=households(single_person=False), on=dates)
def test_eligible_exactly_when_income_per_head_is_below_the_standard(
    household: HouseholdFacts, on: date
) -> None:
    assert not any(single_person_candidate(m) for m in household.members)
    result = dibao_benefit(household, STANDARDS, on)
    standard = dibao_standard(household.area, on)
    per_head = _per_head(household)
    assert result.eligible == (per_head < standard)
    if result.eligible:
        assert result.gap_amount == (standard - per_head) * len(household.members)


@PROPERTY
@given(household=households(), on=dates)
def test_top_ups_only_with_their_condition_and_never_stacked(household: HouseholdFacts, on: date) -> None:
    result = dibao_benefit(household, STANDARDS, on)
    rural_family = household.area is Area.RURAL and (
        household.only_child or household.all_daughters or household.landless
    )
    for index, member in enumerate(household.members):
        mine = [t for t in result.top_ups if t.member == f"成员{index + 1}"]
        special = [t for t in mine if t.kind.startswith(SPECIAL)]
        subsidy = [t for t in mine if t.kind == SUBSIDY]
        severe = member.disability_grade in (1, 2) or member.serious_illness
        entitled = severe or member.age >= 60 or member.student or household.single_parent or rural_family
        assert len(special) <= 1
        if not entitled:
            assert special == []
        if member.disability_grade not in (3, 4):
            assert subsidy == []
        else:
            assert [t.amount for t in subsidy] in ([], [Decimal("70.00")])
        if special and severe:
            assert special[0].amount == dibao_standard(household.area, on) * Decimal("0.30")


@PROPERTY
@given(household=households(), on=dates)
def test_urban_only_child_all_daughter_and_landless_households_get_no_family_top_up(
    household: HouseholdFacts, on: date
) -> None:
    plain_members = tuple(
        MemberFacts(age=30, monthly_income=m.monthly_income, rigid_expenditure=m.rigid_expenditure)
        for m in household.members
    )
    urban = replace(household, area=Area.URBAN, single_parent=False, members=plain_members)
    assert dibao_benefit(urban, STANDARDS, on).top_ups == ()


@PROPERTY
@given(household=households(assets=True), on=dates)
def test_assets_above_the_ceiling_are_always_refused(household: HouseholdFacts, on: date) -> None:
    result = dibao_benefit(household, STANDARDS, on)
    per_head_assets = (household.financial_assets / len(household.members)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    if per_head_assets > Decimal("30000"):
        assert not result.eligible
        assert any("财产限定标准" in r for r in result.refusals)


@PROPERTY
@given(household=households(), on=dates)
def test_single_person_enrolment_only_between_the_standard_and_150_percent(
    household: HouseholdFacts, on: date
) -> None:
    result = dibao_benefit(household, STANDARDS, on)
    if result.single_person:
        standard = dibao_standard(household.area, on)
        assert standard <= _per_head(household) <= standard * Decimal("1.5")
        enrolled = {f"成员{i + 1}" for i, m in enumerate(household.members) if single_person_candidate(m)}
        assert {t.member for t in result.top_ups} <= enrolled
        assert 0 < result.gap_amount <= standard * len(enrolled)


def test_single_person_switch_is_a_documented_cliff() -> None:
    # 003 L461 enrols the severely disabled member alone only once the family as a whole fails the test, so
    # a family just below the standard receives less than one just above it. Hand-computed on 780 / 1.5×:
    disabled = MemberFacts(age=30, disability_grade=1, relies_on_family=True)
    below = HouseholdFacts(
        REGION, Area.URBAN, (MemberFacts(age=40, monthly_income=Decimal("1558")), disabled)
    )
    above = replace(below, members=(MemberFacts(age=40, monthly_income=Decimal("1562")), disabled))
    # 1558 / 2 = 779.00; (780 − 779) × 2 = 2.00; + 780 × 30% = 234.00 → 236.00
    assert dibao_benefit(below, STANDARDS, date(2026, 7, 1)).amount == Decimal("236.00")
    # 1562 / 2 = 781.00 ≥ 780 and ≤ 1170: member 2 alone, 780 − 0 = 780.00 + 234.00 → 1014.00
    result = dibao_benefit(above, STANDARDS, date(2026, 7, 1))
    assert (result.single_person, result.amount) == (True, Decimal("1014.00"))


def test_a_member_who_can_register_alone_is_not_enrolled_as_a_single_person() -> None:
    member = MemberFacts(age=30, serious_illness=True, relies_on_family=True, can_register_separately=True)
    household = HouseholdFacts(
        REGION, Area.URBAN, (MemberFacts(age=40, monthly_income=Decimal("1600")), member)
    )
    result = dibao_benefit(household, STANDARDS, date(2026, 7, 1))
    assert (result.eligible, result.amount) == (False, Decimal("0.00"))
    assert any("不低于城市低保标准" in r for r in result.refusals)


@pytest.mark.parametrize(
    "build",
    [
        lambda: MemberFacts(age=30, monthly_income=1000.0),  # type: ignore[arg-type]
        lambda: MemberFacts(age=30, monthly_income=Decimal("-1")),
        lambda: MemberFacts(age=-1),
        lambda: MemberFacts(age=30, disability_grade=5),
        lambda: HouseholdFacts(REGION, Area.URBAN, ()),
        lambda: HouseholdFacts(REGION, Area.URBAN, (MemberFacts(age=3),), financial_assets=Decimal("NaN")),
        lambda: TemporaryFacts(REGION, Area.URBAN, TemporaryCategory.URGENT, 4, R.HOUSEHOLD, 2, 2),
        lambda: TemporaryFacts(REGION, Area.URBAN, TemporaryCategory.URGENT, 1, R.INDIVIDUAL, 2, 2),
        lambda: TemporaryFacts(REGION, Area.URBAN, TemporaryCategory.URGENT, 1, R.HOUSEHOLD, 0, 2),
        lambda: TemporaryFacts(REGION, Area.URBAN, TemporaryCategory.URGENT, 1, R.HOUSEHOLD, 2, 0),
    ],
)
def test_unacceptable_facts_are_refused(build: object) -> None:
    with pytest.raises(InvalidBenefitInput):
        build()  # type: ignore[operator]


def test_rounding_is_half_up_to_the_fen_and_formats_read_as_written() -> None:
    assert to_fen(Decimal("0.005")) == Decimal("0.01")
    assert to_fen(Decimal("0.125")) == Decimal("0.13")
    assert to_fen(Decimal("2.675")) == Decimal("2.68")
    assert to_fen(Decimal("333.3333")) == Decimal("333.33")
    assert yuan(Decimal("50000")) == "¥50,000.00"
    assert (percent(Decimal("0.30")), percent(Decimal("0.125")), plain(Decimal("1.30"))) == (
        "30%",
        "12.5%",
        "1.3",
    )


def test_add_months_keeps_the_day_or_takes_the_month_end() -> None:
    assert add_months(date(2026, 7, 1), 6) == date(2027, 1, 1)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)
