"""Due times of each step, by urgency: child-safety steps on the clock, administrative ones in working days.

The plans ask only for 第一时间 / 及时 (DOMAIN.md HL-20/21), so the defaults are ours, chosen to be
defensible and configurable (CHILD_PROTECTION_DEADLINES, JSON): a report is accepted within 1 hour
when critical (the hotline's "first moment"), 4 hours when urgent and 24 hours otherwise; a child is
seen on site within 24 / 48 / 72 hours of acceptance (the common practice of home-visit-within-24h for
suspected abuse); emergency response is wrapped up within 3 / 5 / 7 days; the assessment within 5 / 7 /
10 working days; the service plan within 5 / 10 / 10 working days; an intervention within 20 working
days; feedback (closure) carries no clock of its own. A case opened from a 12345 work order is also bound
by the work order's own deadline: each step is due at the earlier of the two while the case is open.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from child_protection.domain.stages import Stage

CHINA = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class StepRule:
    """How long a step may take: `hours` on the clock, or `working_days` on the calendar."""

    hours: float | None = None
    working_days: int | None = None


DEFAULT_RULES: dict[str, dict[str, StepRule]] = {
    Stage.REPORTED.value: {
        "critical": StepRule(hours=1),
        "urgent": StepRule(hours=4),
        "normal": StepRule(hours=24),
    },
    Stage.ACCEPTED.value: {
        "critical": StepRule(hours=24),
        "urgent": StepRule(hours=48),
        "normal": StepRule(hours=72),
    },
    Stage.EMERGENCY.value: {
        "critical": StepRule(hours=72),
        "urgent": StepRule(hours=120),
        "normal": StepRule(hours=168),
    },
    Stage.ASSESSMENT.value: {
        "critical": StepRule(working_days=5),
        "urgent": StepRule(working_days=7),
        "normal": StepRule(working_days=10),
    },
    Stage.SUPPORT.value: {
        "critical": StepRule(working_days=5),
        "urgent": StepRule(working_days=10),
        "normal": StepRule(working_days=10),
    },
    Stage.INTERVENTION.value: {
        "critical": StepRule(working_days=20),
        "urgent": StepRule(working_days=20),
        "normal": StepRule(working_days=20),
    },
}

IsWorkday = Callable[[date], bool]


def weekdays_only(day: date) -> bool:
    return day.weekday() < 5


def add_working_days(start: datetime, days: int, is_workday: IsWorkday) -> datetime:
    """The end of the `days`-th working day after `start` (China time): the administrative due time."""
    local = start.astimezone(CHINA).date()
    counted = 0
    while counted < days:
        local += timedelta(days=1)
        if is_workday(local):
            counted += 1
    return datetime.combine(local, datetime.max.time(), CHINA).replace(microsecond=0)


def due_at(
    stage: Stage,
    urgency: str,
    entered_at: datetime,
    is_workday: IsWorkday,
    rules: Mapping[str, Mapping[str, StepRule]] = DEFAULT_RULES,
) -> datetime | None:
    """When the step that starts at `entered_at` must be done, or None for steps without a clock."""
    by_urgency = rules.get(stage.value)
    if not by_urgency:
        return None
    rule = by_urgency.get(urgency) or by_urgency.get("normal")
    if rule is None:
        return None
    if rule.hours is not None:
        return entered_at + timedelta(hours=rule.hours)
    if rule.working_days is not None:
        return add_working_days(entered_at, rule.working_days, is_workday)
    return None


@dataclass(frozen=True)
class DeadlinePolicy:
    """The step rules and the working-day calendar the due times are computed with."""

    rules: Mapping[str, Mapping[str, StepRule]] = field(default_factory=lambda: DEFAULT_RULES)
    is_workday: IsWorkday = weekdays_only

    def due(
        self, stage: Stage, urgency: str, entered_at: datetime, hotline_deadline: datetime | None
    ) -> datetime | None:
        """The step's due time: the rule's, or the 12345 deadline when that comes first."""
        by_rule = due_at(stage, urgency, entered_at, self.is_workday, self.rules)
        if by_rule is None or hotline_deadline is None:
            return by_rule or hotline_deadline
        return min(by_rule, hotline_deadline)


def merge_rules(overrides: Mapping[str, Mapping[str, Mapping[str, float]]]) -> dict[str, dict[str, StepRule]]:
    """The default rules with configured overrides, e.g. {"reported": {"critical": {"hours": 0.5}}}."""
    merged = {stage: dict(by_urgency) for stage, by_urgency in DEFAULT_RULES.items()}
    for stage, by_urgency in overrides.items():
        for urgency, rule in by_urgency.items():
            days = rule.get("working_days")
            merged.setdefault(stage, {})[urgency] = StepRule(
                hours=rule.get("hours"), working_days=int(days) if days is not None else None
            )
    return merged
