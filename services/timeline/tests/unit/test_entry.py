"""One event → one entry: service, case reference, person keys, region, trace, sensitivity, excerpt."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from stdnum.cn import ric

from shared.contracts.envelope import CloudEvent
from timeline.domain.entry import LinkChange, project, sensitivity, source_service, trace_id_of
from timeline.domain.excerpts import excerpt

BASE17 = "11010120100101123"
SYNTHETIC_ID = BASE17 + ric.calc_check_digit(BASE17 + "0")
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def event(event_type: str, data: dict[str, Any], **attrs: Any) -> CloudEvent:
    attrs.setdefault("source", f"/services/{event_type.split('.')[0]}")
    return CloudEvent(type=event_type, data=data, time=datetime(2026, 11, 23, 9, tzinfo=UTC), **attrs)


def test_intake_event_becomes_an_entry() -> None:
    e = event(
        "intake.work_order.received",
        {
            "work_order_id": "w-1",
            "order_no": "GD-1",
            "urgency": "urgent",
            "content": f"身份证号 {SYNTHETIC_ID}，电话 13800138000",
            "region_code": "500154",
            "subjects": [
                {"personkey": "pp_child", "masked_name": "小*", "is_minor": True},
                {"personkey": "pk_adult", "is_minor": False},
            ],
            "flags": ["minor_involved"],
        },
        correlationid="w-1",
        personkey="pp_child",
        traceparent=f"00-{TRACE}-00f067aa0ba902b7-01",
    )
    entry = project(e, topic="intake.work_order.v1")
    assert entry.source == "intake" and entry.case_ref == "intake/w-1" and entry.order_no == "GD-1"
    assert entry.reference == "GD-1"
    assert entry.personkeys == ("pk_adult", "pp_child")
    assert entry.regioncode == "500154" and entry.correlation_id == "w-1"
    assert entry.trace_id == TRACE and entry.sensitivity == "sensitive"
    assert entry.excerpt == {
        "flags": ["minor_involved"],
        "order_no": "GD-1",
        "region_code": "500154",
        "urgency": "urgent",
        "work_order_id": "w-1",
    }
    row = entry.row()
    assert SYNTHETIC_ID not in str(row) and "13800138000" not in str(row) and "小*" not in str(row)


def test_child_protection_entries_are_sensitive_and_carry_the_child_key() -> None:
    e = event(
        "child_protection.case.accepted",
        {"case_id": "c-1", "case_ref": "WB-1", "region_code": "500154", "child_personkey": "pk_child"},
        regioncode="500154",
    )
    entry = project(e)
    assert entry.case_ref == "child_protection/c-1" and entry.personkeys == ("pk_child",)
    assert entry.reference == "WB-1" and entry.sensitivity == "sensitive"


def test_register_events_belong_to_the_child_file_not_the_case() -> None:
    e = event(
        "child_protection.child.risk_changed",
        {
            "child_id": "k-1",
            "case_id": "c-1",
            "personkey": "pk_child",
            "region_code": "500154",
            "current": "red",
        },
    )
    assert project(e).case_ref == "child_protection/k-1"
    # The case it names has its own reference, but the child's file is not that case.
    assert project(e).reference is None


def test_unknown_types_use_case_id_work_order_or_subject() -> None:
    opened = project(event("assistance.case.opened", {"case_id": "a-1", "case_ref": "SA-500154-2026-7"}))
    assert (opened.case_ref, opened.reference) == ("assistance/a-1", "SA-500154-2026-7")
    assert opened.summary == "社会救助：有一条新的办理记录"
    e = event("vagrant_rescue.person.found", {}, subject="p-9", regioncode="500154")
    entry = project(e)
    assert entry.case_ref == "vagrant_rescue/p-9" and entry.sensitivity == "normal"
    assert entry.reference is None and entry.summary == "流浪乞讨人员救助：有一条新的办理记录"


def test_a_reference_to_another_aggregate_is_not_the_entrys_own() -> None:
    accepted = event(
        "intake.work_order.accepted",
        {"work_order_id": "w-1", "order_no": "GD-7", "case_ref": "child_protection/CP-500154-2026-000005"},
    )
    assert project(accepted).reference == "GD-7"
    pointer = event("assistance.case.noted", {"case_id": "a-2", "case_ref": "child_protection/CP-1"})
    assert project(pointer).reference is None
    assert (
        project(event("assistance.case.noted", {"case_id": "a-3", "case_ref": "x" * 101})).reference is None
    )
    assert (
        project(event("newservice.thing.done", {"work_order_id": "w-9", "order_no": "GD-9"})).reference
        == "GD-9"
    )


def test_service_comes_from_source_else_the_type() -> None:
    assert source_service(event("intake.work_order.closed", {}, source="/services/intake")) == "intake"
    assert (
        source_service(event("intake.work_order.closed", {}, source="https://12345.example/x?")) == "intake"
    )


def test_minor_flags_make_an_intake_entry_sensitive() -> None:
    assert sensitivity("intake", {"subjects": [{"is_minor": False}]}) == "normal"
    assert sensitivity("intake", {"subjects": [{"is_minor": True}]}) == "sensitive"
    assert sensitivity("intake", {"flags": ["minor_involved"]}) == "sensitive"
    assert sensitivity("assistance", {"minor_involved": True}) == "sensitive"
    assert sensitivity("child_protection", {}) == "sensitive"


def test_excerpt_is_a_masked_whitelist() -> None:
    data = {
        "order_no": "GD-1",
        "reason": f"电话13800138000 身份证{SYNTHETIC_ID}" + "很长" * 100,
        "reply_text": "free text",
        "feedback": "free text",
        "content": "free text",
        "caller_masked_name": "王**",
        "actor_phone": "13800138000",
        "skipped": ["support", {"nested": 1}],
        "subjects": [{"personkey": "pk"}],
    }
    out = excerpt(data)
    assert set(out) == {"order_no", "reason", "skipped"}
    assert "13800138000" not in out["reason"] and SYNTHETIC_ID not in out["reason"]
    assert len(out["reason"]) <= 80 and out["skipped"] == ["support"]


def test_link_convention() -> None:
    e = event(
        "vagrant_rescue.person.identified",
        {"linked_personkeys": ["pp_x", "pk_y", "pk_z"], "unlinked_personkeys": ["pk_q", "pk_p"]},
    )
    entry = project(e)
    assert entry.links == (
        LinkChange("link", "pk_y", "pp_x"),
        LinkChange("link", "pk_z", "pp_x"),
        LinkChange("unlink", "pk_p", "pk_q"),
    )
    assert set(entry.personkeys) == {"pp_x", "pk_y", "pk_z", "pk_q", "pk_p"}
    assert project(event("x.y.z", {"linked_personkeys": "pk_a"})).links == ()


def test_trace_ids() -> None:
    assert trace_id_of(f"00-{TRACE}-00f067aa0ba902b7-01") == TRACE
    assert trace_id_of("00-" + "0" * 32 + "-00f067aa0ba902b7-01") is None
    assert trace_id_of("garbage") is None and trace_id_of(None) is None
    assert project(event("x.y.z", {}), trace_id=TRACE).trace_id == TRACE
