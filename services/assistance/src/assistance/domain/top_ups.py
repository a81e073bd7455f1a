"""分类施保 (SA-83..86): special-hardship top-ups as a share of the 低保 standard, and the 70-yuan subsidy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assistance.domain.benefit_facts import Area, HouseholdFacts, MemberFacts, TopUp
from assistance.domain.explain import STACKING_RULE
from assistance.domain.money import percent, to_fen, yuan
from assistance.domain.standards import Name, Standards, StandardValue


@dataclass(frozen=True)
class _Claim:
    ratio: StandardValue
    reason: str


def member_label(member: MemberFacts, index: int) -> str:
    """How a member is named on the lines: the given label, or 成员N."""
    return member.label or f"成员{index + 1}"


def _family_reasons(household: HouseholdFacts) -> list[str]:
    # 003 L461: in urban households only single parents qualify (base: the urban standard); in rural ones
    # also only-child, all-daughter and landless families (base: the rural standard).
    reasons = ["单亲家庭成员"] if household.single_parent else []
    if household.area is Area.RURAL:
        flags = (household.only_child, household.all_daughters, household.landless)
        names = ("独生子女家庭成员", "纯女户家庭成员", "失地农村家庭成员")
        reasons += [name for flag, name in zip(flags, names, strict=True) if flag]
    return reasons


def _claims(member: MemberFacts, household: HouseholdFacts, standards: Standards, on: date) -> list[_Claim]:
    region = household.region
    claims: list[_Claim] = []
    if member.severe:
        why = "重度残疾（一、二级残疾人证）" if member.disability_grade in (1, 2) else "重病患者"
        claims.append(_Claim(standards.value(Name.TOP_UP_SEVERE, region, on), why))
    elderly_age = standards.value(Name.ELDERLY_AGE, region, on).value
    roles = [
        role for met, role in ((member.age >= elderly_age, "老年人"), (member.student, "在校学生")) if met
    ]
    if roles:
        claims.append(_Claim(standards.value(Name.TOP_UP_ELDERLY_STUDENT, region, on), "、".join(roles)))
    family = _family_reasons(household)
    if family:
        claims.append(_Claim(standards.value(Name.TOP_UP_FAMILY, region, on), "、".join(family)))
    return claims


def classified_top_ups(
    household: HouseholdFacts, standard: StandardValue, standards: Standards, on: date
) -> tuple[tuple[TopUp, ...], tuple[str, ...]]:
    """Each member's top-ups for a month on the standard `standard`, with one explanation line each."""
    top_ups: list[TopUp] = []
    lines: list[str] = []
    for index, member in enumerate(household.members):
        label = member_label(member, index)
        claims = _claims(member, household, standards, on)
        if claims:
            # The seeds give every share as one 特殊困难补助金 on the same base and do not say whether
            # they add up; one subsidy per member at its highest share is what we pay (see STACKING_RULE).
            best = max(claims, key=lambda c: c.ratio.value)
            amount = to_fen(standard.value * best.ratio.value)
            top_ups.append(TopUp(label, f"特殊困难补助金：{best.reason}", amount))
            lines.append(
                f"分类施保：{label} {best.reason} +{percent(best.ratio.value)}"
                f"（{yuan(standard.value)} × {percent(best.ratio.value)} = {yuan(amount)}）"
                f"——来源：{best.ratio.source}"
            )
            others = [c.reason for c in claims if c is not best]
            if others:
                lines.append(f"{label} 另符合：{'、'.join(others)}；{STACKING_RULE}")
        if member.non_severe_disabled:
            subsidy = standards.value(Name.DISABILITY_SUBSIDY, household.region, on)
            amount = to_fen(subsidy.value)
            top_ups.append(TopUp(label, "困难残疾人生活补贴", amount))
            lines.append(
                f"分类施保：{label} 非重度残疾人（{member.disability_grade}级）困难残疾人生活补贴"
                f" 每月 {yuan(amount)}——来源：{subsidy.source}"
            )
    return tuple(top_ups), tuple(lines)
