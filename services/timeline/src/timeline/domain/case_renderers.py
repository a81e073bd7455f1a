"""Summaries of child protection's case events (child_protection.case.v1), in the case page's words."""

from __future__ import annotations

from shared.contracts.labels import child_protection as labels
from shared.contracts.labels import common as common_labels
from shared.contracts.labels import intake as intake_labels
from timeline.domain.renderers import Data, clip, field, label, renderer

ACTIONS = labels.CASE_ACTIONS


def _case(d: Data) -> str:
    return f"案件 {field(d, 'case_ref', '（编号未注明）')}"


def _source(d: Data) -> str:
    source = label(labels.REPORT_SOURCES, d.get("source"), "报告")
    # A 12345 report's reporter is the caller, and a monitoring one the visit: nothing more to say.
    if d.get("reporter_type") and d.get("reporter_type") not in ("hotline_12345", "monitoring"):
        source += f"·{label(labels.REPORTER_TYPES, d.get('reporter_type'))}"
    return source


def _risk(value: object) -> str:
    return label(labels.RISK, value)


@renderer("child_protection.case.reported", ACTIONS["reported"])
def reported(d: Data) -> str:
    urgency = f"，{label(common_labels.URGENCY, d.get('urgency'))}" if d.get("urgency") else ""
    return f"登记发现报告（来源：{_source(d)}{urgency}），{_case(d)}"


@renderer("child_protection.case.report_linked", ACTIONS["report_linked"])
def report_linked(d: Data) -> str:
    return f"新的报告（来源：{_source(d)}）并入在办{_case(d)}"


@renderer("child_protection.case.accepted", ACTIONS["accepted"])
def accepted(d: Data) -> str:
    return f"{_case(d)}已受理，开始调查核实"


@renderer("child_protection.case.declined", ACTIONS["declined"])
def declined(d: Data) -> str:
    if d.get("referred_to"):
        unit = label({**common_labels.SERVICES, **intake_labels.TARGETS}, d.get("referred_to"))
        return f"{_case(d)}转介至{unit}：{clip(d.get('reason'))}"
    return f"{_case(d)}不予受理：{clip(d.get('reason'))}"


@renderer("child_protection.case.stage_changed", ACTIONS["stage_changed"])
def stage_changed(d: Data) -> str:
    stages = labels.STAGES
    line = f"{_case(d)}由“{label(stages, d.get('previous'))}”进入“{label(stages, d.get('stage'))}”"
    skipped = d.get("skipped") or []
    if skipped:
        line += f"（经审核人批准跳过：{'、'.join(label(stages, s) for s in skipped)}）"
    return line


@renderer("child_protection.case.emergency_responded", ACTIONS["emergency_responded"])
def emergency_responded(d: Data) -> str:
    return f"应急处置：{label(labels.EMERGENCY_ACTIONS, d.get('action'))}"


@renderer("child_protection.case.temporary_guardianship_started", ACTIONS["temporary_guardianship_started"])
def guardianship_started(d: Data) -> str:
    return f"临时监护开始（{field(d, 'institution') or '未注明机构'}）"


@renderer("child_protection.case.temporary_guardianship_ended", ACTIONS["temporary_guardianship_ended"])
def guardianship_ended(d: Data) -> str:
    return f"临时监护结束：{clip(d.get('outcome'))}"


@renderer("child_protection.case.assessed", ACTIONS["assessed"])
def assessed(d: Data) -> str:
    hardship = "，家庭存在经济困难" if d.get("hardship") else ""
    return f"完成评估：风险等级{_risk(d.get('risk_colour'))}{hardship}"


@renderer("child_protection.case.risk_changed", ACTIONS["risk_changed"])
def risk_changed(d: Data) -> str:
    if d.get("previous"):
        return f"风险等级由{_risk(d.get('previous'))}调整为{_risk(d.get('current'))}"
    return f"风险等级定为{_risk(d.get('current'))}"


# The case history names plan items one by one; the event carries only the plan's counts.
@renderer("child_protection.case.service_plan_updated", "更新服务清单")
def service_plan_updated(d: Data) -> str:
    return f"服务清单更新：共 {field(d, 'items', '?')} 项，未完成 {field(d, 'open_items', '?')} 项"


@renderer("child_protection.case.intervention_recorded", ACTIONS["intervention_recorded"])
def intervention_recorded(d: Data) -> str:
    basis = f"，依据{clip(d.get('legal_basis'), 30)}" if d.get("legal_basis") else ""
    return f"监护干预：{label(labels.INTERVENTIONS, d.get('kind'))}{basis}"


@renderer("child_protection.case.deadline_breached", ACTIONS["deadline_breached"])
def deadline_breached(d: Data) -> str:
    return f"“{label(labels.STAGES, d.get('step'))}”环节超期未办"


@renderer("child_protection.case.cross_county_duplicate_found", ACTIONS["cross_county_duplicate"])
def cross_county_duplicate_found(d: Data) -> str:
    return f"发现跨辖区重复报告：该儿童在其他辖区另有在办案件，已请两地审核人协商（{_case(d)}）"


@renderer("child_protection.case.referral_requested", "申请转介社会救助")
def referral_requested(d: Data) -> str:
    return f"申请转介社会救助：{clip(d.get('reason'))}"


@renderer("child_protection.case.closed", ACTIONS["closed"])
def closed(d: Data) -> str:
    return f"{_case(d)}{labels.STAGES['closed']}，已向报告人反馈"


@renderer("child_protection.case.reopened", ACTIONS["reopened"])
def reopened(d: Data) -> str:
    return f"{_case(d)}{ACTIONS['reopened']}：{clip(d.get('reason'))}"
