"""Dated standards: the value in force on a date, the county → city → province fallback, data validation."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistance.data import load_seed_standards
from assistance.domain.rule_errors import InvalidBenefitInput, InvalidStandards, NoStandardInForce
from assistance.domain.standards import Name, load_standards, region_chain

SEED = load_seed_standards()
PROPERTY = settings(max_examples=200, database=None, deadline=None)


def _doc(*entries: tuple[str, str, str, str]) -> dict[str, Any]:
    standards: dict[str, list[dict[str, str]]] = {}
    for name, region, effective, value in entries:
        standards.setdefault(name, []).append(
            {"region": region, "effective": effective, "value": value, "source": "测试", "version": "t1"}
        )
    return {"version": "test", "standards": standards}


def _raw_seed() -> dict[str, Any]:
    text = resources.files("assistance.data").joinpath("standards.v1.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def test_the_standard_in_force_is_the_newest_on_or_before_the_date() -> None:
    assert SEED.amount(Name.DIBAO_URBAN, "500154", date(2025, 1, 1)) == Decimal("760")
    assert SEED.amount(Name.DIBAO_URBAN, "500154", date(2026, 6, 30)) == Decimal("760")
    assert SEED.amount(Name.DIBAO_URBAN, "500154", date(2026, 7, 1)) == Decimal("780")
    assert SEED.amount(Name.DIBAO_URBAN, "500154", date(2031, 1, 1)) == Decimal("780")
    assert SEED.value(Name.DIBAO_RURAL, "500154", date(2026, 7, 1)).effective == date(2026, 7, 1)


def test_before_the_first_effective_date_nothing_is_in_force() -> None:
    with pytest.raises(NoStandardInForce) as refused:
        SEED.value(Name.DIBAO_URBAN, "500154", date(2024, 12, 31))
    assert "城市低保标准" in refused.value.message
    assert "2024-12-31" in refused.value.message
    assert refused.value.status == 422


def test_a_county_falls_back_to_its_city_then_its_province() -> None:
    wage = SEED.value(Name.MINIMUM_WAGE, "500154", date(2026, 7, 1))
    assert (wage.region, wage.value) == ("500100", Decimal("2000"))
    cap = SEED.value(Name.TEMPORARY_CAP, "500154", date(2026, 7, 1))
    assert (cap.region, cap.value) == ("500000", Decimal("50000"))
    # Another county of the same province finds the province's rules but not 开州区's amounts.
    assert SEED.amount(Name.TOP_UP_SEVERE, "500101", date(2026, 7, 1)) == Decimal("0.30")
    with pytest.raises(NoStandardInForce):
        SEED.value(Name.DIBAO_URBAN, "500101", date(2026, 7, 1))


def test_another_province_has_no_standards_here() -> None:
    with pytest.raises(NoStandardInForce):
        SEED.value(Name.TEMPORARY_CAP, "520201", date(2026, 7, 1))


def test_region_chain_and_township_codes() -> None:
    assert region_chain("500154") == ("500154", "500100", "500000")
    assert region_chain("500100") == ("500100", "500000")
    assert region_chain("500000") == ("500000",)
    assert region_chain("500154101") == ("500154", "500100", "500000")
    assert SEED.amount(Name.DIBAO_URBAN, "500154101", date(2026, 7, 1)) == Decimal("780")
    for bad in ("5001", "50015A", "", "5001541"):
        with pytest.raises(InvalidBenefitInput):
            region_chain(bad)


def test_the_nearest_level_with_a_value_in_force_wins() -> None:
    book = load_standards(
        _doc(
            (Name.MINIMUM_WAGE.value, "500000", "2020-01-01", "1800"),
            (Name.MINIMUM_WAGE.value, "500000", "2026-01-01", "2300"),
            (Name.MINIMUM_WAGE.value, "500154", "2024-01-01", "2100"),
        )
    )
    assert book.amount(Name.MINIMUM_WAGE, "500154", date(2023, 12, 31)) == Decimal("1800")
    assert book.amount(Name.MINIMUM_WAGE, "500154", date(2024, 1, 1)) == Decimal("2100")
    # The county's own value keeps applying after the province raises its own.
    assert book.amount(Name.MINIMUM_WAGE, "500154", date(2026, 6, 1)) == Decimal("2100")
    assert book.amount(Name.MINIMUM_WAGE, "500101", date(2026, 6, 1)) == Decimal("2300")


def test_every_seed_value_cites_a_seed_line_or_says_it_is_a_sample() -> None:
    document = _raw_seed()
    entries = [e for values in document["standards"].values() for e in values]
    assert len(entries) == 33
    for entry in entries:
        assert entry["version"] == "v1"
        assert ".txt 第 " in entry["source"] or "开发用" in entry["source"], entry
    assert set(document["standards"]) == {n.value for n in Name}
    assert SEED.version == "standards.v1"


def test_each_value_carries_its_source_and_version() -> None:
    severe = SEED.value(Name.TOP_UP_SEVERE, "500154", date(2026, 7, 1))
    assert "003_c7886d1e84283090.txt 第 461 行" in severe.source
    assert severe.version == "v1"
    assert (severe.label, severe.unit.value) == ("重残、重病人员特殊困难补助金", "比例")


@pytest.mark.parametrize(
    ("mutate", "complaint"),
    [
        (
            lambda d: d["standards"]["temporary_cap"].append(dict(d["standards"]["temporary_cap"][0])),
            "标准重复",
        ),
        (lambda d: d["standards"]["temporary_cap"][0].update(value="0"), "必须为正数"),
        (lambda d: d["standards"]["temporary_cap"][0].update(value="-5"), "必须为正数"),
        (lambda d: d["standards"]["temporary_cap"][0].update(value=50000.0), "不接受浮点数"),
        (lambda d: d["standards"]["temporary_cap"][0].update(value=True), "不接受浮点数"),
        (lambda d: d["standards"]["temporary_cap"][0].update(value="五万"), "无法识别"),
        (lambda d: d["standards"]["temporary_cap"][0].update(value="NaN"), "必须为正数"),
        (lambda d: d["standards"]["phase_out_months"][0].update(value="6.5"), "应为整数"),
        (lambda d: d["standards"]["temporary_cap"][0].update(effective="2021-13-01"), "生效日期"),
        (lambda d: d["standards"]["temporary_cap"][0].update(region="5000"), "6 位数字"),
        (lambda d: d["standards"]["temporary_cap"][0].update(source=" "), "缺少 source"),
        (lambda d: d["standards"]["temporary_cap"][0].pop("version"), "缺少 version"),
        (lambda d: d["standards"].update(dibao_standard_suburban=[]), "未知的标准名称"),
        (lambda d: d["standards"].update(temporary_cap=[]), "非空的取值列表"),
        (lambda d: d.pop("version"), "版本号"),
        (lambda d: d.update(standards=[]), "standards 对象"),
    ],
)
def test_malformed_data_is_refused_when_loaded(mutate: Any, complaint: str) -> None:
    document = copy.deepcopy(_raw_seed())
    mutate(document)
    with pytest.raises(InvalidStandards) as refused:
        load_standards(document)
    assert complaint in refused.value.message


def test_the_same_date_in_two_regions_is_not_a_duplicate() -> None:
    book = load_standards(
        _doc(
            (Name.TEMPORARY_CAP.value, "500000", "2021-01-01", "50000"),
            (Name.TEMPORARY_CAP.value, "500154", "2021-01-01", "40000"),
        )
    )
    assert book.amount(Name.TEMPORARY_CAP, "500154", date(2021, 1, 1)) == Decimal("40000")


@PROPERTY
@given(
    offsets=st.sets(st.integers(min_value=0, max_value=3650), min_size=1, max_size=8),
    probe=st.integers(min_value=-30, max_value=4000),
)
def test_lookup_is_the_newest_effective_date_not_after_the_day(offsets: set[int], probe: int) -> None:
    start = date(2020, 1, 1)
    entries = [
        (Name.DIBAO_URBAN.value, "500154", (start + timedelta(days=o)).isoformat(), str(700 + o))
        for o in offsets
    ]
    book = load_standards(_doc(*entries))
    on = start + timedelta(days=probe)
    in_force = [o for o in offsets if o <= probe]
    if in_force:
        assert book.amount(Name.DIBAO_URBAN, "500154", on) == Decimal(700 + max(in_force))
    else:
        with pytest.raises(NoStandardInForce):
            book.value(Name.DIBAO_URBAN, "500154", on)
