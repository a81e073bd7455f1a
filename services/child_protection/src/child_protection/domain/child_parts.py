"""The parts of a child's file (guardians, caregiver, care agreement, risk history) and the checks of its
values, each refusal in Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from child_protection.domain import child_events as ev
from child_protection.domain.deadlines import CHINA
from child_protection.domain.errors import InvalidChildData, MissingPrerequisite
from shared.contracts.labels import child_protection as labels
from shared.contracts.labels import common as common_labels
from shared.regions import is_region_code

RiskColour = ev.RiskColour
# Most severe first; a change towards 0 is a rise in risk.
RISK_RANK: dict[str, int] = {"red": 0, "yellow": 1, "blue": 2, "green": 3}
ALERT_COLOURS = frozenset({"red", "yellow"})
ADULT_AGE = 18
MAX_NAME = 50
MAX_TEXT = 2000
MAX_GUARDIANS = 10


def china_date(moment: datetime) -> date:
    """The calendar day in China of an instant (visits are due on China days)."""
    return moment.astimezone(CHINA).date()


def end_of_day(day: date) -> datetime:
    """The first instant after `day` ends in China: a visit due on `day` is missed from then on."""
    return datetime.combine(day + timedelta(days=1), time.min, CHINA)


def age_on(birth_date: date, day: date) -> int:
    years = day.year - birth_date.year
    return years - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass
class Guardian:
    """A guardian (监护人): parents first; `working_away` marks a parent working away from home."""

    name: str
    relation: str
    phone: str = ""
    is_primary: bool = False
    working_away: bool = False


@dataclass
class Caregiver:
    """The entrusted caregiver (被委托照护人) of a left-behind child (MP-73)."""

    name: str
    relation: str
    phone: str = ""


@dataclass
class CareAgreement:
    """The written care agreement (书面照护协议) between the parents and the entrusted caregiver."""

    signed: bool
    signed_date: date | None = None
    document_ref: str = ""


@dataclass
class RiskEntry:
    """One step of the four-colour history: who set which colour, when and why."""

    colour: RiskColour
    previous: RiskColour | None
    at: datetime
    by: str
    reason: str


@dataclass
class ChildHistoryEntry:
    """One line of the file's history (appended by the repository, never rewritten)."""

    at: datetime
    action: str
    actor: str
    detail: dict[str, Any] = field(default_factory=dict)


class ChildBase:
    """State helpers of the child's file (its fields are declared on `ChildFile`)."""

    history: list[ChildHistoryEntry]
    events: list[ev.ChildEvent]

    def _log(self, at: datetime, action: str, actor: str, **detail: Any) -> None:
        self.history.append(ChildHistoryEntry(at, action, actor, detail))

    def _emit(self, event: ev.ChildEvent) -> None:
        self.events.append(event)

    def _updated(self, at: datetime, actor: str, fields: Sequence[str], **detail: Any) -> None:
        self._log(at, "updated", actor, fields=list(fields), **detail)
        self._emit(ev.Updated(at, actor=actor, fields=tuple(fields)))


def text(value: str | None, label: str, *, limit: int = MAX_NAME, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise MissingPrerequisite(f"请填写{label}")
    if len(cleaned) > limit:
        raise InvalidChildData(f"{label}不能超过 {limit} 个字")
    return cleaned


def phone(value: str | None) -> str:
    cleaned = (value or "").strip()
    if cleaned and (len(cleaned) > 20 or not all(c.isdigit() or c in "+- " for c in cleaned)):
        raise InvalidChildData("联系电话只能包含数字、空格、“+”和“-”，最多 20 位")
    return cleaned


def gender(value: str) -> str:
    if value not in common_labels.GENDER:
        raise InvalidChildData("性别应为男、女或未知")
    return value


def categories(values: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(v for v in values if v))
    if not chosen:
        raise MissingPrerequisite("请至少选择一个儿童类别")
    unknown = [v for v in chosen if v not in labels.CATEGORIES]
    if unknown:
        raise InvalidChildData(f"未知的儿童类别：{'、'.join(unknown)}")
    return [c for c in labels.CATEGORIES if c in chosen]


def colour(value: str) -> RiskColour:
    if value not in labels.RISK:
        raise InvalidChildData("风险等级必须是红、黄、蓝、绿之一")
    return cast(RiskColour, value)


def region(value: str) -> str:
    code = value.strip()
    if not is_region_code(code):
        raise InvalidChildData("行政区划代码应为 6 位（区县）、9 位（乡镇街道）或 12 位（村居）数字")
    return code


def birth_date(value: date | None, today: date) -> date:
    if value is None:
        raise MissingPrerequisite("请填写出生日期（或有效的身份证号）")
    if value > today:
        raise InvalidChildData("出生日期不能晚于今天")
    if age_on(value, today) >= ADULT_AGE:
        raise InvalidChildData("已满 18 周岁，不属于未成年人，不能登记到儿童名册")
    return value


def guardians(values: Sequence[Guardian]) -> list[Guardian]:
    cleaned = [
        Guardian(
            name=text(g.name, "监护人姓名"),
            relation=text(g.relation, "与儿童关系", limit=20),
            phone=phone(g.phone),
            is_primary=bool(g.is_primary),
            working_away=bool(g.working_away),
        )
        for g in values
    ]
    if len(cleaned) > MAX_GUARDIANS:
        raise InvalidChildData(f"监护人最多登记 {MAX_GUARDIANS} 位")
    if cleaned and sum(g.is_primary for g in cleaned) != 1:
        raise InvalidChildData("请指定且只指定一位主要监护人")
    return cleaned


def caregiver(value: Caregiver) -> Caregiver:
    return Caregiver(
        name=text(value.name, "被委托照护人姓名"),
        relation=text(value.relation, "被委托照护人与儿童关系", limit=20),
        phone=phone(value.phone),
    )
