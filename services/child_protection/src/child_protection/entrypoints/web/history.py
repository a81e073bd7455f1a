"""The details of a history line or a record, as Chinese label/value pairs (page-only field names; the
codes' names come from the contract labels)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from shared.contracts.labels import child_protection as labels
from shared.contracts.labels import common as common_labels
from shared.regions import region_label
from shared.web.formatting import format_time

_CASE_FIELDS = {
    "source": "来源",
    "reporter_type": "报告人类型",
    "previous": "原环节",
    "current": "现风险等级",
    "target": "目标环节",
    "skipped": "跳过环节",
    "skip_reason": "跳过理由",
    "requested_by": "申请人",
    "approved_by": "批准人",
    "reason": "理由",
    "referred_to": "转介单位",
    "action": "措施",
    "item_id": "服务项",
    "kind": "类型",
    "status": "状态",
    "situation": "家庭监护状况",
    "capacity": "监护能力评估",
    "risk_colour": "风险等级",
    "findings": "评估发现",
    "hardship": "家庭经济困难需转介社会救助",
    "institution": "临时监护机构",
    "legal_basis": "法律依据",
    "documents": "文书",
    "started_at": "开始时间",
    "started_by": "启动人",
    "ended_at": "结束时间",
    "outcome": "结束情况",
    "score": "满意度评分",
    "note": "说明",
    "feedback": "反馈内容",
    "step": "超期环节",
    "due_at": "时限",
}
_CHILD_FIELDS = {
    "fields": "变更内容",
    "categories": "儿童类别",
    "risk_colour": "风险等级",
    "previous": "原风险等级",
    "current": "新风险等级",
    "case_ref": "案件编号",
    "reason": "理由",
    "due_date": "计划日期",
    "visit_type": "方式",
    "assigned_to": "负责人",
    "auto": "自动安排",
    "visited_on": "走访日期",
    "risk_raised": "发现风险",
    "planned": "按计划",
    "count": "人数",
    "signed": "已签订",
    "agreement_reset": "原照护协议失效",
    "region_code": "行政区划",
    "responsible": "负责人",
    "gender": "性别",
    "birth_date": "出生日期",
}
_FILE_FIELDS = {
    "name": "姓名",
    "gender": "性别",
    "birth_date": "出生日期",
    "id_number": "身份证号",
    "address": "住址",
    "region_code": "行政区划",
    "categories": "儿童类别",
    "responsible": "负责人",
    "guardians": "监护人",
    "caregiver": "被委托照护人",
    "agreement": "书面照护协议",
}
_HIDDEN = {"visit_id", "case_id"}


def _actor(value: object) -> str:
    return common_labels.SYSTEM_ACTORS.get(str(value), str(value))


def _case_text(action: str, key: str, value: Any, plan_names: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in ("previous", "current") and action == "risk_changed":
        return labels.RISK.get(str(value), "未评估") if value else "未评估"
    if key in ("previous", "target", "step"):
        return labels.STAGES.get(str(value), str(value))
    if key == "skipped" and isinstance(value, list):
        return "、".join(labels.STAGES.get(str(v), str(v)) for v in value)
    names: dict[str, Mapping[str, str]] = {
        "source": labels.REPORT_SOURCES,
        "reporter_type": labels.REPORTER_TYPES,
        "action": labels.EMERGENCY_ACTIONS,
        "risk_colour": labels.RISK,
        "status": labels.PLAN_STATUS,
        "item_id": plan_names,
        "kind": labels.PLAN_KINDS if action.startswith("plan_") else labels.INTERVENTIONS,
    }
    if key in names:
        return names[key].get(str(value), str(value))
    if key in ("due_at", "started_at", "ended_at"):
        return format_time(value)
    if key in ("requested_by", "approved_by", "started_by"):
        return _actor(value)
    return str(value)


def case_detail_pairs(
    action: str, detail: Mapping[str, Any] | None, plan: Sequence[Mapping[str, Any]] = ()
) -> list[tuple[str, str]]:
    """A case history line's or record's details (empty values left out), in the order of the labels."""
    plan_names = {str(p.get("id")): str(p.get("description", "")) for p in plan}
    order = {key: i for i, key in enumerate(_CASE_FIELDS)}
    pairs: list[tuple[str, str]] = []
    # JSONB does not keep the keys' order.
    for key, value in sorted((detail or {}).items(), key=lambda kv: order.get(kv[0], len(order))):
        if value is None or value == "" or value == []:
            continue
        label = "原风险等级" if key == "previous" and action == "risk_changed" else _CASE_FIELDS.get(key, key)
        pairs.append((label, _case_text(action, key, value, plan_names)))
    return pairs


def _child_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in ("previous", "current", "risk_colour"):
        return labels.RISK.get(str(value), str(value))
    if key == "categories" and isinstance(value, list):
        return "、".join(labels.CATEGORIES.get(str(v), str(v)) for v in value)
    if key == "fields" and isinstance(value, list):
        return "、".join(_FILE_FIELDS.get(str(v), str(v)) for v in value)
    if key == "visit_type":
        return labels.VISIT_TYPES.get(str(value), str(value))
    if key == "gender":
        return common_labels.GENDER.get(str(value), str(value))
    if key == "region_code":
        return region_label(str(value))
    return value.isoformat() if isinstance(value, date) else str(value)


def child_detail_pairs(detail: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """A file history line's details (empty values and ids left out), in the order of the labels."""
    order = {key: i for i, key in enumerate(_CHILD_FIELDS)}
    items = sorted((detail or {}).items(), key=lambda kv: order.get(kv[0], len(order)))
    return [
        (_CHILD_FIELDS.get(key, key), _child_text(key, value))
        for key, value in items
        if key not in _HIDDEN and value not in (None, "", [])
    ]
