"""When income rises: continue, 渐退期 (SA-100), 就业创业缓退期 (SA-101), or end the 低保 case."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from assistance.domain.benefit_facts import Area, Outcome, PhaseOutDecision
from assistance.domain.explain import GRACE_RULE, PHASE_OUT_RULE, describe
from assistance.domain.money import add_months, plain, to_fen, yuan
from assistance.domain.rule_errors import InvalidBenefitInput
from assistance.domain.standards import Name, Standards


def _period(outcome: Outcome, on: date, months: int, lines: list[str]) -> PhaseOutDecision:
    # The period runs from the day the change is confirmed: six months from 07-01 last through 12-31.
    ends_on = add_months(on, months) - timedelta(days=1)
    lines.append(f"{outcome.label} {months} 个月：{on.isoformat()} 至 {ends_on.isoformat()}，期满停止保障")
    return PhaseOutDecision(outcome, months, ends_on, tuple(lines))


def phase_out(
    per_capita_income: Decimal,
    area: Area,
    region: str,
    on: date,
    standards: Standards,
    employment_grace_months: int | None = None,
) -> PhaseOutDecision:
    """What the household's new monthly income per head means for its 低保 from `on`.

    `employment_grace_months` is set when the rise comes from a member's new job or business: the
    caseworker picks 3–12 months by its type and the stability of the income (003 L461).
    """
    if (
        not isinstance(per_capita_income, Decimal)
        or not per_capita_income.is_finite()
        or per_capita_income < 0
    ):
        raise InvalidBenefitInput(f"家庭月人均收入应为非负金额（Decimal）：{per_capita_income!r}")
    income = to_fen(per_capita_income)
    standard = standards.value(area.dibao_standard, region, on)
    lines = [describe(standard), f"核查后家庭月人均收入：{yuan(income)}"]
    # "超过低保标准" is strictly above: an income equal to the standard keeps the case as it is.
    if income <= standard.value:
        lines.append(f"未超过{standard.label} {yuan(standard.value)}，继续保障")
        return PhaseOutDecision(Outcome.CONTINUE, 0, None, tuple(lines))
    if employment_grace_months is not None:
        low = standards.value(Name.GRACE_MIN_MONTHS, region, on)
        high = standards.value(Name.GRACE_MAX_MONTHS, region, on)
        if not low.value <= employment_grace_months <= high.value:
            raise InvalidBenefitInput(
                f"就业创业缓退期应为 {plain(low.value)} 至 {plain(high.value)} 个月："
                f"{employment_grace_months}"
            )
        lines.append(f"家庭成员就业创业后人均收入超过低保标准——{GRACE_RULE}")
        return _period(Outcome.GRACE, on, employment_grace_months, lines)
    multiple = standards.value(Name.PHASE_OUT_CEILING_MULTIPLE, region, on)
    ceiling = to_fen(standard.value * multiple.value)
    lines += [
        describe(multiple),
        f"渐退上限：{yuan(standard.value)} × {plain(multiple.value)} = {yuan(ceiling)}",
    ]
    # "低于 1.5 倍" is strictly below: at exactly 1.5 × the standard the case ends without a phase-out.
    if income < ceiling:
        months = standards.value(Name.PHASE_OUT_MONTHS, region, on)
        lines.append(f"超过低保标准但低于 {plain(multiple.value)} 倍——{PHASE_OUT_RULE}")
        return _period(Outcome.PHASE_OUT, on, int(months.value), lines)
    lines.append(f"达到或超过低保标准的 {plain(multiple.value)} 倍，停止保障")
    return PhaseOutDecision(Outcome.END, 0, None, tuple(lines))
