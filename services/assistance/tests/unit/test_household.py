"""The household file: its codes, its members (age, disability, elderly), incomes, assets and expenditures,
and the change fact every edit records."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from assistance.domain.errors import InvalidHouseholdData
from assistance.domain.household import Household
from assistance.domain.household_parts import (
    Asset,
    AssetKind,
    ChangeKind,
    Expenditure,
    ExpenditureKind,
    IncomeItem,
    IncomeSource,
    Member,
    Relation,
    WorkAbility,
)

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOV = date(2026, 11, 1)


def member(member_id: str, relation: Relation = Relation.CHILD, **facts: object) -> Member:
    return Member(member_id, relation, f"pk_{member_id}", f"成员{member_id}", date(1990, 5, 20), **facts)  # type: ignore[arg-type]


def household() -> Household:
    h = Household(uuid.uuid4(), "500154", "500154101", hukou_code="500154", residence_code="500154")
    h.add_member(member("a", Relation.APPLICANT), AT, "u-li")
    h.add_member(member("b", Relation.SPOUSE), AT, "u-li")
    h.changes.clear()
    return h


@pytest.mark.parametrize(
    ("region", "township", "hukou", "residence"),
    [
        ("5001", "500154101", "500154", "500154"),
        ("500154", "500155101", "500154", "500154"),
        ("500154", "5001541", "500154", "500154"),
        ("500154", "500154101", "50015X", "500154"),
        ("500154", "500154101", "500154", "5001540"),
    ],
)
def test_codes_are_county_and_township_division_codes(
    region: str, township: str, hukou: str, residence: str
) -> None:
    with pytest.raises(InvalidHouseholdData):
        Household(uuid.uuid4(), region, township, hukou, residence)


def test_age_is_counted_in_full_years_and_elderly_from_sixty() -> None:
    m = Member("m", Relation.PARENT, "pk_m", "王某", date(1966, 11, 3))
    assert m.age_on(date(2026, 11, 2)) == 59
    assert m.age_on(date(2026, 11, 3)) == 60
    assert not m.is_elderly(date(2026, 11, 2))
    assert m.is_elderly(date(2026, 11, 3))
    assert m.is_elderly(date(2026, 11, 2), threshold=55)
    leap = Member("n", Relation.CHILD, "pk_n", "王小", date(2008, 2, 29))
    assert (leap.age_on(date(2026, 2, 28)), leap.age_on(date(2026, 3, 1))) == (17, 18)
    assert leap.is_minor(date(2026, 2, 28)) and not leap.is_minor(date(2026, 3, 1))


@pytest.mark.parametrize(("grade", "severe"), [(1, True), (2, True), (3, False), (4, False)])
def test_grades_one_and_two_are_severe_disability(grade: int, severe: bool) -> None:
    m = member("x", disability_grade=grade)
    assert (m.disabled, m.severely_disabled) == (True, severe)


def test_a_member_has_a_known_grade_a_key_and_a_name() -> None:
    assert not member("x").disabled
    with pytest.raises(InvalidHouseholdData, match="一级至四级"):
        member("x", disability_grade=5)
    with pytest.raises(InvalidHouseholdData):
        Member("x", Relation.CHILD, " ", "某", date(2000, 1, 1))
    with pytest.raises(InvalidHouseholdData):
        Member("x", Relation.CHILD, "pk_x", "", date(2000, 1, 1))


def test_a_member_joins_once_and_the_household_has_one_applicant() -> None:
    h = household()
    with pytest.raises(InvalidHouseholdData, match="已在本家庭中"):
        h.add_member(member("a"), AT, "u-li")
    with pytest.raises(InvalidHouseholdData, match="只能有一名申请人"):
        h.add_member(member("c", Relation.APPLICANT), AT, "u-li")
    fact = h.add_member(member("c", student=True, work_ability=WorkAbility.LOST), AT, "u-li")
    assert (fact.kind, fact.member_id, fact.actor, fact.at) == (ChangeKind.COMPOSITION, "c", "u-li", AT)
    assert h.size == 3 and h.personkeys == ("pk_a", "pk_b", "pk_c")
    assert h.applicant is not None and h.applicant.member_id == "a"
    assert h.changes == [fact]


def test_a_member_who_leaves_takes_their_incomes_and_holdings() -> None:
    h = household()
    h.record_income(IncomeItem("i1", "b", IncomeSource.WAGE, NOV, Decimal("1800")), AT, "u-li")
    h.record_income(IncomeItem("i2", "a", IncomeSource.TRANSFER, NOV, Decimal("200")), AT, "u-li")
    h.record_asset(Asset("s1", AssetKind.DEPOSIT, Decimal("5000"), "b"), AT, "u-li")
    h.record_expenditure(Expenditure("e1", ExpenditureKind.ILLNESS, NOV, Decimal("300"), "b"), AT, "u-li")
    with pytest.raises(InvalidHouseholdData, match="请填写成员减少的原因"):
        h.remove_member("b", " ", AT, "u-li")
    with pytest.raises(InvalidHouseholdData, match="申请人不能移出家庭"):
        h.remove_member("a", "外出", AT, "u-li")
    fact = h.remove_member("b", "离婚迁出", AT, "u-li")
    assert (fact.kind, fact.summary) == (ChangeKind.COMPOSITION, "减少家庭成员：离婚迁出")
    assert h.personkeys == ("pk_a",)
    assert (h.income_in(NOV), h.asset_total(), h.expenditure_in(NOV)) == (
        Decimal("200"),
        Decimal(0),
        Decimal(0),
    )


def test_member_facts_change_but_not_who_they_are() -> None:
    h = household()
    fact = h.update_member(member("b", Relation.SPOUSE, disability_grade=2, serious_illness=True), AT, "u-li")
    assert fact.kind == ChangeKind.MEMBER and h.member("b").severely_disabled
    with pytest.raises(InvalidHouseholdData, match="成员身份不能修改"):
        h.update_member(Member("b", Relation.SPOUSE, "pk_other", "成员b", date(1990, 5, 20)), AT, "u-li")
    with pytest.raises(InvalidHouseholdData, match="变更申请人"):
        h.update_member(member("b", Relation.APPLICANT), AT, "u-li")
    with pytest.raises(InvalidHouseholdData, match="变更申请人"):
        h.update_member(member("a", Relation.SPOUSE), AT, "u-li")
    with pytest.raises(InvalidHouseholdData, match="没有这名成员"):
        h.update_member(member("z"), AT, "u-li")


def test_the_applicant_changes_with_the_former_one_related_to_the_new() -> None:
    h = household()
    with pytest.raises(InvalidHouseholdData):
        h.change_applicant("b", Relation.APPLICANT, AT, "u-li")
    fact = h.change_applicant("b", Relation.SPOUSE, AT, "u-li")
    assert fact.kind == ChangeKind.COMPOSITION
    assert [(m.member_id, m.relation) for m in h.members] == [
        ("a", Relation.SPOUSE),
        ("b", Relation.APPLICANT),
    ]


def test_incomes_are_counted_by_month_across_members_and_sources() -> None:
    h = household()
    h.record_income(IncomeItem("i1", "a", IncomeSource.WAGE, NOV, Decimal("1200.50")), AT, "u-li")
    h.record_income(IncomeItem("i2", "b", IncomeSource.BUSINESS, NOV, Decimal("300")), AT, "u-li")
    fact = h.record_income(
        IncomeItem("i3", "b", IncomeSource.WAGE, date(2026, 10, 1), Decimal("999")), AT, "u-li"
    )
    assert (fact.kind, fact.summary, fact.member_id) == (
        ChangeKind.INCOME,
        "登记工资性收入（2026年10月）",
        "b",
    )
    assert h.income_in(NOV) == Decimal("1500.50")
    assert h.income_in(date(2026, 9, 1)) == Decimal(0)
    with pytest.raises(InvalidHouseholdData, match="已存在"):
        h.record_income(IncomeItem("i1", "a", IncomeSource.WAGE, NOV, Decimal("1")), AT, "u-li")
    with pytest.raises(InvalidHouseholdData, match="没有这名成员"):
        h.record_income(IncomeItem("i9", "z", IncomeSource.WAGE, NOV, Decimal("1")), AT, "u-li")
    assert h.remove_income("i2", AT, "u-li").kind == ChangeKind.INCOME
    assert h.income_in(NOV) == Decimal("1200.50")
    with pytest.raises(InvalidHouseholdData):
        h.remove_income("i2", AT, "u-li")


@pytest.mark.parametrize(
    "build",
    [
        lambda: IncomeItem("i", "a", IncomeSource.WAGE, date(2026, 11, 15), Decimal("1")),
        lambda: IncomeItem("i", "a", IncomeSource.WAGE, NOV, Decimal("-1")),
        lambda: IncomeItem("i", "a", IncomeSource.WAGE, NOV, Decimal("NaN")),
        lambda: IncomeItem("i", "a", IncomeSource.WAGE, NOV, 100),  # type: ignore[arg-type]
        lambda: Asset("s", AssetKind.VEHICLE, Decimal("-5")),
        lambda: Expenditure("e", ExpenditureKind.EDUCATION, date(2026, 11, 2), Decimal("1")),
    ],
)
def test_money_is_a_non_negative_decimal_and_months_are_first_days(build: object) -> None:
    with pytest.raises(InvalidHouseholdData):
        build()  # type: ignore[operator]


def test_assets_and_expenditures_record_their_change() -> None:
    h = household()
    kinds = [
        h.record_asset(Asset("s1", AssetKind.HOUSING, Decimal("80000")), AT, "u-li").kind,
        h.record_asset(Asset("s2", AssetKind.DEPOSIT, Decimal("3000"), "a"), AT, "u-li").kind,
        h.record_expenditure(
            Expenditure("e1", ExpenditureKind.WORK_COST, NOV, Decimal("150"), "a"), AT, "u-li"
        ).kind,
        h.record_expenditure(
            Expenditure("e2", ExpenditureKind.EDUCATION, NOV, Decimal("400")), AT, "u-li"
        ).kind,
    ]
    assert kinds == [ChangeKind.ASSET, ChangeKind.ASSET, ChangeKind.EXPENDITURE, ChangeKind.EXPENDITURE]
    assert (h.asset_total(), h.expenditure_in(NOV)) == (Decimal("83000"), Decimal("550"))
    with pytest.raises(InvalidHouseholdData):
        h.record_asset(Asset("s3", AssetKind.OTHER, Decimal("1"), "z"), AT, "u-li")
    with pytest.raises(InvalidHouseholdData):
        h.record_expenditure(Expenditure("e1", ExpenditureKind.ILLNESS, NOV, Decimal("1")), AT, "u-li")
    assert h.remove_asset("s1", AT, "u-li").kind == ChangeKind.ASSET
    assert h.remove_expenditure("e2", AT, "u-li").kind == ChangeKind.EXPENDITURE
    assert (h.asset_total(), h.expenditure_in(NOV)) == (Decimal("3000"), Decimal("150"))
    with pytest.raises(InvalidHouseholdData):
        h.remove_asset("s1", AT, "u-li")
    with pytest.raises(InvalidHouseholdData):
        h.remove_expenditure("e2", AT, "u-li")
    assert len(h.changes) == 6


def test_moving_and_the_rural_categories_are_changes_too() -> None:
    h = household()
    with pytest.raises(InvalidHouseholdData, match="户籍地"):
        h.move("5001", "500101", True, AT, "u-li")
    fact = h.move("500154", "500101", True, AT, "u-li")
    assert fact.kind == ChangeKind.RESIDENCE
    assert (h.hukou_code, h.residence_code, h.residence_permit) == ("500154", "500101", True)
    with pytest.raises(InvalidHouseholdData, match="仅适用于农村家庭"):
        h.set_category(rural=False, only_child=True, all_daughters=False, landless=False, at=AT, actor="u-li")
    flags = h.set_category(
        rural=True, only_child=False, all_daughters=True, landless=True, at=AT, actor="u-li"
    )
    assert flags.kind == ChangeKind.FLAGS
    assert (h.rural, h.only_child, h.all_daughters, h.landless) == (True, False, True, True)
    assert [c.kind for c in h.changes] == [ChangeKind.RESIDENCE, ChangeKind.FLAGS]
