"""低保 for a month: asset test (SA-16), income after deductions (SA-47), 差额, 单人户 (SA-12), top-ups."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from assistance.domain.benefit_facts import DibaoResult, HouseholdFacts, MemberFacts, TopUp
from assistance.domain.explain import ASSET_RULE, DEDUCTION_RULE, GAP_RULE, SINGLE_PERSON_RULE, describe
from assistance.domain.money import ZERO, plain, to_fen, yuan
from assistance.domain.standards import Name, Standards, StandardValue
from assistance.domain.top_ups import classified_top_ups, member_label


@dataclass(frozen=True)
class _Income:
    per_capita: Decimal
    lines: tuple[str, ...]


def _income(members: tuple[MemberFacts, ...], other: Decimal, whose: str) -> _Income:
    gross = sum((m.monthly_income for m in members), ZERO) + other
    deductions = sum((m.rigid_expenditure + m.employment_cost for m in members), ZERO)
    # Deductions larger than the income leave it at zero: they lower the income, never pay out.
    net = max(gross - deductions, ZERO)
    per_capita = to_fen(net / len(members))
    lines = [f"{whose}月收入合计：{yuan(gross)}"]
    if deductions > 0:
        lines.append(
            f"扣减刚性支出和必要就业成本：{yuan(deductions)}，核算收入 {yuan(net)}——{DEDUCTION_RULE}"
        )
    lines.append(f"{whose}月人均收入：{yuan(net)} ÷ {len(members)} 人 = {yuan(per_capita)}")
    return _Income(per_capita, tuple(lines))


def _asset_refusals(household: HouseholdFacts, standards: Standards, on: date) -> tuple[list[str], list[str]]:
    refusals = [f"不符合低保家庭财产条件：{why}——{ASSET_RULE}" for why in household.asset_conditions_failed]
    lines: list[str] = []
    if household.financial_assets > 0:
        ceiling = standards.value(Name.DIBAO_ASSET_CEILING, household.region, on)
        per_capita = to_fen(household.financial_assets / len(household.members))
        lines.append(describe(ceiling))
        lines.append(
            f"家庭人均金融资产：{yuan(household.financial_assets)} ÷ {len(household.members)} 人"
            f" = {yuan(per_capita)}"
        )
        if per_capita > ceiling.value:
            refusals.append(
                f"家庭人均金融资产 {yuan(per_capita)} 超过财产限定标准 {yuan(ceiling.value)}，"
                f"不符合低保条件——{ASSET_RULE}"
            )
    return refusals, lines


def _gap(
    household: HouseholdFacts, per_capita: Decimal, standard: StandardValue, standards: Standards, on: date
) -> tuple[Decimal, tuple[TopUp, ...], list[str]]:
    persons = len(household.members)
    gap = to_fen(standard.value - per_capita)
    gap_total = gap * persons
    lines = [
        f"差额：{yuan(standard.value)} − {yuan(per_capita)} = {yuan(gap)}（每人每月）",
        f"差额 × {persons} 人 = {yuan(gap_total)}——{GAP_RULE}",
    ]
    top_ups, top_up_lines = classified_top_ups(household, standard, standards, on)
    lines.extend(top_up_lines)
    return gap_total, top_ups, lines


def _result(gap_total: Decimal, top_ups: tuple[TopUp, ...], single: bool, lines: list[str]) -> DibaoResult:
    extra = sum((t.amount for t in top_ups), ZERO)
    amount = gap_total + extra
    lines.append(f"每月低保金合计：差额 {yuan(gap_total)} + 分类施保 {yuan(extra)} = {yuan(amount)}")
    return DibaoResult(True, amount, gap_total, top_ups, single, tuple(lines))


def _refused(lines: list[str], refusals: list[str]) -> DibaoResult:
    return DibaoResult(
        False, ZERO, ZERO, (), False, tuple(lines + [f"不予保障：{r}" for r in refusals]), tuple(refusals)
    )


def dibao_benefit(household: HouseholdFacts, standards: Standards, on: date) -> DibaoResult:
    """The month's 低保 for the household on the standard in force on `on`, line by line."""
    standard = standards.value(household.area.dibao_standard, household.region, on)
    lines = [describe(standard)]
    refusals, asset_lines = _asset_refusals(household, standards, on)
    lines.extend(asset_lines)
    if refusals:
        return _refused(lines, refusals)
    income = _income(household.members, household.other_monthly_income, "家庭")
    lines.extend(income.lines)
    if income.per_capita < standard.value:
        gap_total, top_ups, gap_lines = _gap(household, income.per_capita, standard, standards, on)
        return _result(gap_total, top_ups, False, lines + gap_lines)
    return _single_person(household, income.per_capita, standard, standards, on, lines)


def _single_person(
    household: HouseholdFacts,
    per_capita: Decimal,
    standard: StandardValue,
    standards: Standards,
    on: date,
    lines: list[str],
) -> DibaoResult:
    # SA-12 after 003 L461: the household as a whole is not eligible, but a severely disabled or seriously
    # ill member who lives on the family and cannot register alone is enrolled as a household of one when
    # the family's income per head is within 150 % of the standard.
    candidates = [
        (index, m)
        for index, m in enumerate(household.members)
        if m.severe and m.relies_on_family and not m.can_register_separately
    ]
    if not candidates:
        return _refused(
            lines, [f"家庭月人均收入 {yuan(per_capita)} 不低于{standard.label} {yuan(standard.value)}"]
        )
    lines.append(
        f"家庭月人均收入 {yuan(per_capita)} 不低于{standard.label} {yuan(standard.value)}，整户不符合低保条件"
    )
    multiple = standards.value(Name.SINGLE_PERSON_INCOME_MULTIPLE, household.region, on)
    ceiling = to_fen(standard.value * multiple.value)
    lines.append(describe(multiple))
    if per_capita > ceiling:
        return _refused(
            lines,
            [
                f"家庭月人均收入 {yuan(per_capita)} 超过低保标准的 {plain(multiple.value)} 倍"
                f"（{yuan(ceiling)}），重度残疾人、重病患者不能参照单人户纳入低保——{SINGLE_PERSON_RULE}"
            ],
        )
    top_ups: tuple[TopUp, ...] = ()
    gap_total, refusals, enrolled = ZERO, [], 0
    for index, member in candidates:
        label = member_label(member, index)
        alone = HouseholdFacts(
            household.region,
            household.area,
            (replace(member, label=label),),
            single_parent=household.single_parent,
            only_child=household.only_child,
            all_daughters=household.all_daughters,
            landless=household.landless,
        )
        lines.append(
            f"家庭月人均收入 {yuan(per_capita)} 未超过 {yuan(ceiling)}：{label} 参照单人户施保"
            f"——{SINGLE_PERSON_RULE}"
        )
        own = _income(alone.members, ZERO, f"{label}本人")
        lines.extend(own.lines)
        if own.per_capita >= standard.value:
            refusals.append(
                f"{label}本人月收入 {yuan(own.per_capita)} 不低于{standard.label} {yuan(standard.value)}"
            )
            continue
        gap, extra, gap_lines = _gap(alone, own.per_capita, standard, standards, on)
        lines.extend(gap_lines)
        gap_total, top_ups, enrolled = gap_total + gap, top_ups + extra, enrolled + 1
    if not enrolled:
        return _refused(lines, refusals)
    lines.extend(f"不予参照单人户：{r}" for r in refusals)
    return _result(gap_total, top_ups, True, lines)
