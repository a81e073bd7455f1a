"""Intake's handlers on fakes, through the real bus: what leaves intake on intake.work_order.v1 (personkeys
instead of ID numbers, masked free text), idempotency, and the loop closed by case events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from stdnum.cn import ric

from intake.domain import commands
from intake.domain.errors import ConflictingRequest, ReplayedRequest
from intake.entrypoints.api.schemas import HotlineEventIn, WorkOrderIn
from intake.settings import IntakeSettings
from services.intake.tests.fakes import fake_runtime
from shared.contracts.common import SubjectRef
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import INTAKE_WORK_ORDER_V1
from shared.identity import is_provisional, personkey
from shared.kit.clock import FixedClock
from shared.kit.messagebus import MessageBus
from shared.kit.unit_of_work import Inbound
from shared.masking import keep_ends, mask_text

SECRET = "unit-test-personkey-secret"
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


class Intake:
    """The bus on fake storage, with helpers that post what 12345 would post."""

    def __init__(self) -> None:
        settings = IntakeSettings(personkey_secret=SECRET)
        runtime, self.uow = fake_runtime(FixedClock(AT), settings)
        self.bus: MessageBus = runtime.bus
        self._nonce = 0

    def _signed(self) -> dict[str, str]:
        self._nonce += 1
        return {"key_id": "dev-12345", "nonce": f"nonce-{self._nonce:012d}"}

    async def receive(self, body: dict[str, Any]) -> Any:
        data = WorkOrderIn.model_validate({"received_at": "2026-11-23T09:30:00+08:00", **body}).model_dump()
        return await self.bus.handle(commands.ReceiveWorkOrder(**self._signed(), data=data))

    async def later(self, order_no: str, body: dict[str, Any]) -> Any:
        data = HotlineEventIn.model_validate(body).model_dump()
        return await self.bus.handle(
            commands.RecordHotlineEvent(**self._signed(), order_no=order_no, data=data)
        )

    async def case_event(self, order_no: str, kind: str, event_id: str = "cp-event", **extra: Any) -> None:
        wo = await self.uow.work_orders.get_by_order_no(order_no)
        assert wo is not None
        command = commands.ApplyCaseEvent(
            work_order_id=wo.id,
            service="child_protection",
            kind=kind,
            case_ref="child_protection/CP-1",
            **extra,
        )
        inbound = Inbound(consumer="intake", event_id=event_id, event_type=f"child_protection.case.{kind}")
        await self.bus.handle(command, inbound=inbound)

    def sent(self) -> list[CloudEvent]:
        return list(self.uow.sent)


@pytest.fixture
def intake() -> Intake:
    return Intake()


def short(events: list[CloudEvent]) -> list[str]:
    return [e.type.removeprefix("intake.work_order.") for e in events]


def serialized(events: list[CloudEvent]) -> str:
    return json.dumps(
        [e.attribute_headers() | {"data": e.data} for e in events], ensure_ascii=False, default=str
    )


async def test_received_and_routed_carry_subjects_as_personkeys_only(intake: Intake) -> None:
    outcome = await intake.receive(pii_body())
    events = intake.sent()
    assert outcome.status_code == 202
    assert short(events) == ["received", "routed"]
    wo_id = outcome.body["intake_id"]
    assert all(m.contract.TOPIC == INTAKE_WORK_ORDER_V1 and m.key == wo_id for m in intake.uow.outbox)
    for event in events:
        child, father, stranger = event.data["subjects"]
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
        assert event.data["caller_masked_name"] == "王**"
        assert "caller" not in event.data
        assert event.personkey == personkey(CHILD_ID, SECRET)
        assert event.regioncode == "500154"
        assert event.subject == wo_id
    assert events[0].data["flags"] == ["minor_involved", "id_number_invalid"]


async def test_the_same_person_gets_the_same_personkey_in_every_work_order(intake: Intake) -> None:
    await intake.receive(pii_body("GD-OUT-A"))
    await intake.receive(pii_body("GD-OUT-B"))
    first = await intake.uow.work_orders.get_by_order_no("GD-OUT-A")
    second = await intake.uow.work_orders.get_by_order_no("GD-OUT-B")
    assert first is not None and second is not None
    assert first.subjects[0].personkey == second.subjects[0].personkey == personkey(CHILD_ID, SECRET)
    # Without a valid ID number nobody can be linked: every report gets a fresh provisional key.
    assert first.subjects[1].personkey != second.subjects[1].personkey


async def test_content_with_id_number_shaped_text_is_masked(intake: Intake) -> None:
    await intake.receive(pii_body())
    content = intake.sent()[0].data["content"]
    assert content == mask_text(pii_body()["content"])
    assert keep_ends(ADULT_ID) in content and keep_ends(CHILD_ID) in content
    assert keep_ends(CALLER_PHONE) in content
    assert "长期打骂孩子" in content
    # The work order itself keeps the text as received.
    wo = await intake.uow.work_orders.get_by_order_no("GD-OUT-1")
    assert wo is not None and ADULT_ID in wo.content


async def test_no_raw_id_number_or_caller_phone_in_any_event_of_a_whole_life(intake: Intake) -> None:
    await intake.receive(pii_body())
    grandma = {"name": "王奶奶", "id_number": ADULT_ID, "age": 70}
    await intake.later(
        "GD-OUT-1",
        {
            "event_id": "EV-1",
            "type": "supplement",
            "content": f"补充：奶奶身份证{ADULT_ID}，电话{CALLER_PHONE}",
            "subjects": [grandma],
        },
    )
    await intake.later(
        "GD-OUT-1",
        {"event_id": "EV-2", "type": "urge", "note": f"来电人{CALLER_PHONE}再次催办，孩子身份证{CHILD_ID}"},
    )
    await intake.case_event("GD-OUT-1", "accepted", "cp-1")
    await intake.case_event("GD-OUT-1", "closed", "cp-2", feedback="已上门核实，落实临时监护。")
    await intake.later(
        "GD-OUT-1",
        {
            "event_id": "EV-3",
            "type": "satisfaction",
            "score": 1,
            "comment": f"不满意，请回电{CALLER_PHONE}，身份证{ADULT_ID}",
        },
    )
    await intake.later(
        "GD-OUT-1",
        {"event_id": "EV-4", "type": "revoke", "reason": f"来电人{CALLER_PHONE}撤单，户主身份证{ADULT_ID}"},
    )
    events = intake.sent()
    assert short(events) == [
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
    text = serialized(events)
    for secret_value in (CHILD_ID, ADULT_ID, BAD_ID, CALLER_PHONE, "王小明", "王大强", "王秀英", "王奶奶"):
        assert secret_value not in text, secret_value
    supplemented = events[2].data
    assert supplemented["subjects"] == [
        {
            "personkey": personkey(ADULT_ID, SECRET),
            "masked_name": "王**",
            "gender": "unknown",
            "age": 70,
            "is_minor": False,
            "id_number_valid": True,
        }
    ]
    assert keep_ends(ADULT_ID) in supplemented["content"]


async def test_each_event_carries_the_status_right_after_it(intake: Intake) -> None:
    await intake.receive(pii_body())
    await intake.case_event("GD-OUT-1", "accepted", "cp-1")
    await intake.case_event("GD-OUT-1", "closed", "cp-2", feedback="已办结。")
    await intake.later("GD-OUT-1", {"event_id": "EV-9", "type": "satisfaction", "score": 2})
    assert [(short([e])[0], e.data["status"]) for e in intake.sent()] == [
        ("received", "received"),
        ("routed", "routed"),
        ("accepted", "accepted"),
        ("replied", "replied"),
        ("satisfaction_recorded", "replied"),
        ("reopened", "reopened"),
    ]


async def test_triage_event_names_its_reasons_and_loop_events_carry_the_causation(intake: Intake) -> None:
    outcome = await intake.receive({**pii_body(), "category_code": "MZ-ZZ-99", "region_code": "500100"})
    events = intake.sent()
    assert short(events) == ["received", "triage_required"]
    assert events[1].data["reasons"] == ["unknown_category", "region_needs_county"]
    assert events[1].data["status"] == "triage"
    assert events[1].regioncode == "500100"
    assert all(e.causationid is None for e in events)

    await intake.bus.handle(
        commands.RouteFromTriage(
            work_order_id=uuid.UUID(outcome.body["intake_id"]),
            target="child_protection",
            county="500154",
            actor="desk",
        )
    )
    await intake.case_event("GD-OUT-1", "accepted", "cp-event-42")
    routed, accepted = intake.sent()[2:]
    assert (routed.causationid, accepted.causationid) == (None, "cp-event-42")
    assert accepted.data["case_ref"] == "child_protection/CP-1"
    assert routed.data["routed_to"] == "child_protection"


async def test_a_referral_replies_to_12345_naming_the_receiving_agency(intake: Intake) -> None:
    await intake.receive(pii_body())
    await intake.case_event(
        "GD-OUT-1", "declined", "cp-9", reason="属教育部门职责，已移交。", referred_to="开州区教育委员会"
    )
    replied = intake.sent()[-1]
    assert replied.type == "intake.work_order.replied"
    assert replied.data["status"] == "replied"
    assert replied.data["reply_text"] == "已转介至开州区教育委员会办理。属教育部门职责，已移交。"
    wo = await intake.uow.work_orders.get_by_order_no("GD-OUT-1")
    assert wo is not None and wo.status.value == "replied" and wo.routed_to == "child_protection"


async def test_a_plain_decline_goes_back_to_triage(intake: Intake) -> None:
    await intake.receive(pii_body())
    await intake.case_event("GD-OUT-1", "declined", "cp-9", reason="不属于未成年人保护范围")
    assert intake.sent()[-1].type == "intake.work_order.triage_required"
    assert intake.sent()[-1].data["reasons"] == ["declined_by_service"]


async def test_a_repeat_answers_the_stored_receipt_a_changed_body_conflicts_a_replay_is_refused(
    intake: Intake,
) -> None:
    first = await intake.receive(pii_body())
    again = await intake.receive(pii_body())
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.body == first.body
    with pytest.raises(ConflictingRequest):
        await intake.receive({**pii_body(), "content": "另一件事"})
    replay = commands.ClaimNonce(key_id="dev-12345", nonce="nonce-000000000001")
    with pytest.raises(ReplayedRequest):
        await intake.bus.handle(replay)
    assert short(intake.sent()) == ["received", "routed"]


async def test_a_duplicate_case_event_delivery_has_no_second_effect(intake: Intake) -> None:
    await intake.receive(pii_body())
    await intake.case_event("GD-OUT-1", "accepted", "cp-1")
    commits = intake.uow.commits
    with pytest.raises(Exception, match="cp-1"):
        await intake.case_event("GD-OUT-1", "accepted", "cp-1")
    assert intake.uow.commits == commits
    assert short(intake.sent()) == ["received", "routed", "accepted"]


async def test_names_the_work_order_knows_are_redacted_from_free_text_on_the_bus(intake: Intake) -> None:
    body = {
        **pii_body(),
        "content": "王秀英反映：邻居家王小明（Zhang Wei 照看）常被打骂，请联系王秀英。",
        "address": "汉丰街道 王秀英家楼下",
    }
    await intake.receive(body)
    await intake.later("GD-OUT-1", {"event_id": "EV-R", "type": "urge", "note": "王秀英再次来电催办"})
    received, urged = intake.sent()[0], intake.sent()[-1]
    assert received.data["content"] == "王**反映：邻居家王**（Z*** 照看）常被打骂，请联系王**。"
    assert received.data["address"] == "汉丰街道 王**家楼下"
    assert urged.data["note"] == "王**再次来电催办"
    wo = await intake.uow.work_orders.get_by_order_no("GD-OUT-1")
    assert wo is not None and "王秀英" in wo.content


async def test_a_case_reopened_after_12345_reopened_the_work_order_changes_nothing_more(
    intake: Intake,
) -> None:
    await intake.receive(pii_body())
    await intake.case_event("GD-OUT-1", "accepted", "cp-1")
    await intake.case_event("GD-OUT-1", "closed", "cp-2", feedback="已办结。")
    await intake.later("GD-OUT-1", {"event_id": "EV-LOW", "type": "satisfaction", "score": 1})
    before = short(intake.sent())
    await intake.case_event("GD-OUT-1", "reopened", "cp-3", reason="12345 回访不满意（1分）")
    assert short(intake.sent()) == before
    wo = await intake.uow.work_orders.get_by_order_no("GD-OUT-1")
    assert wo is not None and wo.status.value == "reopened"
