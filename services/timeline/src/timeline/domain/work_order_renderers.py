"""Summaries of intake's work-order events (intake.work_order.v1), in the intake desk's words."""

from __future__ import annotations

from collections.abc import Mapping

from shared.contracts.labels import common as common_labels
from shared.contracts.labels import intake as labels
from timeline.domain.renderers import Data, clip, field, label, region, renderer

ACTIONS = labels.ACTIONS


def _order(d: Data) -> str:
    return f"工单 {field(d, 'order_no', '（编号未注明）')}"


def _minors(d: Data) -> str:
    subjects = d.get("subjects") or []
    minors = sum(1 for s in subjects if isinstance(s, Mapping) and s.get("is_minor"))
    return f"，涉及未成年人 {minors} 名" if minors else ""


def case_of(ref: object) -> str:
    """intake's pointer to a case (`child_protection/CP-500154-2026-000005`) as 未成年人保护案件 CP-…."""
    service, _, number = str(ref or "").rpartition("/")
    owner = common_labels.SERVICES.get(service, "") if service else ""
    return f"{owner}案件 {number}" if number else "案件"


@renderer("intake.work_order.received", ACTIONS["received"])
def received(d: Data) -> str:
    category = field(d, "category_name") or field(d, "category_code", "类别未注明")
    return f"收到12345{_order(d)}（{label(common_labels.URGENCY, d.get('urgency'))}，{category}）{_minors(d)}"


@renderer("intake.work_order.routed", ACTIONS["routed"])
def routed(d: Data) -> str:
    how = "自动分拨" if d.get("routed_by") == "auto" else "人工分拨"
    target = label(labels.TARGETS, d.get("routed_to"))
    return f"{_order(d)}派发至{target}，承办区县：{region(d, 'responsible_region')}（{how}）"


@renderer("intake.work_order.triage_required", ACTIONS["triage_required"])
def triage_required(d: Data) -> str:
    reasons = "、".join(label(labels.TRIAGE_REASONS, r) for r in d.get("reasons") or []) or "原因未注明"
    return f"{_order(d)}转入待分拨：{reasons}"


@renderer("intake.work_order.supplemented", ACTIONS["supplemented"])
def supplemented(d: Data) -> str:
    extra = f"，新增当事人 {len(d.get('subjects') or [])} 名" if d.get("subjects") else ""
    return f"12345补充了{_order(d)}的情况{extra}"


@renderer("intake.work_order.urged", ACTIONS["urged"])
def urged(d: Data) -> str:
    return f"12345催办{_order(d)}（第 {field(d, 'urge_count', '?')} 次）"


@renderer("intake.work_order.revoked", ACTIONS["revoked"])
def revoked(d: Data) -> str:
    return f"12345撤单（{_order(d)}）：{clip(d.get('reason'))}"


@renderer("intake.work_order.accepted", ACTIONS["accepted"])
def accepted(d: Data) -> str:
    return f"{_order(d)}已签收，对应{case_of(d.get('case_ref'))}"


@renderer("intake.work_order.in_progress", ACTIONS["in_progress"])
def in_progress(d: Data) -> str:
    return f"{_order(d)}办理中"


@renderer("intake.work_order.replied", ACTIONS["replied"])
def replied(d: Data) -> str:
    return f"{_order(d)}已办结，办结回复已生成"


@renderer("intake.work_order.satisfaction_recorded", ACTIONS["satisfaction_recorded"])
def satisfaction_recorded(d: Data) -> str:
    return f"12345回访{_order(d)}：满意度 {field(d, 'score', '?')} 分"


@renderer("intake.work_order.reopened", ACTIONS["reopened"])
def reopened(d: Data) -> str:
    return f"{_order(d)}重新办理：{clip(d.get('reason'))}"


@renderer("intake.work_order.closed", ACTIONS["closed"])
def closed(d: Data) -> str:
    return f"{_order(d)}{labels.STATUSES['closed']}"
