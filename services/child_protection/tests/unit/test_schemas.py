"""The request models name the contract vocabulary: their allowed codes are the labels' codes."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from child_protection.entrypoints.api import case_schemas, child_schemas
from shared.contracts.labels import child_protection as labels


@pytest.mark.parametrize(
    ("literal", "codes"),
    [
        (case_schemas.EmergencyAction, labels.EMERGENCY_ACTIONS),
        (case_schemas.InterventionKind, labels.INTERVENTIONS),
        (case_schemas.PlanKind, labels.PLAN_KINDS),
        (case_schemas.PlanStatus, labels.PLAN_STATUS),
        (case_schemas.RiskColour, labels.RISK),
        (child_schemas.Category, labels.CATEGORIES),
        (child_schemas.VisitType, labels.VISIT_TYPES),
        (child_schemas.Flag, labels.CHILD_FLAGS),
    ],
)
def test_each_choice_is_a_labelled_code(literal: Any, codes: dict[str, str]) -> None:
    assert set(get_args(literal)) == set(codes)


def test_reports_by_hand_come_from_people_not_from_12345_or_monitoring() -> None:
    assert set(get_args(case_schemas.HandReporterType)) == {
        "school",
        "hospital",
        "police",
        "village_committee",
        "child_director",
        "family",
        "public",
        "other",
    }


def test_every_reporter_type_has_a_report_source() -> None:
    assert labels.SOURCE_OF_REPORTER == {
        "school": "mandatory_reporter",
        "hospital": "mandatory_reporter",
        "police": "mandatory_reporter",
        "village_committee": "mandatory_reporter",
        "child_director": "mandatory_reporter",
        "family": "public_report",
        "public": "public_report",
        "other": "public_report",
        "hotline_12345": "12345",
        "monitoring": "monitoring",
    }
    assert set(labels.SOURCE_OF_REPORTER) == set(labels.REPORTER_TYPES)
