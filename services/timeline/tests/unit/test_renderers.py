"""The renderer registry: one Chinese line per intake and child_protection event type (written out here),
a plain sentence naming the service for the rest, never a code, an ID or a phone number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from stdnum.cn import ric

from shared.contracts.catalog import load_all
from timeline.domain.renderers import MAX_SUMMARY, RENDERERS, TYPE_LABELS, render, renderer, type_label

BASE17 = "50015420150101123"
SYNTHETIC_ID = BASE17 + ric.calc_check_digit(BASE17 + "0")

CASE = {
    "case_id": "c1",
    "case_ref": "WB-2026-000001",
    "region_code": "500154",
    "occurred_at": "2026-11-23T01:00:00Z",
}
WO = {"work_order_id": "w1", "order_no": "GD-1", "status": "x", "occurred_at": "2026-11-23T01:00:00Z"}
CHILD = {
    "child_id": "k1",
    "personkey": "pk_1",
    "region_code": "500154",
    "occurred_at": "2026-11-23T01:00:00Z",
}

# A typical data payload of every type intake and child_protection publish today.
SAMPLES: dict[str, dict[str, Any]] = {
    "intake.work_order.received": {
        **WO,
        "urgency": "urgent",
        "category_code": "MZ-CP-02",
        "category_name": "儿童无人照看",
        "subjects": [{"personkey": "pp_1", "is_minor": True}],
    },
    "intake.work_order.routed": {
        **WO,
        "routed_to": "child_protection",
        "responsible_region": "500154",
        "routed_by": "auto",
    },
    "intake.work_order.triage_required": {**WO, "reasons": ["unknown_category", "region_needs_county"]},
    "intake.work_order.supplemented": {**WO, "content": "补充", "subjects": [{"personkey": "pp_2"}]},
    "intake.work_order.urged": {**WO, "urge_count": 2},
    "intake.work_order.revoked": {**WO, "reason": "来电人已自行解决"},
    "intake.work_order.accepted": {**WO, "case_ref": "child_protection/WB-2026-000001"},
    "intake.work_order.in_progress": {**WO},
    "intake.work_order.replied": {**WO, "reply_text": "已办结"},
    "intake.work_order.satisfaction_recorded": {**WO, "score": 5},
    "intake.work_order.reopened": {**WO, "reason": "不满意"},
    "intake.work_order.closed": {**WO},
    "child_protection.case.reported": {**CASE, "source": "12345", "urgency": "critical"},
    "child_protection.case.cross_county_duplicate_found": {**CASE, "other_case_id": "c9"},
    "child_protection.case.report_linked": {**CASE, "source": "mandatory_reporter"},
    "child_protection.case.accepted": {**CASE},
    "child_protection.case.declined": {**CASE, "reason": "不属于受理范围"},
    "child_protection.case.emergency_responded": {**CASE, "action": "on_site_visit"},
    "child_protection.case.temporary_guardianship_started": {**CASE, "institution": "开州区未保中心"},
    "child_protection.case.temporary_guardianship_ended": {**CASE, "outcome": "返回家庭"},
    "child_protection.case.assessed": {
        **CASE,
        "risk_colour": "red",
        "guardianship_capacity": "弱",
        "hardship": True,
    },
    "child_protection.case.risk_changed": {**CASE, "previous": "yellow", "current": "red"},
    "child_protection.case.service_plan_updated": {**CASE, "items": 3, "open_items": 2},
    "child_protection.case.intervention_recorded": {
        **CASE,
        "kind": "entrusted_care",
        "legal_basis": "《未成年人保护法》第二十二条",
    },
    "child_protection.case.stage_changed": {
        **CASE,
        "previous": "assessment",
        "stage": "closed",
        "skipped": ["support", "intervention"],
    },
    "child_protection.case.deadline_breached": {**CASE, "step": "reported", "due_at": "2026-11-23T02:00:00Z"},
    "child_protection.case.referral_requested": {**CASE, "reason": "家庭经济困难"},
    "child_protection.case.closed": {**CASE, "feedback": "已照护"},
    "child_protection.case.reopened": {**CASE, "reason": "再次发现无人照看"},
    "child_protection.child.registered": {**CHILD, "categories": ["left_behind"], "risk_colour": "yellow"},
    "child_protection.child.updated": {**CHILD, "fields": ["guardians", "caregiver"]},
    "child_protection.child.risk_changed": {**CHILD, "previous": "blue", "current": "red"},
    "child_protection.child.visit_scheduled": {
        **CHILD,
        "visit_id": "v1",
        "due_date": "2026-12-01",
        "visit_type": "home",
    },
    "child_protection.child.visit_recorded": {
        **CHILD,
        "visit_id": "v1",
        "risk_raised": True,
        "visit_type": "home",
    },
    "child_protection.child.visit_missed": {
        **CHILD,
        "visit_id": "v1",
        "due_date": "2026-12-01",
        "visit_type": "phone",
    },
}


# What a caseworker reads for each sample: written out, not computed.
EXPECTED: dict[str, str] = {
    "child_protection.case.accepted": "案件 WB-2026-000001已受理，开始调查核实",
    "child_protection.case.assessed": "完成评估：风险等级红色（高风险），家庭存在经济困难",
    "child_protection.case.closed": "案件 WB-2026-000001已结案，已向报告人反馈",
    "child_protection.case.deadline_breached": "“发现报告”环节超期未办",
    "child_protection.case.declined": "案件 WB-2026-000001不予受理：不属于受理范围",
    "child_protection.case.emergency_responded": "应急处置：上门核查",
    "child_protection.case.intervention_recorded": (
        "监护干预：委托照护（签订照护协议），依据《未成年人保护法》第二十二条"
    ),
    "child_protection.case.referral_requested": "申请转介社会救助：家庭经济困难",
    "child_protection.case.reopened": "案件 WB-2026-000001重新办理：再次发现无人照看",
    "child_protection.case.report_linked": "新的报告（来源：强制报告）并入在办案件 WB-2026-000001",
    "child_protection.case.reported": "登记发现报告（来源：12345 热线，特急），案件 WB-2026-000001",
    "child_protection.case.cross_county_duplicate_found": (
        "发现跨辖区重复报告：该儿童在其他辖区另有在办案件，已请两地审核人协商（案件 WB-2026-000001）"
    ),
    "child_protection.case.risk_changed": "风险等级由黄色（较高风险）调整为红色（高风险）",
    "child_protection.case.service_plan_updated": "服务清单更新：共 3 项，未完成 2 项",
    "child_protection.case.stage_changed": (
        "案件 WB-2026-000001由“评估”进入“已结案”（经审核人批准跳过：帮扶、监护干预）"
    ),
    "child_protection.case.temporary_guardianship_ended": "临时监护结束：返回家庭",
    "child_protection.case.temporary_guardianship_started": "临时监护开始（开州区未保中心）",
    "child_protection.child.registered": "儿童纳入监测名册：留守儿童，风险等级黄色（较高风险）",
    "child_protection.child.risk_changed": "儿童风险等级由蓝色（一般风险）调整为红色（高风险）",
    "child_protection.child.updated": "儿童档案更新（2 项）",
    "child_protection.child.visit_missed": "电话联系逾期未完成（应于 2026-12-01 前完成）",
    "child_protection.child.visit_recorded": "完成家庭走访，发现风险并已报告",
    "child_protection.child.visit_scheduled": "安排家庭走访，应于 2026-12-01 前完成",
    "intake.work_order.accepted": "工单 GD-1已签收，对应未成年人保护案件 WB-2026-000001",
    "intake.work_order.closed": "工单 GD-1已结案",
    "intake.work_order.in_progress": "工单 GD-1办理中",
    "intake.work_order.received": "收到12345工单 GD-1（紧急，儿童无人照看），涉及未成年人 1 名",
    "intake.work_order.reopened": "工单 GD-1重新办理：不满意",
    "intake.work_order.replied": "工单 GD-1已办结，办结回复已生成",
    "intake.work_order.revoked": "12345撤单（工单 GD-1）：来电人已自行解决",
    "intake.work_order.routed": "工单 GD-1派发至未成年人保护，承办区县：重庆市开州区（自动分拨）",
    "intake.work_order.satisfaction_recorded": "12345回访工单 GD-1：满意度 5 分",
    "intake.work_order.supplemented": "12345补充了工单 GD-1的情况，新增当事人 1 名",
    "intake.work_order.triage_required": "工单 GD-1转入待分拨：类别不在分拨规则中、需指定区县",
    "intake.work_order.urged": "12345催办工单 GD-1（第 2 次）",
}
# What each type is called in the pages' filter.
TYPE_NAMES = {
    "intake.work_order.urged": "催办",
    "intake.work_order.reopened": "重新办理",
    "child_protection.case.reopened": "重新办理",
    "child_protection.case.deadline_breached": "环节超期",
    "child_protection.child.visit_recorded": "记录走访",
}


def published_types() -> set[str]:
    return {t for t in load_all() if t.startswith(("intake.", "child_protection."))}


def test_every_intake_and_child_protection_type_has_its_own_renderer() -> None:
    assert published_types() <= set(RENDERERS), sorted(published_types() - set(RENDERERS))
    assert set(SAMPLES) == published_types() == set(EXPECTED)


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_type_has_its_chinese_line(event_type: str) -> None:
    line = render(event_type, SAMPLES[event_type])
    assert line == EXPECTED[event_type]
    assert len(line) <= MAX_SUMMARY and "None" not in line and "未注明" not in line


def test_no_line_says_an_urge_or_a_breach_is_督办_nor_names_a_code() -> None:
    lines = [render(t, d) for t, d in SAMPLES.items()]
    assert not any("督办" in line for line in lines)
    assert not any(re.search(r"[a-z]+_[a-z]+|[a-z]+\.[a-z]+", line) for line in lines), lines


def test_types_are_named_in_the_filter() -> None:
    assert {t: type_label(t) for t in TYPE_NAMES} == TYPE_NAMES
    assert type_label("assistance.case.opened") == "有一条新的办理记录"


def test_unknown_types_get_a_plain_sentence_naming_the_service() -> None:
    assert render("assistance.case.opened", {"case_id": "a1"}) == "社会救助：有一条新的办理记录"
    assert render("vagrant_rescue.person.found", {}) == "流浪乞讨人员救助：有一条新的办理记录"
    assert render("newservice.thing.happened", {}, "newservice") == "其他业务：有一条新的办理记录"


def test_a_renderer_that_fails_falls_back_to_the_generic_line() -> None:
    @renderer("assistance.thing.broken", "测试")
    def broken(data: Any) -> str:
        raise KeyError("missing")

    try:
        assert render("assistance.thing.broken", {}) == "社会救助：有一条新的办理记录"
    finally:
        RENDERERS.pop("assistance.thing.broken")
        TYPE_LABELS.pop("assistance.thing.broken")


def test_a_type_is_registered_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        renderer("intake.work_order.closed", "结案")(lambda d: "x")


def test_missing_fields_degrade_the_line_without_failing() -> None:
    assert render("intake.work_order.routed", {"order_no": "GD-2"}) == (
        "工单 GD-2派发至未注明，承办区县：未注明（人工分拨）"
    )
    assert render("child_protection.child.visit_recorded", {}) == "完成走访"


def test_no_id_or_phone_number_survives_in_a_summary() -> None:
    data = {**SAMPLES["intake.work_order.revoked"], "reason": f"身份证{SYNTHETIC_ID}电话13800138000"}
    line = render("intake.work_order.revoked", data)
    assert SYNTHETIC_ID not in line and "13800138000" not in line
    assert "138****8000" in line


def test_long_lines_are_cut() -> None:
    data = {**SAMPLES["child_protection.case.stage_changed"], "skipped": ["support"] * 100}
    assert len(render("child_protection.case.stage_changed", data)) == MAX_SUMMARY
