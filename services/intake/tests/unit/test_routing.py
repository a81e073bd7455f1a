"""Routing (一门受理): the contract's category codes on the shipped table, and county vs city vs province."""

from __future__ import annotations

import pytest

from intake.domain.routing import (
    SERVICES,
    TARGETS,
    RoutingDecision,
    RoutingRule,
    RoutingTable,
    decide,
    responsible_county,
)
from intake.service_layer.routing_table import seed_rules, validate_rules

# The integration contract: these codes must route exactly so.
CONTRACT = {
    "MZ-CP-01": "child_protection",
    "MZ-CP-02": "child_protection",
    "MZ-SA-01": "assistance",
    "MZ-SA-02": "assistance",
    "MZ-SA-03": "assistance",
    "MZ-VR-01": "vagrant_rescue",
    "MZ-VR-02": "vagrant_rescue",
}
COUNTY = "500154"  # 重庆市开州区


def shipped_table() -> RoutingTable:
    seed = seed_rules()
    return RoutingTable(
        seed["version"], {r["code"]: RoutingRule(r["code"], r["name"], r["target"]) for r in seed["rules"]}
    )


def test_the_shipped_table_is_valid_and_contains_every_contract_code() -> None:
    seed = seed_rules()
    assert seed["version"] == 1
    cleaned = validate_rules(seed["rules"])
    assert len(cleaned) == len(seed["rules"])
    by_code = {r["code"]: r["target"] for r in seed["rules"]}
    assert {code: by_code.get(code) for code in CONTRACT} == CONTRACT
    assert all(r["target"] in TARGETS and r["name"] for r in seed["rules"])


@pytest.mark.parametrize(("code", "target"), sorted(CONTRACT.items()))
def test_contract_codes_route_to_their_service(code: str, target: str) -> None:
    decision = decide(shipped_table(), code, COUNTY)
    assert decision == RoutingDecision(target, COUNTY, ())  # type: ignore[arg-type]
    assert decision.automatic and decision.target in SERVICES


@pytest.mark.parametrize(
    "code",
    ["MZ-XX-99", "MZ-CP-1", "MZ-CP-001", "mz-cp-01", "MZ-CP-01 ", " MZ-SA-01", "MZ-SA", "12345", "𠮷"],
)
def test_anything_else_goes_to_triage(code: str) -> None:
    decision = decide(shipped_table(), code, COUNTY)
    assert decision == RoutingDecision("triage", COUNTY, ("unknown_category",))
    assert not decision.automatic


def test_a_category_the_table_sends_to_triage_needs_a_person() -> None:
    table = shipped_table()
    assert table.target_for("MZ-GEN-01") == "triage"
    assert decide(table, "MZ-GEN-01", COUNTY) == RoutingDecision(
        "triage", COUNTY, ("category_requires_triage",)
    )


def test_an_edited_table_is_followed() -> None:
    table = RoutingTable(2, {"MZ-CP-01": RoutingRule("MZ-CP-01", "改派", "assistance")})
    assert decide(table, "MZ-CP-01", COUNTY).target == "assistance"
    assert decide(table, "MZ-CP-02", COUNTY).reasons == ("unknown_category",)


@pytest.mark.parametrize(
    ("region", "county"),
    [
        ("500154", "500154"),  # county (区县)
        ("110105", "110105"),
        ("500154001", "500154"),  # township (乡镇街道), 9 digits
        ("500154001001", "500154"),  # village (村居), 12 digits
        ("440305010", "440305"),
        ("110101001002", "110101"),
    ],
)
def test_county_and_below_belong_to_their_county(region: str, county: str) -> None:
    assert responsible_county(region) == county
    assert decide(shipped_table(), "MZ-SA-01", region) == RoutingDecision("assistance", county, ())


@pytest.mark.parametrize(
    "region",
    [
        "500100",  # city level (…00): the city desk picks the county
        "440300",
        "110100",
        "500000",  # province level
        "110000",
        "500100001",  # anything whose first six digits are not a county
        "500000000000",
    ],
)
def test_city_and_province_codes_need_the_desk_to_choose_a_county(region: str) -> None:
    assert responsible_county(region) is None
    decision = decide(shipped_table(), "MZ-CP-01", region)
    assert decision == RoutingDecision("triage", None, ("region_needs_county",))


def test_unknown_category_in_a_city_gives_both_reasons() -> None:
    assert decide(shipped_table(), "MZ-ZZ-01", "500100") == RoutingDecision(
        "triage", None, ("unknown_category", "region_needs_county")
    )


@pytest.mark.parametrize("region", ["", "50015", "5001x4", "ABCDEF", "５００１５４"])
def test_malformed_regions_have_no_county(region: str) -> None:
    assert responsible_county(region) is None
