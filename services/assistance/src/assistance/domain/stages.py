"""The stages of an application (SA-20..102) with the names caseworkers read, and the groups the rules use."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    """Where an application stands: 线索 → 申请 → 受理 → 核对 → 入户调查 → 民主评议 → 审核确认 → 公示 → 批准 →
    发放 → 动态管理 → 终止, with the side exits 不予受理, 不予批准, 撤回, 暂停 and 线索关闭."""

    LEAD = "lead"
    APPLIED = "applied"
    ACCEPTED = "accepted"
    VERIFYING = "verifying"
    HOME_VISIT = "home_visit"
    APPRAISAL = "appraisal"
    REVIEW = "review"
    PUBLICITY = "publicity"
    APPROVED = "approved"
    PAYING = "paying"
    MANAGED = "managed"
    SUSPENDED = "suspended"
    ENDED = "ended"
    DECLINED = "declined"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    LEAD_CLOSED = "lead_closed"


LABELS: dict[Stage, str] = {
    Stage.LEAD: "线索",
    Stage.APPLIED: "申请",
    Stage.ACCEPTED: "受理",
    Stage.VERIFYING: "家庭经济状况核对",
    Stage.HOME_VISIT: "入户调查",
    Stage.APPRAISAL: "民主评议",
    Stage.REVIEW: "审核确认",
    Stage.PUBLICITY: "公示",
    Stage.APPROVED: "批准",
    Stage.PAYING: "发放",
    Stage.MANAGED: "动态管理",
    Stage.SUSPENDED: "暂停",
    Stage.ENDED: "终止",
    Stage.DECLINED: "不予受理",
    Stage.REJECTED: "不予批准",
    Stage.WITHDRAWN: "撤回",
    Stage.LEAD_CLOSED: "线索已关闭",
}

# Before the decision: the applicant may still withdraw (撤回).
PRE_DECISION = frozenset(
    {
        Stage.APPLIED,
        Stage.ACCEPTED,
        Stage.VERIFYING,
        Stage.HOME_VISIT,
        Stage.APPRAISAL,
        Stage.REVIEW,
        Stage.PUBLICITY,
    }
)
# Approved and not ended: the household holds the benefit (a suspended one still holds it).
RECEIVING = frozenset({Stage.APPROVED, Stage.PAYING, Stage.MANAGED, Stage.SUSPENDED})
# An open application or a held benefit: what the cross-programme rules count.
ACTIVE = PRE_DECISION | RECEIVING
# Nothing more happens on the application; a new one may be made and is linked to it (re-application).
FINAL = frozenset({Stage.DECLINED, Stage.REJECTED, Stage.WITHDRAWN, Stage.ENDED})
TERMINAL = FINAL | {Stage.LEAD_CLOSED}


def label(stage: Stage | str) -> str:
    """The stage as a caseworker reads it, e.g. 家庭经济状况核对."""
    try:
        return LABELS[Stage(stage)]
    except ValueError:
        return str(stage)
