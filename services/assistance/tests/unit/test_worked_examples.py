"""Worked examples as data (worked_examples.json): hand-computed amounts on the development standards."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from assistance.data import load_seed_standards
from assistance.domain import rule_errors
from assistance.domain.benefit_facts import (
    Area,
    HouseholdFacts,
    MemberFacts,
    Recipient,
    SelfCare,
    TekunFacts,
    TemporaryCategory,
    TemporaryFacts,
)
from assistance.domain.benefit_special import tekun_support, temporary_assistance
from assistance.domain.benefits import dibao_benefit
from assistance.domain.phase_out import phase_out

EXAMPLES = json.loads((Path(__file__).parent / "worked_examples.json").read_text(encoding="utf-8"))[
    "examples"
]
STANDARDS = load_seed_standards()
MEMBER_MONEY = ("monthly_income", "rigid_expenditure", "employment_cost")
HOUSEHOLD_MONEY = ("other_monthly_income", "financial_assets")


def _member(raw: dict[str, Any]) -> MemberFacts:
    fields: dict[str, Any] = {k: Decimal(v) if k in MEMBER_MONEY else v for k, v in raw.items()}
    return MemberFacts(**fields)


def _household(raw: dict[str, Any]) -> HouseholdFacts:
    fields: dict[str, Any] = {
        k: Decimal(v) if k in HOUSEHOLD_MONEY else v for k, v in raw.items() if k != "members"
    }
    fields["area"] = Area(raw["area"])
    return HouseholdFacts(members=tuple(_member(m) for m in raw["members"]), **fields)


def _run(example: dict[str, Any]) -> Any:
    on = date.fromisoformat(example["on"])
    raw = example["input"]
    match example["kind"]:
        case "dibao":
            return dibao_benefit(_household(raw), STANDARDS, on)
        case "tekun":
            facts = {**raw, "area": Area(raw["area"]), "self_care": SelfCare(raw["self_care"])}
            return tekun_support(TekunFacts(**facts), STANDARDS, on)
        case "temporary":
            facts = {
                **raw,
                "area": Area(raw["area"]),
                "category": TemporaryCategory(raw["category"]),
                "recipient": Recipient(raw["recipient"]),
            }
            return temporary_assistance(TemporaryFacts(**facts), STANDARDS, on)
        case "phase_out":
            return phase_out(
                Decimal(raw["per_capita_income"]),
                Area(raw["area"]),
                raw["region"],
                on,
                STANDARDS,
                raw.get("employment_grace_months"),
            )
    raise AssertionError(f"unknown kind {example['kind']}")


def _actual(result: Any, key: str) -> Any:
    if key == "top_up_count":
        return len(result.top_ups)
    value = getattr(result, key)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


def test_every_example_shows_its_arithmetic_and_rule() -> None:
    assert len(EXAMPLES) >= 20
    assert len({e["id"] for e in EXAMPLES}) == len(EXAMPLES)
    assert all(e["why"].strip() and e["rule"].strip() and e["expected"] for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["id"] for e in EXAMPLES])
def test_worked_example(example: dict[str, Any]) -> None:
    expected = dict(example["expected"])
    if "error" in expected:
        with pytest.raises(getattr(rule_errors, expected["error"])):
            _run(example)
        return
    result = _run(example)
    refusal = expected.pop("refusal_contains", None)
    assert {key: _actual(result, key) for key in expected} == expected
    if refusal is not None:
        assert any(refusal in r for r in result.refusals), result.refusals
    for text in example.get("lines_contain", []):
        assert any(text in line for line in result.lines), (text, result.lines)
