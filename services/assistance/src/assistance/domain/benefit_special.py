"""特困 support (SA-80, SA-81, SA-13) and 临时救助 (SA-62..68) for one case, line by line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from assistance.domain.benefit_facts import (
    Recipient,
    SelfCare,
    TekunFacts,
    TekunResult,
    TemporaryCategory,
    TemporaryFacts,
    TemporaryResult,
)
from assistance.domain.explain import (
    ADVANCE_RULE,
    DELIBERATION_RULE,
    INDIVIDUAL_RULE,
    TEKUN_MINOR_RULE,
    TEKUN_RULE,
    TEMPORARY_RULE,
    describe,
)
from assistance.domain.money import ZERO, percent, plain, to_fen, yuan
from assistance.domain.rule_errors import InvalidBenefitInput
from assistance.domain.standards import Name, Standards

_CARE = {
    SelfCare.FULL_CARE: Name.TEKUN_CARE_FULL,
    SelfCare.SEMI: Name.TEKUN_CARE_SEMI,
}
_BANDS = {
    (TemporaryCategory.URGENT, 1): Name.TEMPORARY_BAND_URGENT_1,
    (TemporaryCategory.URGENT, 2): Name.TEMPORARY_BAND_URGENT_2,
    (TemporaryCategory.URGENT, 3): Name.TEMPORARY_BAND_URGENT_3,
    (TemporaryCategory.EXPENDITURE, 1): Name.TEMPORARY_BAND_EXPENDITURE_1,
    (TemporaryCategory.EXPENDITURE, 2): Name.TEMPORARY_BAND_EXPENDITURE_2,
    (TemporaryCategory.EXPENDITURE, 3): Name.TEMPORARY_BAND_EXPENDITURE_3,
}


def _tekun_categories(person: TekunFacts, standards: Standards, on: date) -> tuple[list[str], list[str]]:
    minor_limit = standards.value(Name.TEKUN_MINOR_AGE, person.region, on)
    elderly_age = standards.value(Name.ELDERLY_AGE, person.region, on)
    categories = []
    if person.age < minor_limit.value:
        categories.append(f"未成年人（未满 {plain(minor_limit.value)} 周岁）")
    if person.age >= elderly_age.value:
        categories.append(f"老年人（{plain(elderly_age.value)} 周岁以上）")
    if person.disabled:
        categories.append("残疾人")
    return categories, [describe(minor_limit), describe(elderly_age)]


def tekun_support(person: TekunFacts, standards: Standards, on: date) -> TekunResult:
    """The month's 特困 support: basic living (≥ 1.3 × 低保 standard) plus care by self-care ability."""
    categories, lines = _tekun_categories(person, standards, on)
    if not categories:
        refusal = f"{person.age} 周岁，不属于特困人员救助供养的老年人、残疾人或未成年人——{TEKUN_MINOR_RULE}"
        return TekunResult(False, ZERO, ZERO, ZERO, (*lines, f"不予供养：{refusal}"), (refusal,))
    lines.append(f"供养类别：{'、'.join(categories)}")
    dibao = standards.value(person.area.dibao_standard, person.region, on)
    multiple = standards.value(Name.TEKUN_BASIC_MULTIPLE, person.region, on)
    basic = to_fen(dibao.value * multiple.value)
    lines += [
        describe(dibao),
        describe(multiple),
        f"基本生活标准：{yuan(dibao.value)} × {plain(multiple.value)} = {yuan(basic)}——{TEKUN_RULE}",
    ]
    floor = standards.find(Name.TEKUN_BASIC_FLOOR, person.region, on)
    if floor is not None and floor.value > basic:
        basic = to_fen(floor.value)
        lines += [describe(floor), f"低于 2021 年实际供养水平，基本生活标准按 {yuan(basic)} 执行"]
    care, care_lines = _care(person, standards, on)
    amount = basic + care
    lines += care_lines
    lines.append(f"每月特困供养金合计：基本生活 {yuan(basic)} + 照料护理 {yuan(care)} = {yuan(amount)}")
    return TekunResult(True, basic, care, amount, tuple(lines))


def _care(person: TekunFacts, standards: Standards, on: date) -> tuple[Decimal, list[str]]:
    if person.self_care is SelfCare.SELF and not person.centralised:
        # 003 L463 names three tiers only; a self-caring person supported at home has no care allowance.
        return ZERO, ["照料护理：分散供养的全自理特困人员，种子文件未规定照料护理标准，按 ¥0.00 计"]
    name = _CARE.get(person.self_care, Name.TEKUN_CARE_SELF_CENTRALISED)
    ratio = standards.value(name, person.region, on)
    wage = standards.value(Name.MINIMUM_WAGE, person.region, on)
    care = to_fen(wage.value * ratio.value)
    return care, [
        describe(wage),
        describe(ratio),
        f"照料护理：{yuan(wage.value)} × {percent(ratio.value)} = {yuan(care)}",
    ]


def _months_allowed(case: TemporaryFacts, standards: Standards, on: date) -> list[str]:
    if case.recipient is Recipient.INDIVIDUAL:
        return [f"个人对象：保障 {case.months} 个月——{INDIVIDUAL_RULE}"]
    low = standards.value(Name.TEMPORARY_MIN_MONTHS, case.region, on)
    high = standards.value(Name.TEMPORARY_MAX_MONTHS, case.region, on)
    if not low.value <= case.months <= high.value:
        raise InvalidBenefitInput(
            f"家庭对象临时救助原则上保障 {plain(low.value)} 至 {plain(high.value)} 个月，"
            f"申请 {case.months} 个月不符合规定——来源：{high.source}"
        )
    return [
        f"家庭对象：保障 {case.months} 个月（{plain(low.value)}—{plain(high.value)} 个月）"
        f"——来源：{high.source}"
    ]


def temporary_assistance(case: TemporaryFacts, standards: Standards, on: date) -> TemporaryResult:
    """临时救助 by category and tier, capped, with the approval route and the advance (先行救助)."""
    lines = _months_allowed(case, standards, on)
    dibao = standards.value(case.area.dibao_standard, case.region, on)
    band = standards.value(_BANDS[(case.category, case.tier)], case.region, on)
    monthly = to_fen(dibao.value * band.value)
    computed = monthly * case.members * case.months
    lines += [
        describe(dibao),
        describe(band),
        f"{case.category.label}{case.tier}档：{yuan(dibao.value)} × {plain(band.value)} = {yuan(monthly)}"
        f"（每人每月）——{TEMPORARY_RULE}",
        f"{yuan(monthly)} × {case.members} 人 × {case.months} 个月 = {yuan(computed)}",
    ]
    cap = standards.value(Name.TEMPORARY_CAP, case.region, on)
    capped = computed > cap.value
    amount = to_fen(cap.value) if capped else computed
    if capped:
        lines += [describe(cap), f"超过最高救助限额，按 {yuan(amount)} 救助"]
    limit = standards.value(Name.TEMPORARY_TOWNSHIP_LIMIT, case.region, on)
    lines.append(describe(limit))
    deliberation = amount > limit.value
    if deliberation:
        lines.append(
            f"救助金额 {yuan(amount)} 超过乡镇（街道）直接审批额度，须“一事一议”审批——{DELIBERATION_RULE}"
        )
    else:
        lines.append(f"救助金额 {yuan(amount)} 未超过乡镇（街道）直接审批额度，由乡镇（街道）审批")
    advance = min(amount, to_fen(limit.value)) if case.advance_requested else ZERO
    if case.advance_requested:
        lines.append(
            f"先行救助：由乡镇（街道）临时救助备用金先行支付 {yuan(advance)}，"
            f"跟进救助 {yuan(amount - advance)}——{ADVANCE_RULE}"
        )
    return TemporaryResult(
        amount=amount,
        computed=computed,
        capped=capped,
        requires_case_deliberation=deliberation,
        advance_from_reserve=case.advance_requested,
        advance_amount=advance,
        follow_up_amount=amount - advance,
        lines=tuple(lines),
    )
