"""What leaves intake on intake.work_order.v1: personkeys instead of ID numbers, masked free text.

The outbox rows are captured from the real unit of work (`UnitOfWork.flush_events`) with a session
that records the INSERT statements instead of running them.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import visitors
from stdnum.cn import ric

from intake.domain.model import Subject, WorkOrder
from intake.domain.routing import RoutingRule, RoutingTable, decide
from intake.service_layer.handlers import make_subject
from intake.service_layer.outgoing import subject_refs
from intake.service_layer.routing_table import seed_rules
from intake.service_layer.unit_of_work import UnitOfWork
from intake.settings import DEV_DATA_KEY
from shared.contracts.common import SubjectRef
from shared.contracts.topics import INTAKE_WORK_ORDER_V1
from shared.crypto import FieldCipher
from shared.identity import is_provisional, personkey
from shared.observability.masking import keep_ends, mask_text

SECRET = "unit-test-personkey-secret"
CIPHER = FieldCipher(DEV_DATA_KEY)
AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CALLER_PHONE = "13912345678"


def id_number(base17: str) -> str:
    """A synthetic ID number; stdnum's calc_check_digit ignores the last character, hence the "0"."""
    assert len(base17) == 17 and base17.isdigit()
    return base17 + ric.calc_check_digit(base17 + "0")


CHILD_ID = id_number("50015420150601123")  # born 2015-06-01: a minor
ADULT_ID = id_number("50015419800101456")
_good_digit = ric.calc_check_digit("50015419900202789" + "0")
BAD_ID = "50015419900202789" + ("1" if _good_digit != "1" else "2")  # wrong check digit


class RecordingSession:
    """Stands in for an AsyncSession: keeps the outbox rows the unit of work writes."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def execute(self, statement: Any, *args: Any, **kwargs: Any) -> None:
        # The outbox INSERT travels as a CTE of the statement that also sends the relay's wake-up.
        for element in visitors.iterate(statement):
            if isinstance(element, Insert) and element.table.name == "outbox_message":
                self._record(element)

    def _record(self, statement: Insert) -> None:
        compiled = statement.compile(dialect=postgresql.dialect())  # type: ignore[no-untyped-call]
        # A multi-row INSERT names its parameters <column>_m<row>.
        by_row: dict[int, dict[str, Any]] = {}
        for name, value in compiled.params.items():
            column, _, row = name.rpartition("_m")
            if not row.isdigit():
                column, row = name, "0"
            by_row.setdefault(int(row), {})[column] = value
        self.rows.extend(by_row[i] for i in sorted(by_row))


def shipped_table() -> RoutingTable:
    seed = seed_rules()
    return RoutingTable(
        seed["version"], {r["code"]: RoutingRule(r["code"], r["name"], r["target"]) for r in seed["rules"]}
    )


def receive(data: dict[str, Any]) -> WorkOrder:
    """A work order built the way handlers.receive_work_order builds one (without the database)."""
    subjects: list[Subject] = []
    flags: list[str] = []
    for raw in data.get("subjects", []):
        subject, subject_flags = make_subject(raw, SECRET, AT)
        subjects.append(subject)
        flags += subject_flags
    decision = decide(shipped_table(), data["category_code"], data["region_code"])
    wo = WorkOrder(
        id=uuid.uuid4(),
        order_no=data["order_no"],
        received_at=AT,
        channel="phone",
        category_code=data["category_code"],
        category_name=None,
        urgency="urgent",
        region_code=data["region_code"],
        content=data["content"],
        payload=data,
        subjects=subjects,
        address=data.get("address"),
        flags=list(dict.fromkeys(flags)),
    )
    wo.mark_received(AT)
    wo.apply_routing(decision, AT, "auto")
    return wo


async def flush(wo: WorkOrder, causation_id: str | None = None) -> list[dict[str, Any]]:
    session = RecordingSession()
    uow = UnitOfWork(session, CIPHER, causation_id=causation_id)  # type: ignore[arg-type]
    uow.work_orders.seen.append(wo)
    await uow.flush_events()
    assert wo.events == []
    return session.rows


def pii_body(order_no: str = "GD-OUT-1") -> dict[str, Any]:
    return {
        "order_no": order_no,
        "category_code": "MZ-CP-01",
        "region_code": "500154001",
        "address": f"开州区汉丰街道某小区3栋，联系电话{CALLER_PHONE}，户主身份证{ADULT_ID}",
        "content": (
            f"来电人（电话{CALLER_PHONE}）反映：孩子父亲身份证号{ADULT_ID}，"
            f"孩子身份证{CHILD_ID}，长期打骂孩子。"
        ),
        "caller": {"name": "王秀英", "phone": CALLER_PHONE, "anonymous": False},
        "subjects": [
            {"name": "王小明", "id_number": CHILD_ID, "gender": "male", "is_minor": False},
            {"name": "王大强", "id_number": BAD_ID, "gender": "male", "age": 45},
            {"name": "Zhang Wei", "gender": "unknown"},
        ],
    }


def serialized(rows: list[dict[str, Any]]) -> str:
    return json.dumps(
        [{"payload": r["payload"], "headers": r["headers"], "key": r["key"]} for r in rows],
        ensure_ascii=False,
        default=str,
    )


async def test_received_and_routed_carry_subjects_as_personkeys_only() -> None:
    wo = receive(pii_body())
    rows = await flush(wo)
    assert [r["type"] for r in rows] == ["intake.work_order.received", "intake.work_order.routed"]
    assert all(r["topic"] == INTAKE_WORK_ORDER_V1 and r["key"] == str(wo.id) for r in rows)
    for row in rows:
        child, father, stranger = row["payload"]["subjects"]
        assert all(set(s) == set(SubjectRef.model_fields) for s in (child, father, stranger))
        assert child == {
            "personkey": personkey(CHILD_ID, SECRET),
            "masked_name": "王**",
            "gender": "male",
            "age": 11,
            "is_minor": True,
            "id_number_valid": True,
        }
        assert is_provisional(father["personkey"]) and father["id_number_valid"] is False
        assert father["masked_name"] == "王**" and father["age"] == 45 and father["is_minor"] is False
        assert is_provisional(stranger["personkey"]) and stranger["id_number_valid"] is None
        assert stranger["masked_name"] == "Z***"
        assert row["payload"]["caller_masked_name"] == "王**"
        assert "caller" not in row["payload"]
        assert row["headers"]["ce_personkey"] == personkey(CHILD_ID, SECRET)
        assert row["headers"]["ce_regioncode"] == "500154"
        assert row["headers"]["ce_subject"] == str(wo.id)
    assert rows[0]["payload"]["flags"] == ["minor_involved", "id_number_invalid"]


async def test_the_same_person_gets_the_same_personkey_in_every_work_order() -> None:
    first = receive(pii_body("GD-OUT-A"))
    second = receive(pii_body("GD-OUT-B"))
    assert first.subjects[0].personkey == second.subjects[0].personkey == personkey(CHILD_ID, SECRET)
    # Without a valid ID number nobody can be linked: every report gets a fresh provisional key.
    assert first.subjects[1].personkey != second.subjects[1].personkey


async def test_content_with_id_number_shaped_text_is_masked() -> None:
    wo = receive(pii_body())
    rows = await flush(wo)
    content = rows[0]["payload"]["content"]
    assert content == mask_text(wo.content)
    assert keep_ends(ADULT_ID) in content and keep_ends(CHILD_ID) in content
    assert keep_ends(CALLER_PHONE) in content
    assert "长期打骂孩子" in content
    # The work order itself keeps the text as received.
    assert ADULT_ID in wo.content


async def test_no_raw_id_number_or_caller_phone_in_any_event_of_a_whole_life() -> None:
    wo = receive(pii_body())
    rows = await flush(wo)
    extra, _ = make_subject({"name": "王奶奶", "id_number": ADULT_ID, "age": 70}, SECRET, AT)
    wo.supplement(AT, f"补充：奶奶身份证{ADULT_ID}，电话{CALLER_PHONE}", [extra], "EV-1")
    wo.urge(AT, f"来电人{CALLER_PHONE}再次催办，孩子身份证{CHILD_ID}")
    rows += await flush(wo)
    wo.accept(AT, "child_protection/CP-2026-0001", "child_protection")
    wo.reply(AT, "已上门核实，落实临时监护。", "child_protection")
    rows += await flush(wo, causation_id="case-event-1")
    wo.record_satisfaction(AT, 1, f"不满意，请回电{CALLER_PHONE}，身份证{ADULT_ID}")
    rows += await flush(wo)
    wo.revoke(AT, f"来电人{CALLER_PHONE}撤单，户主身份证{ADULT_ID}")
    rows += await flush(wo)
    assert [r["type"].removeprefix("intake.work_order.") for r in rows] == [
        "received",
        "routed",
        "supplemented",
        "urged",
        "accepted",
        "replied",
        "satisfaction_recorded",
        "reopened",
        "revoked",
    ]
    text = serialized(rows)
    for secret_value in (CHILD_ID, ADULT_ID, BAD_ID, CALLER_PHONE, "王小明", "王大强", "王秀英", "王奶奶"):
        assert secret_value not in text, secret_value
    supplemented = rows[2]["payload"]
    assert supplemented["subjects"] == [
        subject_refs(wo, [extra])[0].model_dump(mode="json"),
    ]
    assert supplemented["subjects"][0]["personkey"] == personkey(ADULT_ID, SECRET)
    assert keep_ends(ADULT_ID) in supplemented["content"]


async def test_each_event_carries_the_status_right_after_it() -> None:
    wo = receive(pii_body())
    rows = await flush(wo)
    wo.accept(AT, "child_protection/CP-1", "child_protection")
    wo.reply(AT, "已办结。", "child_protection")
    wo.record_satisfaction(AT, 2, None)
    rows += await flush(wo)
    assert [(r["type"].removeprefix("intake.work_order."), r["payload"]["status"]) for r in rows] == [
        ("received", "received"),
        ("routed", "routed"),
        ("accepted", "accepted"),
        ("replied", "replied"),
        ("satisfaction_recorded", "replied"),
        ("reopened", "reopened"),
    ]


async def test_triage_event_names_its_reasons_and_loop_events_carry_the_causation() -> None:
    wo = receive({**pii_body(), "category_code": "MZ-ZZ-99", "region_code": "500100"})
    rows = await flush(wo)
    assert [r["type"] for r in rows] == ["intake.work_order.received", "intake.work_order.triage_required"]
    assert rows[1]["payload"]["reasons"] == ["unknown_category", "region_needs_county"]
    assert rows[1]["payload"]["status"] == "triage"
    assert rows[1]["headers"]["ce_regioncode"] == "500100"
    assert all("ce_causationid" not in r["headers"] for r in rows)

    wo.route("child_protection", "500154", AT, "desk")
    wo.accept(AT, "child_protection/CP-7", "child_protection")
    rows = await flush(wo, causation_id="cp-event-42")
    assert [r["headers"]["ce_causationid"] for r in rows] == ["cp-event-42", "cp-event-42"]
    assert rows[1]["payload"]["case_ref"] == "child_protection/CP-7"
    assert rows[0]["payload"]["routed_to"] == "child_protection"
