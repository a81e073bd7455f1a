"""特困, 临时救助 and phase-out as properties: floors, tiers, the cap, the approval route, 1.0× and 1.5×."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistance.data import load_seed_standards
from assistance.domain.benefit_facts import (
    Area,
    Outcome,
    Recipient,
    SelfCare,
    TekunFacts,
    TemporaryCategory,
    TemporaryFacts,
)
from assistance.domain.benefit_special import tekun_support, temporary_assistance
from assistance.domain.money import add_months
from assistance.domain.phase_out import phase_out
from assistance.domain.rule_errors import InvalidBenefitInput
from services.assistance.tests.unit.rule_strategies import (
    PROPERTY,
    REGION,
    areas,
    dates,
    dibao_standard,
    township_limit,
)

STANDARDS = load_seed_standards()
CAP = Decimal("50000")
# Care allowance on the 2000-yuan development minimum wage: 100 % / 50 % / 20 % (003 L463).
CARE = {(SelfCare.FULL_CARE, False): "2000", (SelfCare.SEMI, False): "1000", (SelfCare.SELF, False): "0"}
CARE |= {(care, True): amount for (care, _), amount in CARE.items()} | {(SelfCare.SELF, True): "400"}
BANDS = {
    TemporaryCategory.URGENT: (Decimal("1"), Decimal("2"), Decimal("3")),
    TemporaryCategory.EXPENDITURE: (Decimal("0.5"), Decimal("1"), Decimal("1.5")),
}

tekun_people = st.builds(
    TekunFacts,
    region=st.just(REGION),
    area=areas,
    age=st.integers(min_value=0, max_value=110),
    self_care=st.sampled_from(list(SelfCare)),
    centralised=st.booleans(),
    disabled=st.booleans(),
)


@PROPERTY
@given(person=tekun_people, on=dates)
def test_tekun_basic_living_is_at_least_1_3_times_dibao_and_the_floor(person: TekunFacts, on: date) -> None:
    result = tekun_support(person, STANDARDS, on)
    eligible = person.age < 18 or person.age >= 60 or person.disabled
    assert result.eligible == eligible
    if not eligible:
        assert (result.amount, result.refusals != ()) == (Decimal("0.00"), True)
        return
    assert result.basic_living >= dibao_standard(person.area, on) * Decimal("1.3")
    assert result.basic_living >= Decimal("800")
    assert result.care == Decimal(CARE[(person.self_care, person.centralised)])
    assert result.amount == result.basic_living + result.care


@pytest.mark.parametrize(("age", "eligible"), [(15, True), (16, True), (17, True), (18, False), (59, False)])
def test_minors_are_covered_up_to_18(age: int, eligible: bool) -> None:
    person = TekunFacts(REGION, Area.URBAN, age, SelfCare.SEMI)
    assert tekun_support(person, STANDARDS, date(2026, 7, 1)).eligible is eligible


temporary_cases = st.builds(
    TemporaryFacts,
    region=st.just(REGION),
    area=areas,
    category=st.sampled_from(list(TemporaryCategory)),
    tier=st.integers(min_value=1, max_value=3),
    recipient=st.just(Recipient.HOUSEHOLD),
    members=st.integers(min_value=1, max_value=12),
    months=st.integers(min_value=1, max_value=6),
    advance_requested=st.booleans(),
)


@PROPERTY
@given(case=temporary_cases, on=dates)
def test_temporary_assistance_is_banded_capped_and_routed(case: TemporaryFacts, on: date) -> None:
    result = temporary_assistance(case, STANDARDS, on)
    band = BANDS[case.category][case.tier - 1]
    computed = dibao_standard(case.area, on) * band * case.members * case.months
    assert result.computed == computed
    assert result.amount == min(computed, CAP) <= CAP
    assert result.capped == (computed > CAP)
    assert result.requires_case_deliberation == (result.amount > township_limit(on))
    assert result.advance_amount + result.follow_up_amount == result.amount
    assert result.advance_amount <= township_limit(on)
    assert result.advance_from_reserve == case.advance_requested
    if not case.advance_requested:
        assert result.advance_amount == 0


@PROPERTY
@given(case=temporary_cases, on=dates, months=st.integers(min_value=7, max_value=60))
def test_household_temporary_assistance_lasts_one_to_six_months(
    case: TemporaryFacts, on: date, months: int
) -> None:
    with pytest.raises(InvalidBenefitInput):
        temporary_assistance(replace(case, months=months), STANDARDS, on)


@PROPERTY
@given(on=dates, months=st.integers(min_value=1, max_value=36))
def test_an_individual_is_supported_until_family_support_arrives(on: date, months: int) -> None:
    case = TemporaryFacts(REGION, Area.URBAN, TemporaryCategory.URGENT, 1, Recipient.INDIVIDUAL, 1, months)
    result = temporary_assistance(case, STANDARDS, on)
    assert result.amount == min(dibao_standard(Area.URBAN, on) * months, CAP)


@PROPERTY
@given(area=areas, on=dates, income=st.decimals(min_value=0, max_value=5000, places=2))
def test_phase_out_partitions_income_at_1_0_and_1_5_times_the_standard(
    area: Area, on: date, income: Decimal
) -> None:
    standard = dibao_standard(area, on)
    decision = phase_out(income, area, REGION, on, STANDARDS)
    if income <= standard:
        assert (decision.outcome, decision.ends_on) == (Outcome.CONTINUE, None)
    elif income < standard * Decimal("1.5"):
        assert (decision.outcome, decision.months) == (Outcome.PHASE_OUT, 6)
        assert decision.ends_on == add_months(on, 6) - timedelta(days=1)
    else:
        assert (decision.outcome, decision.ends_on) == (Outcome.END, None)


@pytest.mark.parametrize(
    ("income", "outcome"),
    [
        ("780.00", Outcome.CONTINUE),
        ("780.01", Outcome.PHASE_OUT),
        ("1169.99", Outcome.PHASE_OUT),
        ("1170.00", Outcome.END),
    ],
)
def test_phase_out_edges_exactly(income: str, outcome: Outcome) -> None:
    # Urban standard 780 from 2026-07-01; 780 × 1.5 = 1170.00.
    assert phase_out(Decimal(income), Area.URBAN, REGION, date(2026, 7, 1), STANDARDS).outcome is outcome


@PROPERTY
@given(
    area=areas, on=dates, income=st.decimals(min_value=0, max_value=9000, places=2), months=st.integers(0, 20)
)
def test_employment_grace_is_three_to_twelve_months(
    area: Area, on: date, income: Decimal, months: int
) -> None:
    if income <= dibao_standard(area, on):
        assert phase_out(income, area, REGION, on, STANDARDS, months).outcome is Outcome.CONTINUE
    elif 3 <= months <= 12:
        decision = phase_out(income, area, REGION, on, STANDARDS, months)
        assert (decision.outcome, decision.months) == (Outcome.GRACE, months)
        assert decision.ends_on == add_months(on, months) - timedelta(days=1)
    else:
        with pytest.raises(InvalidBenefitInput):
            phase_out(income, area, REGION, on, STANDARDS, months)


def test_phase_out_refuses_a_float_income() -> None:
    with pytest.raises(InvalidBenefitInput):
        phase_out(1000.0, Area.URBAN, REGION, date(2026, 7, 1), STANDARDS)  # type: ignore[arg-type]
