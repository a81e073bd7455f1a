"""The programmes and the rules across them that the handlers check before a step: 低保 and 特困 exclude
each other, 临时救助 has a yearly limit per household, the place of application, and which programmes a
household change sends back for checking."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from assistance.domain.errors import OutsideJurisdiction, ProgrammeConflict
from assistance.domain.household import Household
from assistance.domain.household_parts import CHANGE_LABELS, ChangeKind
from assistance.domain.stages import ACTIVE, PRE_DECISION, Stage


class Programme(StrEnum):
    """The three core programmes (SA-10)."""

    DIBAO = "dibao"
    TEKUN = "tekun"
    TEMPORARY = "temporary"


PROGRAMME_LABELS: dict[Programme, str] = {
    Programme.DIBAO: "最低生活保障",
    Programme.TEKUN: "特困人员救助供养",
    Programme.TEMPORARY: "临时救助",
}
SHORT_LABELS: dict[Programme, str] = {
    Programme.DIBAO: "低保",
    Programme.TEKUN: "特困",
    Programme.TEMPORARY: "临时救助",
}


class TemporaryKind(StrEnum):
    """SA-17: 急难型 and 支出型 临时救助."""

    URGENT = "urgent"
    EXPENDITURE = "expenditure"


TEMPORARY_KIND_LABELS: dict[TemporaryKind, str] = {
    TemporaryKind.URGENT: "急难型",
    TemporaryKind.EXPENDITURE: "支出型",
}

# The seeds give no yearly limit for 临时救助; a county setting overrides this default.
DEFAULT_TEMPORARY_LIMIT_PER_YEAR = 2
# 低保 and 特困 are held by a person once, and never both at the same time.
_EXCLUSIVE: dict[Programme, Programme] = {Programme.DIBAO: Programme.TEKUN, Programme.TEKUN: Programme.DIBAO}
# What each programme's eligibility depends on (SA-47 deductions and SA-85 categories are 低保's).
_RECHECK_ON: dict[Programme, frozenset[ChangeKind]] = {
    Programme.DIBAO: frozenset(ChangeKind),
    Programme.TEKUN: frozenset(ChangeKind) - {ChangeKind.EXPENDITURE, ChangeKind.FLAGS},
    Programme.TEMPORARY: frozenset(ChangeKind) - {ChangeKind.FLAGS},
}


@dataclass(frozen=True)
class Coverage:
    """An application as the cross-programme rules see it: whom it covers, for what, and where it stands."""

    application_id: uuid.UUID
    household_id: uuid.UUID
    programme: Programme
    stage: Stage
    personkeys: frozenset[str]
    approved_on: date | None = None


@dataclass(frozen=True)
class Recheck:
    """An active application to check again after a household change, with the changes that call for it."""

    application_id: uuid.UUID
    programme: Programme
    reasons: tuple[str, ...]


def check_enrolment(
    programme: Programme,
    personkeys: Iterable[str],
    others: Iterable[Coverage],
    *,
    application_id: uuid.UUID | None = None,
) -> None:
    """Refuse covering these people if one of them is in the other of 低保/特困, or already has an open or
    held application for the same programme; `application_id` is the application asking (not counted)."""
    people = frozenset(personkeys)
    for other in others:
        if other.application_id == application_id or other.stage not in ACTIVE:
            continue
        shared = tuple(sorted(people & other.personkeys))
        if not shared:
            continue
        if other.programme == _EXCLUSIVE.get(programme):
            raise ProgrammeConflict(
                f"有{len(shared)}名人员正在申请或享受{SHORT_LABELS[other.programme]}，"
                f"不能同时纳入{SHORT_LABELS[programme]}（特困人员不再纳入低保）",
                shared,
            )
        if other.programme == programme and _is_duplicate(programme, other.stage):
            raise ProgrammeConflict(
                f"有{len(shared)}名人员已有在办或在保的{SHORT_LABELS[programme]}申请，不能重复申请", shared
            )


def _is_duplicate(programme: Programme, stage: Stage) -> bool:
    # A household may get 临时救助 again after an earlier grant; only an open application is a duplicate.
    return stage in PRE_DECISION if programme == Programme.TEMPORARY else True


def check_temporary_frequency(
    household_id: uuid.UUID,
    on: date,
    others: Iterable[Coverage],
    *,
    limit: int = DEFAULT_TEMPORARY_LIMIT_PER_YEAR,
    application_id: uuid.UUID | None = None,
    special_deliberation: str | None = None,
) -> None:
    """Refuse approving 临时救助 once the household has had `limit` grants in the calendar year of `on`;
    a 一事一议 decision of the coordination mechanism (SA-64), given as its reason, lifts the limit."""
    if special_deliberation is not None and special_deliberation.strip():
        return
    grants = sum(
        1
        for o in others
        if o.household_id == household_id
        and o.programme == Programme.TEMPORARY
        and o.application_id != application_id
        and o.approved_on is not None
        and o.approved_on.year == on.year
    )
    if grants >= limit:
        raise ProgrammeConflict(
            f"该家庭{on.year}年已获临时救助{grants}次，已达每年{limit}次的上限；确有需要的请按“一事一议”办理"
        )


def programmes_to_recheck(changes: Iterable[ChangeKind], coverages: Iterable[Coverage]) -> list[Recheck]:
    """The household's active applications that a change of its file calls to be checked again, each once,
    in the order given; a 临时救助 already granted is not checked again."""
    kinds = list(dict.fromkeys(changes))
    rechecks: list[Recheck] = []
    seen: set[uuid.UUID] = set()
    for coverage in coverages:
        if coverage.application_id in seen or coverage.stage not in ACTIVE:
            continue
        if coverage.programme == Programme.TEMPORARY and coverage.stage not in PRE_DECISION:
            continue
        reasons = tuple(CHANGE_LABELS[k] for k in kinds if k in _RECHECK_ON[coverage.programme])
        if reasons:
            seen.add(coverage.application_id)
            rechecks.append(Recheck(coverage.application_id, coverage.programme, reasons))
    return rechecks


def check_jurisdiction(
    household: Household,
    county_code: str,
    programme: Programme,
    *,
    temporary_kind: TemporaryKind | None = None,
    incident_code: str | None = None,
) -> None:
    """Refuse an application in a county that is neither the 户籍地 nor the 居住地 of a residence-permit
    holder (SA-23); 急难型临时救助 is also taken where the emergency happened, permit or not (SA-24)."""
    if county_code == household.hukou_code:
        return
    if county_code == household.residence_code and household.residence_permit:
        return
    urgent = programme == Programme.TEMPORARY and temporary_kind == TemporaryKind.URGENT
    if urgent and county_code in (incident_code, household.residence_code):
        return
    if urgent:
        raise OutsideJurisdiction("急难型临时救助应向户籍地、居住地或急难发生地申请")
    raise OutsideJurisdiction("应向户籍地申请；持有居住证的，可向居住地申请")
