"""The parts of an application (who acted, the signed-off decisions, the verification requests, the home
visit, the appraisal, the objections) and the helpers every step of the aggregate uses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from assistance.domain import application_events as ev
from assistance.domain.errors import InvalidApplicationData, InvalidTransition, MissingPrerequisite
from assistance.domain.stages import TERMINAL, Stage, label
from shared.masking import mask_text
from shared.regions import is_region_code

# 公示 is not in the seeds (SA-54 gap); seven days is the period the national rules use, a county setting.
DEFAULT_PUBLICITY_DAYS = 7
# The seeds set no deadline for departments to answer a check; after it the home visit goes ahead.
DEFAULT_VERIFICATION_TIMEOUT = timedelta(days=15)


@dataclass(frozen=True)
class Actor:
    """Who acts: the stable id (what events carry), the name (what the file shows) and the role."""

    id: str
    name: str
    role: str


SYSTEM = Actor("system", "系统", "system")


class ReviewLevel(StrEnum):
    """Where 审核确认 is done: devolved to the township or kept by the county bureau (SA-51)."""

    TOWNSHIP = "township"
    COUNTY = "county"


REVIEW_LEVEL_LABELS: dict[ReviewLevel, str] = {
    ReviewLevel.TOWNSHIP: "乡镇（街道）",
    ReviewLevel.COUNTY: "县级民政部门",
}


class LeadSource(StrEnum):
    HOTLINE = "hotline"
    CHILD_PROTECTION = "child_protection_referral"
    PROACTIVE = "proactive_discovery"
    MONITORING = "monitoring_alert"


LEAD_SOURCE_LABELS: dict[LeadSource, str] = {
    LeadSource.HOTLINE: "12345政务服务热线",
    LeadSource.CHILD_PROTECTION: "未成年人保护转介",
    LeadSource.PROACTIVE: "主动发现",
    LeadSource.MONITORING: "低收入人口动态监测预警",
}


class Department(StrEnum):
    """The departments that supply income and asset data (SA-40)."""

    PUBLIC_SECURITY = "public_security"
    EDUCATION = "education"
    HOUSING = "housing"
    HUMAN_RESOURCES = "human_resources"
    HEALTH = "health"
    FINANCE = "finance"
    MEDICAL_INSURANCE = "medical_insurance"
    MARKET_REGULATION = "market_regulation"
    RURAL_REVITALISATION = "rural_revitalisation"


DEPARTMENT_LABELS: dict[Department, str] = {
    Department.PUBLIC_SECURITY: "公安",
    Department.EDUCATION: "教育",
    Department.HOUSING: "住建",
    Department.HUMAN_RESOURCES: "人社",
    Department.HEALTH: "卫生健康",
    Department.FINANCE: "金融",
    Department.MEDICAL_INSURANCE: "医疗保障",
    Department.MARKET_REGULATION: "市场监管",
    Department.RURAL_REVITALISATION: "乡村振兴",
}


class VerificationStatus(StrEnum):
    REQUESTED = "requested"
    ANSWERED = "answered"
    PARTIAL = "partial"
    MISSING = "missing"
    DISAGREES = "disagrees"
    TIMED_OUT = "timed_out"


VERIFICATION_LABELS: dict[VerificationStatus, str] = {
    VerificationStatus.REQUESTED: "已发起核对",
    VerificationStatus.ANSWERED: "已反馈",
    VerificationStatus.PARTIAL: "部分反馈",
    VerificationStatus.MISSING: "无相关数据",
    VerificationStatus.DISAGREES: "与申报收入不一致",
    VerificationStatus.TIMED_OUT: "超时未反馈",
}
# What a department may answer; TIMED_OUT is only set when the check is closed.
ANSWERS = frozenset(
    {
        VerificationStatus.ANSWERED,
        VerificationStatus.PARTIAL,
        VerificationStatus.MISSING,
        VerificationStatus.DISAGREES,
    }
)
# Answers the home visit must make up for, with the gap written into its record.
GAPS = frozenset(
    {
        VerificationStatus.PARTIAL,
        VerificationStatus.MISSING,
        VerificationStatus.DISAGREES,
        VerificationStatus.TIMED_OUT,
    }
)


class DecisionKind(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LEAD_CLOSED = "lead_closed"
    PROCEEDED_WITH_GAPS = "proceeded_with_gaps"
    APPRAISAL_SKIPPED = "appraisal_skipped"
    REVIEWED = "reviewed"
    OBJECTION_HANDLED = "objection_handled"
    APPROVED = "approved"
    REJECTED = "rejected"
    BENEFIT_CHANGED = "benefit_changed"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"


class AlertKind(StrEnum):
    """SA-114: the monitoring platform's 防错 and 防漏 alerts."""

    WRONG_INCLUSION = "wrong_inclusion"
    OMISSION = "omission"


ALERT_LABELS: dict[AlertKind, str] = {AlertKind.WRONG_INCLUSION: "防错预警", AlertKind.OMISSION: "防漏预警"}


@dataclass(frozen=True)
class Decision:
    """A signed-off decision (无纸化审批, SA-53): what was decided, who decided, when and why."""

    what: DecisionKind
    who: Actor
    when: datetime
    why: str
    outcome: str | None = None


@dataclass
class VerificationRequest:
    """One department's check of one member's income and assets."""

    personkey: str
    department: Department
    requested_at: datetime
    status: VerificationStatus = VerificationStatus.REQUESTED
    answered_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class HomeVisit:
    """入户调查; `gap_note` says how the visit made up for what the departments did not confirm."""

    at: datetime
    by: Actor
    findings: str
    gap_note: str | None = None


@dataclass(frozen=True)
class Appraisal:
    """民主评议 held, or skipped for an uncontested application with the reason (SA-52)."""

    at: datetime
    by: Actor
    held: bool
    opinion: str | None = None
    participants: int | None = None
    skip_reason: str | None = None


@dataclass(frozen=True)
class Objection:
    """An objection raised during 公示, and how it was handled."""

    at: datetime
    by: Actor
    summary: str
    handling: str
    sent_back: bool


@dataclass
class HistoryEntry:
    """One line of the application's history (appended by the repository, never rewritten)."""

    at: datetime
    action: str
    stage: Stage
    actor: str
    actor_name: str
    detail: dict[str, Any] = field(default_factory=dict)


def make_case_ref(region_code: str, year: int, sequence: int) -> str:
    """The application's reference, e.g. SA-500154-2026-000123."""
    if len(region_code) != 6 or not is_region_code(region_code):
        raise InvalidApplicationData("案件编号须使用6位县级行政区划代码")
    if not 0 < sequence < 1_000_000:
        raise InvalidApplicationData("案件序号须在1至999999之间")
    return f"SA-{region_code}-{year:04d}-{sequence:06d}"


def require_text(value: str, message: str) -> str:
    """The trimmed text, or the refusal `message` when it is blank."""
    if not value.strip():
        raise MissingPrerequisite(message)
    return value.strip()


def require_amount(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise InvalidApplicationData("救助金额须为大于0的金额")
    return amount


class ApplicationBase:
    """State helpers of the application aggregate (its fields are declared on `Application`)."""

    id: uuid.UUID
    region_code: str
    stage: Stage
    stage_entered_at: datetime | None
    decisions: list[Decision]
    history: list[HistoryEntry]
    events: list[ev.Event]

    @property
    def is_open(self) -> bool:
        return self.stage not in TERMINAL

    def _require_stage(self, *stages: Stage, doing: str) -> None:
        if self.stage not in stages:
            allowed = "、".join(f"“{label(s)}”" for s in Stage if s in stages)
            raise InvalidTransition(f"申请当前处于“{label(self.stage)}”，{doing}只能在{allowed}阶段进行")

    def _refuse(self, doing: str, why: str) -> InvalidTransition:
        """A refusal that depends on more than the stage (the programme, an earlier re-application)."""
        return InvalidTransition(f"申请当前处于“{label(self.stage)}”，不能{doing}：{why}")

    def _enter(self, target: Stage, at: datetime) -> None:
        self.stage, self.stage_entered_at = target, at

    def _decide(
        self, what: DecisionKind, by: Actor, at: datetime, why: str, outcome: str | None = None
    ) -> None:
        self.decisions.append(Decision(what, by, at, why, outcome))

    def _log(self, at: datetime, action: str, by: Actor, **detail: Any) -> None:
        self.history.append(HistoryEntry(at, action, self.stage, by.id, by.name, detail))

    def _emit(self, event: ev.Event) -> None:
        self.events.append(
            replace(event, application_id=str(self.id), region_code=self.region_code, stage=self.stage.value)
        )


def masked(text: str) -> str:
    """Free text as events carry it: ID and mobile numbers a caseworker typed are masked."""
    return mask_text(text)
