"""The renderer registry: one Chinese line per intake and child_protection event type, a generic line
for the rest, never an ID or phone number."""

from __future__ import annotations

import re
from typing import Any

import pytest
from stdnum.cn import ric

from shared.contracts.catalog import load_all
from timeline.domain.renderers import MAX_SUMMARY, RENDERERS, generic_summary, render, renderer

BASE17 = "50015420150101123"
SYNTHETIC_ID = BASE17 + ric.calc_check_digit(BASE17 + "0")
CJK = re.compile(r"[\u4e00-\u9fff]")

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


def published_types() -> set[str]:
    return {t for t in load_all() if t.startswith(("intake.", "child_protection."))}


def test_every_intake_and_child_protection_type_has_its_own_renderer() -> None:
    assert published_types() <= set(RENDERERS), sorted(published_types() - set(RENDERERS))
    assert set(SAMPLES) == published_types()


@pytest.mark.parametrize("event_type", sorted(SAMPLES))
def test_each_renderer_writes_a_short_chinese_line(event_type: str) -> None:
    line = render(event_type, SAMPLES[event_type])
    assert line != generic_summary(event_type)
    assert CJK.search(line) and len(line) <= MAX_SUMMARY
    assert "None" not in line and "未知" not in line, line


def test_lines_name_what_matters() -> None:
    assert render("intake.work_order.received", SAMPLES["intake.work_order.received"]) == (
        "收到12345工单 GD-1（紧急，儿童无人照看），涉及未成年人 1 名"
    )
    assert "跳过：帮扶、监护干预" in render(
        "child_protection.case.stage_changed", SAMPLES["child_protection.case.stage_changed"]
    )
    assert render("child_protection.case.risk_changed", SAMPLES["child_protection.case.risk_changed"]) == (
        "风险等级由黄色调整为红色"
    )


def test_unknown_types_get_the_generic_line() -> None:
    assert render("assistance.case.opened", {"case_id": "a1"}) == "社会救助：case.opened"
    assert render("newservice.thing.happened", {}, "newservice") == "newservice：thing.happened"


def test_a_renderer_that_fails_falls_back_to_the_generic_line() -> None:
    @renderer("test_timeline.thing.broken")
    def broken(data: Any) -> str:
        raise KeyError("missing")

    assert render("test_timeline.thing.broken", {}) == "test_timeline：thing.broken"


def test_a_type_is_registered_once() -> None:
    with pytest.raises(ValueError, match="twice"):
        renderer("intake.work_order.closed")(lambda d: "x")


def test_no_id_or_phone_number_survives_in_a_summary() -> None:
    data = {**SAMPLES["intake.work_order.revoked"], "reason": f"身份证{SYNTHETIC_ID}电话13800138000"}
    line = render("intake.work_order.revoked", data)
    assert SYNTHETIC_ID not in line and "13800138000" not in line
    assert "138****8000" in line


def test_long_lines_are_cut() -> None:
    data = {**SAMPLES["child_protection.case.stage_changed"], "skipped": ["support"] * 100}
    assert len(render("child_protection.case.stage_changed", data)) == MAX_SUMMARY
