"""Due times: child-safety steps on the clock, administrative steps on the working-day calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from child_protection.domain.deadlines import (
    CHINA,
    DeadlinePolicy,
    StepRule,
    add_working_days,
    due_at,
    merge_rules,
    weekdays_only,
)
from child_protection.domain.stages import Stage
from child_protection.service_layer.calendar import is_workday

FRIDAY_NOON = datetime(2026, 11, 20, 12, 0, tzinfo=CHINA)


def test_child_safety_steps_run_on_the_clock_over_weekends() -> None:
    assert due_at(Stage.REPORTED, "critical", FRIDAY_NOON, weekdays_only) == FRIDAY_NOON + timedelta(hours=1)
    assert due_at(Stage.ACCEPTED, "critical", FRIDAY_NOON, weekdays_only) == FRIDAY_NOON + timedelta(hours=24)
    assert due_at(Stage.REPORTED, "normal", FRIDAY_NOON, weekdays_only) == FRIDAY_NOON + timedelta(hours=24)


def test_administrative_steps_skip_weekends() -> None:
    due = due_at(Stage.ASSESSMENT, "critical", FRIDAY_NOON, weekdays_only)
    assert due is not None
    assert due.date() == date(2026, 11, 27)  # Mon–Fri of the next week = 5 working days
    assert (due.hour, due.minute) == (23, 59)


def test_official_holidays_and_make_up_days_count() -> None:
    # 2026-10-01..07 is the National Day holiday in the official calendar the library ships.
    start = datetime(2026, 9, 30, 10, 0, tzinfo=CHINA)
    due = add_working_days(start, 1, is_workday)
    assert due.date() > date(2026, 10, 7)
    assert add_working_days(start, 1, weekdays_only).date() == date(2026, 10, 1)


def test_unknown_urgency_falls_back_to_normal_and_closure_has_no_clock() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert due_at(Stage.REPORTED, "whatever", start, weekdays_only) == start + timedelta(hours=24)
    assert due_at(Stage.CLOSED, "critical", start, weekdays_only) is None


def test_configured_overrides_replace_defaults() -> None:
    rules = merge_rules(
        {"reported": {"critical": {"hours": 0.5}}, "assessment": {"normal": {"working_days": 3}}}
    )
    assert rules["reported"]["critical"] == StepRule(hours=0.5)
    assert rules["reported"]["urgent"] == StepRule(hours=4)
    assert rules["assessment"]["normal"] == StepRule(working_days=3)


def test_the_12345_deadline_wins_when_it_comes_first() -> None:
    policy = DeadlinePolicy(merge_rules({}), weekdays_only)
    sooner = FRIDAY_NOON + timedelta(minutes=30)
    later = FRIDAY_NOON + timedelta(days=3)
    assert policy.due(Stage.REPORTED, "critical", FRIDAY_NOON, None) == FRIDAY_NOON + timedelta(hours=1)
    assert policy.due(Stage.REPORTED, "critical", FRIDAY_NOON, sooner) == sooner
    assert policy.due(Stage.REPORTED, "critical", FRIDAY_NOON, later) == FRIDAY_NOON + timedelta(hours=1)
    # A step without a clock of its own is still due by the 12345 deadline.
    assert policy.due(Stage.CLOSED, "normal", FRIDAY_NOON, later) == later
