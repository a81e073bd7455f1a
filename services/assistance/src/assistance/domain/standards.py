"""Standards as dated data: a value holds for its region from its effective date until a newer one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from assistance.domain.rule_errors import InvalidBenefitInput, InvalidStandards, NoStandardInForce


class Unit(StrEnum):
    """What a standard's number means; ratios are fractions (0.30 is 30 %)."""

    YUAN_PER_PERSON_MONTH = "元/人/月"
    YUAN_PER_MONTH = "元/月"
    YUAN = "元"
    RATIO = "比例"
    MULTIPLE = "倍"
    MONTHS = "个月"
    AGE = "周岁"


class Name(StrEnum):
    """The standards the rules read; a name outside this list is refused when the data is loaded."""

    DIBAO_URBAN = "dibao_standard_urban"
    DIBAO_RURAL = "dibao_standard_rural"
    DIBAO_ASSET_CEILING = "dibao_asset_ceiling_per_person"
    SINGLE_PERSON_INCOME_MULTIPLE = "single_person_income_multiple"
    TOP_UP_SEVERE = "top_up_severe_ratio"
    TOP_UP_ELDERLY_STUDENT = "top_up_elderly_student_ratio"
    TOP_UP_FAMILY = "top_up_family_ratio"
    DISABILITY_SUBSIDY = "non_severe_disability_subsidy"
    ELDERLY_AGE = "elderly_age"
    MINIMUM_WAGE = "minimum_wage_monthly"
    TEKUN_BASIC_MULTIPLE = "tekun_basic_multiple"
    TEKUN_BASIC_FLOOR = "tekun_basic_floor"
    TEKUN_CARE_FULL = "tekun_care_full_ratio"
    TEKUN_CARE_SEMI = "tekun_care_semi_ratio"
    TEKUN_CARE_SELF_CENTRALISED = "tekun_care_self_centralised_ratio"
    TEKUN_MINOR_AGE = "tekun_minor_age_limit"
    TEMPORARY_BAND_URGENT_1 = "temporary_band_urgent_tier1"
    TEMPORARY_BAND_URGENT_2 = "temporary_band_urgent_tier2"
    TEMPORARY_BAND_URGENT_3 = "temporary_band_urgent_tier3"
    TEMPORARY_BAND_EXPENDITURE_1 = "temporary_band_expenditure_tier1"
    TEMPORARY_BAND_EXPENDITURE_2 = "temporary_band_expenditure_tier2"
    TEMPORARY_BAND_EXPENDITURE_3 = "temporary_band_expenditure_tier3"
    TEMPORARY_MIN_MONTHS = "temporary_household_min_months"
    TEMPORARY_MAX_MONTHS = "temporary_household_max_months"
    TEMPORARY_CAP = "temporary_cap"
    TEMPORARY_TOWNSHIP_LIMIT = "temporary_township_approval_limit"
    PHASE_OUT_MONTHS = "phase_out_months"
    PHASE_OUT_CEILING_MULTIPLE = "phase_out_ceiling_multiple"
    GRACE_MIN_MONTHS = "employment_grace_min_months"
    GRACE_MAX_MONTHS = "employment_grace_max_months"


@dataclass(frozen=True)
class Spec:
    """The Chinese label and unit of a standard, as a caseworker reads them."""

    label: str
    unit: Unit


_B = "临时救助分档标准"
SPECS: Mapping[Name, Spec] = {
    Name.DIBAO_URBAN: Spec("城市低保标准", Unit.YUAN_PER_PERSON_MONTH),
    Name.DIBAO_RURAL: Spec("农村低保标准", Unit.YUAN_PER_PERSON_MONTH),
    Name.DIBAO_ASSET_CEILING: Spec("低保家庭财产限定标准（人均金融资产）", Unit.YUAN),
    Name.SINGLE_PERSON_INCOME_MULTIPLE: Spec("参照单人户施保的家庭人均收入上限", Unit.MULTIPLE),
    Name.TOP_UP_SEVERE: Spec("重残、重病人员特殊困难补助金", Unit.RATIO),
    Name.TOP_UP_ELDERLY_STUDENT: Spec("老年人、在校学生特殊困难补助金", Unit.RATIO),
    Name.TOP_UP_FAMILY: Spec("单亲、独生子女、纯女户、失地家庭成员特殊困难补助金", Unit.RATIO),
    Name.DISABILITY_SUBSIDY: Spec("非重度残疾人困难残疾人生活补贴", Unit.YUAN_PER_MONTH),
    Name.ELDERLY_AGE: Spec("分类施保所称老年人起始年龄", Unit.AGE),
    Name.MINIMUM_WAGE: Spec("当地最低工资标准（月）", Unit.YUAN_PER_MONTH),
    Name.TEKUN_BASIC_MULTIPLE: Spec("特困人员基本生活标准与低保标准之比（不低于）", Unit.MULTIPLE),
    Name.TEKUN_BASIC_FLOOR: Spec("特困人员基本生活标准下限（2021年实际供养水平）", Unit.YUAN_PER_MONTH),
    Name.TEKUN_CARE_FULL: Spec("全护理特困人员照料护理标准", Unit.RATIO),
    Name.TEKUN_CARE_SEMI: Spec("半自理特困人员照料护理标准", Unit.RATIO),
    Name.TEKUN_CARE_SELF_CENTRALISED: Spec("集中供养全自理特困人员照料护理标准", Unit.RATIO),
    Name.TEKUN_MINOR_AGE: Spec("特困供养覆盖的未成年人年龄上限", Unit.AGE),
    Name.TEMPORARY_BAND_URGENT_1: Spec(f"{_B}：急难型一档", Unit.MULTIPLE),
    Name.TEMPORARY_BAND_URGENT_2: Spec(f"{_B}：急难型二档", Unit.MULTIPLE),
    Name.TEMPORARY_BAND_URGENT_3: Spec(f"{_B}：急难型三档", Unit.MULTIPLE),
    Name.TEMPORARY_BAND_EXPENDITURE_1: Spec(f"{_B}：支出型一档", Unit.MULTIPLE),
    Name.TEMPORARY_BAND_EXPENDITURE_2: Spec(f"{_B}：支出型二档", Unit.MULTIPLE),
    Name.TEMPORARY_BAND_EXPENDITURE_3: Spec(f"{_B}：支出型三档", Unit.MULTIPLE),
    Name.TEMPORARY_MIN_MONTHS: Spec("家庭对象临时救助最短保障期", Unit.MONTHS),
    Name.TEMPORARY_MAX_MONTHS: Spec("家庭对象临时救助最长保障期", Unit.MONTHS),
    Name.TEMPORARY_CAP: Spec("临时救助最高救助限额", Unit.YUAN),
    Name.TEMPORARY_TOWNSHIP_LIMIT: Spec("乡镇（街道）临时救助直接审批额度", Unit.YUAN),
    Name.PHASE_OUT_MONTHS: Spec("低保渐退期", Unit.MONTHS),
    Name.PHASE_OUT_CEILING_MULTIPLE: Spec("给予渐退期的人均收入上限", Unit.MULTIPLE),
    Name.GRACE_MIN_MONTHS: Spec("就业创业缓退期（最短）", Unit.MONTHS),
    Name.GRACE_MAX_MONTHS: Spec("就业创业缓退期（最长）", Unit.MONTHS),
}
_WHOLE_NUMBERS = frozenset({Unit.MONTHS, Unit.AGE})
_COUNTY = re.compile(r"[0-9]{6}")
_LOOKUP_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")


@dataclass(frozen=True)
class StandardValue:
    """One dated value of a standard for one region, with the citation it comes from."""

    name: Name
    region: str
    effective: date
    value: Decimal
    source: str
    version: str

    @property
    def label(self) -> str:
        return SPECS[self.name].label

    @property
    def unit(self) -> Unit:
        return SPECS[self.name].unit


def region_chain(region: str) -> tuple[str, ...]:
    """Where a region's standards are looked for, nearest first: county, city (4 digits + 00), province."""
    if _LOOKUP_CODE.fullmatch(region) is None:
        raise InvalidBenefitInput(f"地区代码应为 6 位（县级）或 9、12 位（乡镇、村）数字：{region!r}")
    county = region[:6]
    chain = [county, county[:4] + "00", county[:2] + "0000"]
    return tuple(dict.fromkeys(chain))


class Standards:
    """A book of dated standards; a lookup answers the value in force for a region on a date."""

    def __init__(self, values: Iterable[StandardValue], version: str) -> None:
        by_key: dict[tuple[Name, str], dict[date, StandardValue]] = {}
        for item in values:
            dated = by_key.setdefault((item.name, item.region), {})
            if item.effective in dated:
                raise InvalidStandards(
                    f"标准重复：{item.label}（{item.name}）在地区 {item.region} 于 {item.effective} 有两个值"
                )
            dated[item.effective] = item
        self.version = version
        self._index = {key: tuple(sorted(d.values(), key=lambda v: v.effective)) for key, d in by_key.items()}

    def find(self, name: Name, region: str, on: date) -> StandardValue | None:
        """The value in force on `on`: the nearest level that has one, then its newest effective date ≤ on."""
        for code in region_chain(region):
            in_force = [v for v in self._index.get((name, code), ()) if v.effective <= on]
            if in_force:
                return in_force[-1]
        return None

    def value(self, name: Name, region: str, on: date) -> StandardValue:
        """The value in force, or a refusal naming the standard, the region and the date."""
        found = self.find(name, region, on)
        if found is None:
            raise NoStandardInForce(
                f"{SPECS[name].label}（{name}）在地区 {region} 及其所属市、省"
                f"于 {on.isoformat()} 没有生效的标准"
            )
        return found

    def amount(self, name: Name, region: str, on: date) -> Decimal:
        """The number of the value in force (see `value`)."""
        return self.value(name, region, on).value


def load_standards(document: Mapping[str, Any]) -> Standards:
    """Validate parsed standards JSON ({"version", "standards": {name: [values]}}) and build the book."""
    version = document.get("version")
    groups = document.get("standards")
    if not isinstance(version, str) or not version:
        raise InvalidStandards("标准数据缺少版本号（version）")
    if not isinstance(groups, Mapping):
        raise InvalidStandards("标准数据缺少 standards 对象")
    values: list[StandardValue] = []
    for raw_name, entries in groups.items():
        try:
            name = Name(raw_name)
        except ValueError:
            raise InvalidStandards(f"未知的标准名称：{raw_name!r}") from None
        if not isinstance(entries, list) or not entries:
            raise InvalidStandards(f"标准 {raw_name} 应为非空的取值列表")
        values.extend(_parse_value(name, entry) for entry in entries)
    return Standards(values, version)


def _parse_value(name: Name, entry: object) -> StandardValue:
    where = f"标准 {name}"
    if not isinstance(entry, Mapping):
        raise InvalidStandards(f"{where} 的取值应为对象")
    region = entry.get("region")
    if not isinstance(region, str) or _COUNTY.fullmatch(region) is None:
        raise InvalidStandards(f"{where} 的地区代码应为 6 位数字：{region!r}")
    where = f"{where}（地区 {region}）"
    return StandardValue(
        name=name,
        region=region,
        effective=_parse_date(entry.get("effective"), where),
        value=_parse_number(entry.get("value"), SPECS[name].unit, where),
        source=_required_text(entry, "source", where),
        version=_required_text(entry, "version", where),
    )


def _parse_date(raw: object, where: str) -> date:
    try:
        if not isinstance(raw, str):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidStandards(f"{where} 的生效日期应为 YYYY-MM-DD：{raw!r}") from None


def _parse_number(raw: object, unit: Unit, where: str) -> Decimal:
    # Floats are refused: a binary fraction cannot carry 0.15 or ¥780.10 exactly, and money must be exact.
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise InvalidStandards(f"{where} 的数值应写成字符串或整数（不接受浮点数）：{raw!r}")
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidStandards(f"{where} 的数值无法识别：{raw!r}") from None
    if not number.is_finite() or number <= 0:
        raise InvalidStandards(f"{where} 的数值必须为正数：{raw!r}")
    if unit in _WHOLE_NUMBERS and number != number.to_integral_value():
        raise InvalidStandards(f"{where} 的数值应为整数（{unit.value}）：{raw!r}")
    return number


def _required_text(entry: Mapping[str, object], key: str, where: str) -> str:
    text = entry.get(key)
    if not isinstance(text, str) or not text.strip():
        raise InvalidStandards(f"{where} 缺少 {key}")
    return text
