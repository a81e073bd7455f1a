"""Summaries of the register of children under watch (child_protection.child.v1), in the register's words."""

from __future__ import annotations

from shared.contracts.labels import child_protection as labels
from timeline.domain.renderers import Data, field, label, renderer

ACTIONS = labels.CHILD_ACTIONS


def _visit(d: Data) -> str:
    # A visit of unknown kind is still a 走访 (what the register calls every visit).
    return labels.VISIT_TYPES.get(field(d, "visit_type"), "走访")


def _risk(value: object) -> str:
    return label(labels.RISK, value)


@renderer("child_protection.child.registered", ACTIONS["registered"])
def registered(d: Data) -> str:
    categories = "、".join(label(labels.CATEGORIES, c) for c in d.get("categories") or []) or "未分类"
    return f"儿童纳入监测名册：{categories}，风险等级{_risk(d.get('risk_colour'))}"


@renderer("child_protection.child.updated", ACTIONS["updated"])
def updated(d: Data) -> str:
    return f"儿童档案更新（{len(d.get('fields') or [])} 项）"


@renderer("child_protection.child.risk_changed", ACTIONS["risk_changed"])
def risk_changed(d: Data) -> str:
    previous = f"由{_risk(d.get('previous'))}" if d.get("previous") else ""
    return f"儿童风险等级{previous}调整为{_risk(d.get('current'))}"


@renderer("child_protection.child.visit_scheduled", ACTIONS["visit_scheduled"])
def visit_scheduled(d: Data) -> str:
    return f"安排{_visit(d)}，应于 {field(d, 'due_date', '?')} 前完成"


@renderer("child_protection.child.visit_recorded", ACTIONS["visit_recorded"])
def visit_recorded(d: Data) -> str:
    risk = "，发现风险并已报告" if d.get("risk_raised") else ""
    return f"完成{_visit(d)}{risk}"


@renderer("child_protection.child.visit_missed", ACTIONS["visit_missed"])
def visit_missed(d: Data) -> str:
    return f"{_visit(d)}逾期未完成（应于 {field(d, 'due_date', '?')} 前完成）"
