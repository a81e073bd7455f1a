"""One short Simplified-Chinese line per event type: the renderer registry.

A renderer reads the event's data as a plain mapping (tolerant: a missing field degrades the line, it
never fails the projection). A type without a renderer gets the generic line, so a new service's events
show up at once and only need `@renderer("<type>")` functions here for a better summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from shared.masking import mask_text

Data = Mapping[str, Any]
Renderer = Callable[[Data], str]

RENDERERS: dict[str, Renderer] = {}
MAX_SUMMARY = 160

SERVICE_LABELS: dict[str, str] = {
    "intake": "12345受理",
    "child_protection": "未成年人保护",
    "assistance": "社会救助",
    "vagrant_rescue": "流浪乞讨救助",
    "notifications": "通知",
    "timeline": "时间线",
}
URGENCY = {"normal": "一般", "urgent": "紧急", "critical": "特急"}
TARGETS = {
    "child_protection": "未成年人保护",
    "assistance": "社会救助",
    "vagrant_rescue": "流浪乞讨救助",
    "triage": "人工分拨",
}
TRIAGE_REASONS = {"unknown_category": "类别不在分拨规则中", "region_needs_county": "需指定区县"}
STAGES = {
    "reported": "发现报告",
    "accepted": "受理调查",
    "emergency_response": "应急处置",
    "assessment": "评估",
    "support": "帮扶",
    "intervention": "监护干预",
    "closed": "反馈结案",
    "declined": "不予受理",
    "referred": "转介",
}
RISK = {"red": "红色", "yellow": "黄色", "blue": "蓝色", "green": "绿色"}
EMERGENCY_ACTIONS = {
    "on_site_visit": "上门核查",
    "safety_measure": "紧急安全措施",
    "police": "公安介入",
    "medical": "医疗救治",
}
INTERVENTIONS = {
    "entrusted_care": "委托照护",
    "parenting_education": "强制亲职教育",
    "revocation_support": "支持申请撤销监护人资格",
    "long_term_guardianship": "民政长期监护",
}
CATEGORIES = {
    "left_behind": "留守儿童",
    "in_difficulty": "困境儿童",
    "orphan": "孤儿",
    "de_facto_unsupported": "事实无人抚养儿童",
    "disabled": "残疾儿童",
    "other": "其他",
}
VISIT_TYPES = {"home": "家访", "phone": "电话联系"}
REPORT_SOURCES = {"12345": "12345热线", "mandatory_reporter": "强制报告", "monitoring": "监测预防"}


def renderer(event_type: str) -> Callable[[Renderer], Renderer]:
    """Register the summary of one event type (a type is registered once)."""

    def register(fn: Renderer) -> Renderer:
        if event_type in RENDERERS and RENDERERS[event_type] is not fn:
            raise ValueError(f"renderer for {event_type} registered twice")
        RENDERERS[event_type] = fn
        return fn

    return register


def service_of_type(event_type: str) -> str:
    """The producing service named by a type's prefix (`child_protection.case.closed` → child_protection)."""
    return event_type.split(".", 1)[0]


def generic_summary(event_type: str, service: str | None = None) -> str:
    """The line of a type nobody registered: the service's name and what happened."""
    service = service or service_of_type(event_type)
    action = event_type.removeprefix(f"{service}.") if event_type.startswith(f"{service}.") else event_type
    return f"{SERVICE_LABELS.get(service, service)}：{action}"


def render(event_type: str, data: Data, service: str | None = None) -> str:
    """The entry's summary; masked (no ID or phone number) and short."""
    fn = RENDERERS.get(event_type)
    text = generic_summary(event_type, service)
    if fn is not None:
        try:
            text = fn(data)
        except Exception:
            # A known type with unexpected data still gets an entry, with the generic line.
            text = generic_summary(event_type, service)
    text = mask_text(" ".join(text.split()))
    return text if len(text) <= MAX_SUMMARY else text[: MAX_SUMMARY - 1] + "…"


def _s(data: Data, key: str, default: str = "") -> str:
    value = data.get(key)
    return default if value is None else str(value)


def _label(table: Mapping[str, str], value: object) -> str:
    return table.get(str(value), str(value)) if value not in (None, "") else "未知"


def _clip(text: object, limit: int = 40) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _order(data: Data) -> str:
    return f"工单 {_s(data, 'order_no', '?')}"


def _case(data: Data) -> str:
    return f"案件 {_s(data, 'case_ref', '?')}"


def _minors(data: Data) -> str:
    subjects = data.get("subjects") or []
    minors = sum(1 for s in subjects if isinstance(s, Mapping) and s.get("is_minor"))
    return f"，涉及未成年人 {minors} 名" if minors else ""


# ---- intake.work_order.v1 ------------------------------------------------------------------------


@renderer("intake.work_order.received")
def _wo_received(d: Data) -> str:
    category = _s(d, "category_name") or _s(d, "category_code", "?")
    return f"收到12345{_order(d)}（{_label(URGENCY, d.get('urgency'))}，{category}）{_minors(d)}"


@renderer("intake.work_order.routed")
def _wo_routed(d: Data) -> str:
    how = "自动分拨" if d.get("routed_by") == "auto" else "人工分拨"
    return (
        f"{_order(d)}派发至{_label(TARGETS, d.get('routed_to'))}，"
        f"责任地区 {_s(d, 'responsible_region', '?')}（{how}）"
    )


@renderer("intake.work_order.triage_required")
def _wo_triage(d: Data) -> str:
    reasons = "、".join(_label(TRIAGE_REASONS, r) for r in d.get("reasons") or []) or "原因未注明"
    return f"{_order(d)}进入待分拨队列：{reasons}"


@renderer("intake.work_order.supplemented")
def _wo_supplemented(d: Data) -> str:
    extra = f"，新增当事人 {len(d.get('subjects') or [])} 名" if d.get("subjects") else ""
    return f"12345对{_order(d)}补充了情况{extra}"


@renderer("intake.work_order.urged")
def _wo_urged(d: Data) -> str:
    return f"12345催办{_order(d)}（第 {_s(d, 'urge_count', '?')} 次）"


@renderer("intake.work_order.revoked")
def _wo_revoked(d: Data) -> str:
    return f"12345撤回{_order(d)}：{_clip(d.get('reason'))}"


@renderer("intake.work_order.accepted")
def _wo_accepted(d: Data) -> str:
    return f"{_order(d)}已签收，对应案件 {_s(d, 'case_ref', '?')}"


@renderer("intake.work_order.in_progress")
def _wo_in_progress(d: Data) -> str:
    return f"{_order(d)}办理中"


@renderer("intake.work_order.replied")
def _wo_replied(d: Data) -> str:
    return f"{_order(d)}已办结，办结回复已生成"


@renderer("intake.work_order.satisfaction_recorded")
def _wo_satisfaction(d: Data) -> str:
    return f"12345回访{_order(d)}：满意度 {_s(d, 'score', '?')} 分"


@renderer("intake.work_order.reopened")
def _wo_reopened(d: Data) -> str:
    return f"{_order(d)}重新办理：{_clip(d.get('reason'))}"


@renderer("intake.work_order.closed")
def _wo_closed(d: Data) -> str:
    return f"{_order(d)}已关闭"


# ---- child_protection.case.v1 --------------------------------------------------------------------


@renderer("child_protection.case.reported")
def _case_reported(d: Data) -> str:
    source = _label(REPORT_SOURCES, d.get("source")) if d.get("source") else "报告"
    return f"登记发现报告（来源：{source}，{_label(URGENCY, d.get('urgency'))}），{_case(d)}"


@renderer("child_protection.case.report_linked")
def _case_report_linked(d: Data) -> str:
    source = _label(REPORT_SOURCES, d.get("source")) if d.get("source") else "报告"
    return f"新的报告（来源：{source}）并入在办{_case(d)}"


@renderer("child_protection.case.accepted")
def _case_accepted(d: Data) -> str:
    return f"{_case(d)}已受理，开始调查核实"


@renderer("child_protection.case.declined")
def _case_declined(d: Data) -> str:
    if d.get("referred_to"):
        return f"{_case(d)}转介至 {_s(d, 'referred_to')}：{_clip(d.get('reason'))}"
    return f"{_case(d)}不予受理：{_clip(d.get('reason'))}"


@renderer("child_protection.case.stage_changed")
def _case_stage_changed(d: Data) -> str:
    line = f"{_case(d)}由“{_label(STAGES, d.get('previous'))}”进入“{_label(STAGES, d.get('stage'))}”"
    skipped = d.get("skipped") or []
    if skipped:
        line += f"（经审批跳过：{'、'.join(_label(STAGES, s) for s in skipped)}）"
    return line


@renderer("child_protection.case.emergency_responded")
def _case_emergency(d: Data) -> str:
    return f"应急处置：{_label(EMERGENCY_ACTIONS, d.get('action'))}"


@renderer("child_protection.case.temporary_guardianship_started")
def _case_guardianship_started(d: Data) -> str:
    return f"临时监护开始（{_s(d, 'institution', '未注明机构')}）"


@renderer("child_protection.case.temporary_guardianship_ended")
def _case_guardianship_ended(d: Data) -> str:
    return f"临时监护结束：{_clip(d.get('outcome'))}"


@renderer("child_protection.case.assessed")
def _case_assessed(d: Data) -> str:
    hardship = "，家庭存在经济困难" if d.get("hardship") else ""
    return f"完成评估：风险等级{_label(RISK, d.get('risk_colour'))}{hardship}"


@renderer("child_protection.case.risk_changed")
def _case_risk_changed(d: Data) -> str:
    if d.get("previous"):
        return f"风险等级由{_label(RISK, d.get('previous'))}调整为{_label(RISK, d.get('current'))}"
    return f"风险等级定为{_label(RISK, d.get('current'))}"


@renderer("child_protection.case.service_plan_updated")
def _case_plan(d: Data) -> str:
    return f"服务清单更新：共 {_s(d, 'items', '?')} 项，未完成 {_s(d, 'open_items', '?')} 项"


@renderer("child_protection.case.intervention_recorded")
def _case_intervention(d: Data) -> str:
    return f"监护干预：{_label(INTERVENTIONS, d.get('kind'))}（依据 {_clip(d.get('legal_basis'), 30)}）"


@renderer("child_protection.case.deadline_breached")
def _case_deadline(d: Data) -> str:
    return f"“{_label(STAGES, d.get('step'))}”环节超期未办（督办）"


@renderer("child_protection.case.referral_requested")
def _case_referral(d: Data) -> str:
    return f"申请转介社会救助：{_clip(d.get('reason'))}"


@renderer("child_protection.case.closed")
def _case_closed(d: Data) -> str:
    return f"{_case(d)}结案，已向报告人反馈"


@renderer("child_protection.case.reopened")
def _case_reopened(d: Data) -> str:
    return f"{_case(d)}重新开启：{_clip(d.get('reason'))}"


# ---- child_protection.child.v1 (the register of children under watch) ------------------------------


@renderer("child_protection.child.registered")
def _child_registered(d: Data) -> str:
    categories = "、".join(_label(CATEGORIES, c) for c in d.get("categories") or []) or "未分类"
    return f"儿童纳入监测名册（{categories}，风险等级{_label(RISK, d.get('risk_colour'))}）"


@renderer("child_protection.child.updated")
def _child_updated(d: Data) -> str:
    return f"儿童档案更新（{len(d.get('fields') or [])} 项）"


@renderer("child_protection.child.risk_changed")
def _child_risk_changed(d: Data) -> str:
    previous = f"由{_label(RISK, d.get('previous'))}" if d.get("previous") else ""
    return f"儿童风险等级{previous}调整为{_label(RISK, d.get('current'))}"


@renderer("child_protection.child.visit_scheduled")
def _child_visit_scheduled(d: Data) -> str:
    return f"安排{_label(VISIT_TYPES, d.get('visit_type'))}，应于 {_s(d, 'due_date', '?')} 前完成"


@renderer("child_protection.child.visit_recorded")
def _child_visit_recorded(d: Data) -> str:
    risk = "，发现风险并已报告" if d.get("risk_raised") else ""
    return f"完成{_label(VISIT_TYPES, d.get('visit_type'))}{risk}"


@renderer("child_protection.child.visit_missed")
def _child_visit_missed(d: Data) -> str:
    return f"{_label(VISIT_TYPES, d.get('visit_type'))}逾期未完成（应于 {_s(d, 'due_date', '?')}）"
