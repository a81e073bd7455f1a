"""Questionable content is accepted and flagged, never rejected, and read back exactly as sent."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from stdnum.cn import ric

from hotline_client import HotlineClient, work_order
from infra import Database
from shared.identity import mask_name

pytestmark = pytest.mark.integration

RARE = ("𠮷", "䶮", "𡒄")  # U+20BB7, U+4DAE, U+21484: outside the BMP or in CJK Extension A


def id_number(base17: str) -> str:
    """A synthetic ID number; stdnum's calc_check_digit ignores the last character, hence the "0"."""
    assert len(base17) == 17 and base17.isdigit()
    return base17 + ric.calc_check_digit(base17 + "0")


def with_wrong_check_digit(base17: str) -> str:
    good = ric.calc_check_digit(base17 + "0")
    return base17 + ("1" if good != "1" else "2")


def born_years_ago(years: int) -> date:
    today = datetime.now(UTC).date()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def id_born(born: date, sequence: str = "123") -> str:
    return id_number("500154" + born.strftime("%Y%m%d") + sequence)


async def receive(hotline: HotlineClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await hotline.post_work_order(body)
    assert response.status_code == 202, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


async def detail_of(hotline: HotlineClient, order_no: str) -> dict[str, Any]:
    response = await hotline.get_work_order(order_no)
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


async def assert_not_on_the_bus(db: Database, work_order_id: str, *needles: str) -> None:
    """The work order's outbox rows exist and none of them holds any of the needles."""
    rows = await db.fetchval("SELECT count(*) FROM outbox_message WHERE key = $1", work_order_id)
    assert isinstance(rows, int) and rows >= 2
    for needle in needles:
        leaked = await db.fetchval(
            "SELECT count(*) FROM outbox_message WHERE payload::text LIKE '%' || $1 || '%'"
            " OR headers::text LIKE '%' || $1 || '%' OR trace::text LIKE '%' || $1 || '%'",
            needle,
        )
        assert leaked == 0, needle


async def assert_encrypted_at_rest(db: Database, number: str) -> None:
    leaked = await db.fetchval(
        "SELECT count(*) FROM work_order WHERE payload::text LIKE '%' || $1 || '%'"
        " OR subjects::text LIKE '%' || $1 || '%'",
        number,
    )
    assert leaked == 0


async def test_an_invalid_id_checksum_is_accepted_flagged_and_read_back_as_sent(
    hotline: HotlineClient, intake_db: Database
) -> None:
    bad = with_wrong_check_digit("11010519850315201")
    assert not ric.is_valid(bad)
    body = work_order(
        "GD-Q-BADID",
        category_code="MZ-SA-03",
        subjects=[{"name": "刘建国", "id_number": bad, "gender": "male", "age": 40}],
    )
    receipt = await receive(hotline, body)
    assert receipt["flags"] == ["id_number_invalid"]
    assert receipt["routed_to"] == "assistance"
    detail = await detail_of(hotline, "GD-Q-BADID")
    assert detail["flags"] == ["id_number_invalid"]
    assert detail["work_order"]["subjects"][0]["id_number"] == bad
    assert detail["subjects"][0]["id_number"] == bad
    assert detail["subjects"][0]["id_number_valid"] is False
    assert detail["subjects"][0]["personkey"].startswith("pp_")
    await assert_encrypted_at_rest(intake_db, bad)
    await assert_not_on_the_bus(intake_db, receipt["intake_id"], bad)


@pytest.mark.parametrize(
    "written",
    [
        lambda n: n,
        lambda n: n.lower(),  # a lower-case x
        lambda n: f" {n[:6]} {n[6:14]} {n[14:]} ",  # spaces as typed
        lambda n: n.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),  # full width
    ],
    ids=["plain", "lower-x", "spaced", "full-width"],
)
async def test_a_valid_id_written_loosely_is_recognised_and_returned_exactly_as_sent(
    hotline: HotlineClient, intake_db: Database, written: Any
) -> None:
    # A sequence whose check digit is X, so the lower-case and full-width forms differ from the plain one.
    base = next(
        f"50015419800101{seq:03d}"
        for seq in range(1000)
        if ric.calc_check_digit(f"50015419800101{seq:03d}0") == "X"
    )
    number = id_number(base)
    sent = written(number)
    body = work_order("GD-Q-LOOSE", subjects=[{"name": "陈红", "id_number": sent, "gender": "female"}])
    receipt = await receive(hotline, body)
    assert "id_number_invalid" not in receipt["flags"]
    detail = await detail_of(hotline, "GD-Q-LOOSE")
    assert detail["work_order"]["subjects"][0]["id_number"] == sent
    assert detail["subjects"][0]["id_number"] == sent
    assert detail["subjects"][0]["personkey"].startswith("pk_")
    assert detail["subjects"][0]["age"] is not None and detail["subjects"][0]["age"] >= 45
    await assert_encrypted_at_rest(intake_db, sent.strip())
    await assert_not_on_the_bus(intake_db, receipt["intake_id"], number, number[:17], sent.strip())


async def test_an_unknown_category_is_accepted_and_sent_to_triage(
    hotline: HotlineClient, intake_db: Database
) -> None:
    body = work_order("GD-Q-CAT", category_code="ZZ-OTHER-99", category_name="其他（未分类）", subjects=[])
    receipt = await receive(hotline, body)
    assert (receipt["status"], receipt["routed_to"], receipt["flags"]) == (
        "received",
        "triage",
        ["unknown_category"],
    )
    detail = await detail_of(hotline, "GD-Q-CAT")
    assert (detail["status"], detail["routed_to"], detail["flags"]) == (
        "triage",
        "triage",
        ["unknown_category"],
    )
    assert [(h["action"], h["status"]) for h in detail["history"]] == [
        ("received", "received"),
        ("triage_required", "triage"),
    ]
    assert detail["history"][1]["detail"] == {"reasons": ["unknown_category"]}
    assert detail["work_order"]["category_code"] == "ZZ-OTHER-99"
    reasons = await intake_db.fetchval(
        "SELECT payload->'reasons' FROM outbox_message WHERE type = 'intake.work_order.triage_required'"
    )
    assert reasons == '["unknown_category"]'


async def test_rare_characters_are_accepted_and_read_back_unchanged(
    hotline: HotlineClient, intake_db: Database
) -> None:
    a, b, c = RARE
    body = work_order(
        "GD-Q-RARE",
        caller={"name": f"{a}女士", "phone": "13800138000"},
        subjects=[
            {"name": f"王{b}", "gender": "male", "age": 9, "description": f"与{c}奶奶同住"},
            {"name": f"{a}{c}", "gender": "female", "age": 35},
            {"name": f"{c}", "gender": "unknown"},
        ],
        content=f"{a}{b}{c}：邻居反映孩子王{b}无人照看，奶奶{c}某年迈。",
        address=f"重庆市开州区{a}家坝{c}村{b}组",
        category_name=f"留守儿童{a}",
    )
    receipt = await receive(hotline, body)
    assert receipt["flags"] == ["minor_involved"]
    detail = await detail_of(hotline, "GD-Q-RARE")
    stored = detail["work_order"]
    for field in ("content", "address", "category_name"):
        assert stored[field] == body[field], field
    # Defaults (anonymous, is_minor, …) are filled in; everything sent comes back as sent.
    assert {k: stored["caller"][k] for k in body["caller"]} == body["caller"]
    assert [
        {k: got[k] for k in sent} for got, sent in zip(stored["subjects"], body["subjects"], strict=True)
    ] == (body["subjects"])
    assert [s["name"] for s in detail["subjects"]] == [f"王{b}", f"{a}{c}", c]
    assert detail["subjects"][0]["description"] == f"与{c}奶奶同住"
    # On the bus the names are masked; the first character survives even outside the BMP.
    masked = await intake_db.fetchval(
        "SELECT payload->'subjects' FROM outbox_message WHERE type = 'intake.work_order.routed'"
    )
    assert isinstance(masked, str)
    for name in (f"王{b}", f"{a}{c}", c):
        assert mask_name(name) in masked
    assert f"王{b}" not in masked and f"{a}{c}" not in masked
    await assert_not_on_the_bus(intake_db, receipt["intake_id"], "13800138000", f"{a}女士")


async def test_a_minor_by_age_is_flagged(hotline: HotlineClient, intake_db: Database) -> None:
    body = work_order("GD-Q-AGE", subjects=[{"name": "小明", "gender": "male", "age": 10, "is_minor": False}])
    receipt = await receive(hotline, body)
    assert receipt["flags"] == ["minor_involved"]
    detail = await detail_of(hotline, "GD-Q-AGE")
    assert detail["subjects"][0]["is_minor"] is True
    routed = await intake_db.fetchval(
        "SELECT payload->'subjects'->0->>'is_minor' FROM outbox_message"
        " WHERE type = 'intake.work_order.routed'"
    )
    assert routed == "true"


async def test_a_minor_by_id_birth_date_is_flagged(hotline: HotlineClient, intake_db: Database) -> None:
    number = id_born(born_years_ago(10))
    assert ric.is_valid(number)
    body = work_order(
        "GD-Q-IDMINOR",
        subjects=[{"name": "小华", "id_number": number, "gender": "female", "is_minor": False}],
    )
    receipt = await receive(hotline, body)
    assert receipt["flags"] == ["minor_involved"]
    detail = await detail_of(hotline, "GD-Q-IDMINOR")
    subject = detail["subjects"][0]
    assert (subject["is_minor"], subject["age"], subject["id_number_valid"]) == (True, 10, True)
    assert subject["id_number"] == number
    await assert_encrypted_at_rest(intake_db, number)
    await assert_not_on_the_bus(intake_db, receipt["intake_id"], number, number[:17])


async def test_an_adult_by_id_is_not_flagged(hotline: HotlineClient) -> None:
    number = id_born(born_years_ago(40))
    body = work_order(
        "GD-Q-ADULT", category_code="MZ-SA-01", subjects=[{"name": "张伟", "id_number": number}]
    )
    receipt = await receive(hotline, body)
    assert receipt["flags"] == []
    assert (await detail_of(hotline, "GD-Q-ADULT"))["subjects"][0]["age"] == 40


async def test_a_child_who_turns_18_tomorrow_is_still_a_minor(hotline: HotlineClient) -> None:
    born = date.fromordinal(born_years_ago(18).toordinal() + 1)
    body = work_order("GD-Q-17", subjects=[{"name": "小李", "id_number": id_born(born)}])
    assert (await receive(hotline, body))["flags"] == ["minor_involved"]
    assert (await detail_of(hotline, "GD-Q-17"))["subjects"][0]["age"] == 17


async def test_all_flags_together_and_every_outbox_row_free_of_id_numbers(
    hotline: HotlineClient, intake_db: Database
) -> None:
    bad = with_wrong_check_digit("44030519700707123")
    child = id_born(born_years_ago(10), "456")
    body = work_order(
        "GD-Q-ALL",
        category_code="MZ-UNKNOWN",
        region_code="500100",
        content=f"来电人反映：孩子身份证号{child}，父亲身份证号{bad}，父亲长期酗酒。",
        subjects=[
            {"name": "周小宝", "id_number": child},
            {"name": "周大伟", "id_number": bad, "age": 54},
        ],
    )
    receipt = await receive(hotline, body)
    assert receipt["flags"] == [
        "minor_involved",
        "id_number_invalid",
        "unknown_category",
        "region_needs_county",
    ]
    assert receipt["routed_to"] == "triage"
    detail = await detail_of(hotline, "GD-Q-ALL")
    assert detail["work_order"]["content"] == body["content"]
    assert [s["id_number"] for s in detail["work_order"]["subjects"]] == [child, bad]
    await assert_not_on_the_bus(intake_db, receipt["intake_id"], child, bad)
    supplement = {
        "event_id": "EV-Q-ALL",
        "type": "supplement",
        "content": f"补充：母亲身份证号{id_born(born_years_ago(38), '789')}。",
        "subjects": [{"name": "李芳", "id_number": id_born(born_years_ago(38), "789")}],
    }
    assert (await hotline.post_event("GD-Q-ALL", supplement)).status_code == 202
    await assert_not_on_the_bus(
        intake_db, receipt["intake_id"], child, bad, id_born(born_years_ago(38), "789")
    )
    added = await detail_of(hotline, "GD-Q-ALL")
    assert added["subjects"][-1]["id_number"] == id_born(born_years_ago(38), "789")
    assert added["supplements"][0]["content"] == supplement["content"]
