"""Routing (一门受理、协同办理): which service handles a category, and which county handles a region."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Target = Literal["child_protection", "assistance", "vagrant_rescue", "triage"]
SERVICES: tuple[Target, ...] = ("child_protection", "assistance", "vagrant_rescue")
TARGETS: tuple[Target, ...] = (*SERVICES, "triage")


@dataclass(frozen=True)
class RoutingRule:
    """One category code and where it goes."""

    code: str
    name: str
    target: Target


@dataclass(frozen=True)
class RoutingTable:
    """A version of the routing table; categories not listed go to triage."""

    version: int
    rules: Mapping[str, RoutingRule] = field(default_factory=dict)

    def target_for(self, category_code: str) -> Target | None:
        """The service for a category, or None when the category is unknown."""
        rule = self.rules.get(category_code)
        return rule.target if rule is not None else None


def responsible_county(region_code: str) -> str | None:
    """地市受理、区县处置: the county that handles a region, or None when a desk must choose one.

    A county code (6 digits not ending in 00) or anything below it (9 or 12 digits) belongs to its
    county; a city (…00) or province (…0000) code needs the city desk to pick the county.
    """
    county = region_code[:6]
    # isascii: str.isdigit() also takes full-width digits (５００１５４) typed with a Chinese input method.
    if len(county) != 6 or not (county.isascii() and county.isdigit()) or county.endswith("00"):
        return None
    return county


@dataclass(frozen=True)
class RoutingDecision:
    """Where a work order goes, or why it needs a person to decide."""

    target: Target
    county: str | None
    reasons: tuple[str, ...]

    @property
    def automatic(self) -> bool:
        return not self.reasons


def decide(table: RoutingTable, category_code: str, region_code: str) -> RoutingDecision:
    """Route by category and region; anything uncertain goes to the triage queue with its reasons."""
    reasons: list[str] = []
    target = table.target_for(category_code)
    if target is None:
        reasons.append("unknown_category")
    elif target == "triage":
        reasons.append("category_requires_triage")
    county = responsible_county(region_code)
    if county is None:
        reasons.append("region_needs_county")
    if reasons:
        return RoutingDecision("triage", county, tuple(reasons))
    assert target is not None and county is not None
    return RoutingDecision(target, county, ())
