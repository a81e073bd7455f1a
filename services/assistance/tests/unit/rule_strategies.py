"""Hypothesis strategies and the development standards' numbers, written out by hand for the rule tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st

from assistance.domain.benefit_facts import Area, HouseholdFacts, MemberFacts

PROPERTY = settings(max_examples=300, database=None, deadline=None)
REGION = "500154"
INDEXED_ON = date(2026, 7, 1)


def dibao_standard(area: Area, on: date) -> Decimal:
    """The development 低保 standard, as written in standards.v1.json (not read from the engine)."""
    if area is Area.URBAN:
        return Decimal("780") if on >= INDEXED_ON else Decimal("760")
    return Decimal("640") if on >= INDEXED_ON else Decimal("610")


def township_limit(on: date) -> Decimal:
    return Decimal("3000") if on >= date(2026, 1, 1) else Decimal("2000")


dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
areas = st.sampled_from(list(Area))
money = st.decimals(min_value=0, max_value=6000, places=2, allow_nan=False, allow_infinity=False)
small_money = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)

members = st.builds(
    MemberFacts,
    age=st.integers(min_value=0, max_value=100),
    monthly_income=money,
    disability_grade=st.none() | st.integers(min_value=1, max_value=4),
    serious_illness=st.booleans(),
    student=st.booleans(),
    rigid_expenditure=small_money,
    employment_cost=small_money,
    relies_on_family=st.booleans(),
    can_register_separately=st.booleans(),
)


@st.composite
def households(draw: st.DrawFn, assets: bool = False, single_person: bool = True) -> HouseholdFacts:
    """A household of 1–6 members in the dev region; assets, 单人户 candidates only when asked."""
    drawn = draw(st.lists(members, min_size=1, max_size=6))
    if not single_person:
        drawn = [replace(m, relies_on_family=False) for m in drawn]
    return HouseholdFacts(
        region=REGION,
        area=draw(areas),
        members=tuple(drawn),
        other_monthly_income=draw(small_money),
        financial_assets=draw(st.decimals(min_value=0, max_value=400000, places=2)) if assets else Decimal(0),
        single_parent=draw(st.booleans()),
        only_child=draw(st.booleans()),
        all_daughters=draw(st.booleans()),
        landless=draw(st.booleans()),
    )


def single_person_candidate(member: MemberFacts) -> bool:
    """SA-12's conditions, restated: severe, lives on the family, cannot register alone."""
    severe = member.disability_grade in (1, 2) or member.serious_illness
    return severe and member.relies_on_family and not member.can_register_separately
