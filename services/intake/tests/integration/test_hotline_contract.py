"""The 12345 integration contract on the real database: every status code, header rule, the loop closing."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio

from hotline_client import DEV_SECRET, HotlineClient, signed_headers, work_order
from infra import Database
from intake.bootstrap import bootstrap
from intake.entrypoints.api.app import create_app
from intake.entrypoints.api.signature import sign
from intake.entrypoints.consumer import SUBSCRIPTION
from intake.settings import IntakeSettings
from records import record_of
from shared.contracts import child_protection as cp
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1
from shared.db import make_engine, make_session_factory
from shared.kit.worker import consumer_loop
from shared.messaging.outbox import make_event

pytestmark = pytest.mark.integration

WORK_ORDERS = "/api/v1/hotline/work-orders"
PROBLEM = "application/problem+json"
LIMIT = 1024 * 1024
HEADER_NAMES = ("X-Hotline-Key-Id", "X-Hotline-Timestamp", "X-Hotline-Nonce", "X-Hotline-Signature")

Deliver = Callable[[CloudEvent], Awaitable[None]]


# ---------------------------------------------------------------- helpers


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with the expected status and a non-empty detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert isinstance(body["title"], str) and body["title"]
    return body


async def counts(db: Database) -> tuple[object, object, object]:
    return (
        await db.fetchval("SELECT count(*) FROM work_order"),
        await db.fetchval("SELECT count(*) FROM work_order_history"),
        await db.fetchval("SELECT count(*) FROM outbox_message"),
    )


async def post_raw(
    http: httpx.AsyncClient,
    raw: bytes,
    *,
    path: str = WORK_ORDERS,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {**signed_headers(raw), **(headers or {})}
    if content_type is not None:
        sent["Content-Type"] = content_type
    return await http.post(path, content=raw, headers=sent)


def padded(order_no: str, size: int) -> bytes:
    """A valid work order padded with JSON whitespace to exactly `size` bytes."""
    raw = orjson.dumps(work_order(order_no))
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


async def outbox_of(db: Database, work_order_id: str) -> list[str]:
    """`type|status|causationid` of a work order's outbox rows, in order."""
    rows = await db.fetchcol(
        "SELECT type || '|' || (payload->>'status') || '|' || coalesce(headers->>'ce_causationid', '')"
        " FROM outbox_message WHERE key = $1 ORDER BY id",
        work_order_id,
    )
    return [str(r).removeprefix("intake.work_order.") for r in rows]


async def receive(hotline: HotlineClient, order_no: str, **overrides: Any) -> dict[str, Any]:
    response = await hotline.post_work_order(work_order(order_no, **overrides))
    assert response.status_code == 202, response.text
    receipt: dict[str, Any] = response.json()
    return receipt


async def detail_of(hotline: HotlineClient, order_no: str) -> dict[str, Any]:
    response = await hotline.get_work_order(order_no)
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


@pytest_asyncio.fixture
async def deliver(intake_db: Database) -> AsyncIterator[Deliver]:
    """Hand a case event to the intake worker's own consumer loop (routes, bus, inbox, one transaction)."""
    engine = make_engine(intake_db.url)
    consumer = consumer_loop(bootstrap(IntakeSettings(), make_session_factory(engine)), SUBSCRIPTION)
    offsets = iter(range(1_000_000))

    async def _deliver(event: CloudEvent) -> None:
        await consumer.process(record_of(event, CHILD_PROTECTION_CASE_V1, next(offsets)))

    yield _deliver
    await engine.dispose()


def case_event(
    contract: type[cp.CaseEvent], work_order_id: str, *, case_ref: str = "CP-500154-2026-0001", **extra: Any
) -> CloudEvent:
    case_id = uuid.uuid5(uuid.NAMESPACE_URL, case_ref)
    data = contract(
        case_id=case_id,
        case_ref=case_ref,
        region_code="500154",
        occurred_at=datetime.now(UTC),
        work_order_id=uuid.UUID(work_order_id),
        **extra,
    )
    return make_event(data, source="/services/child_protection", subject=str(case_id))


async def replied(hotline: HotlineClient, deliver: Deliver, order_no: str) -> dict[str, Any]:
    """A work order the child-protection service accepted and closed with feedback."""
    receipt = await receive(hotline, order_no)
    await deliver(case_event(cp.CaseAccepted, receipt["intake_id"]))
    await deliver(
        case_event(cp.CaseClosed, receipt["intake_id"], feedback="已落实临时照料，孩子由祖母监护。")
    )
    assert (await detail_of(hotline, order_no))["status"] == "replied"
    return receipt


# ---------------------------------------------------------------- POST work-orders: receipt, repeat, conflict


async def test_first_receipt_is_202_with_the_receipt_body(
    hotline: HotlineClient, intake_db: Database
) -> None:
    response = await hotline.post_work_order(work_order("GD-C-202"))
    assert response.status_code == 202, response.text
    assert response.headers["content-type"].startswith("application/json")
    receipt = response.json()
    assert set(receipt) == {"intake_id", "order_no", "status", "routed_to", "region_code", "flags"}
    assert str(uuid.UUID(receipt["intake_id"])) == receipt["intake_id"]
    assert receipt["order_no"] == "GD-C-202"
    assert receipt["status"] == "received"
    assert receipt["routed_to"] == "child_protection"
    assert receipt["region_code"] == "500154"
    assert receipt["flags"] == ["minor_involved"]
    assert await counts(intake_db) == (1, 2, 2)
    assert await outbox_of(intake_db, receipt["intake_id"]) == ["received|received|", "routed|routed|"]


@pytest.mark.parametrize(
    ("region", "routed_to", "responsible", "flags"),
    [
        ("500154003", "child_protection", "500154", ["minor_involved"]),
        ("500154003004", "child_protection", "500154", ["minor_involved"]),
        ("500100", "triage", "500100", ["minor_involved", "region_needs_county"]),
        ("500000", "triage", "500000", ["minor_involved", "region_needs_county"]),
    ],
)
async def test_region_decides_the_responsible_county(
    hotline: HotlineClient, region: str, routed_to: str, responsible: str, flags: list[str]
) -> None:
    receipt = await receive(hotline, f"GD-C-R{region}", region_code=region)
    assert (receipt["routed_to"], receipt["region_code"], receipt["flags"]) == (routed_to, responsible, flags)
    detail = await detail_of(hotline, f"GD-C-R{region}")
    assert detail["region_code"] == region
    assert detail["responsible_region"] == (None if routed_to == "triage" else responsible)
    assert detail["status"] == ("triage" if routed_to == "triage" else "routed")


async def test_identical_repeat_is_200_with_the_same_body_and_nothing_new(
    hotline: HotlineClient, intake_db: Database
) -> None:
    body = work_order("GD-C-REPEAT")
    first = await hotline.post_work_order(body)
    assert first.status_code == 202
    before = await counts(intake_db)
    again = await hotline.post_work_order(body)
    assert again.status_code == 200
    assert again.headers["content-type"].startswith("application/json")
    assert again.json() == first.json()
    # Key order and whitespace do not make a body different.
    reordered = (
        b"{\n  " + b",\n  ".join(orjson.dumps({k: v})[1:-1] for k, v in reversed(body.items())) + b"\n}"
    )
    assert orjson.loads(reordered) == body
    third = await hotline.post_work_order(reordered)
    assert third.status_code == 200 and third.json() == first.json()
    assert await counts(intake_db) == before == (1, 2, 2)


@pytest.mark.parametrize(
    "change",
    [
        {"content": "不同的内容"},
        {"urgency": "critical"},
        {"subjects": []},
        {"caller": {"name": "王女士", "phone": "13800138001"}},
        {"deadline_at": "2026-11-30T18:00:00+08:00"},
    ],
)
async def test_same_order_no_with_a_different_body_is_409(
    hotline: HotlineClient, intake_db: Database, change: dict[str, Any]
) -> None:
    body = work_order("GD-C-409")
    assert (await hotline.post_work_order(body)).status_code == 202
    before = await counts(intake_db)
    problem = assert_problem(await hotline.post_work_order({**body, **change}), 409)
    assert "GD-C-409" in problem["detail"]
    assert await counts(intake_db) == before
    detail = await detail_of(hotline, "GD-C-409")
    assert detail["work_order"]["content"] == body["content"]
    assert detail["work_order"]["urgency"] == body["urgency"]


async def test_get_unknown_work_order_is_404(hotline: HotlineClient) -> None:
    problem = assert_problem(await hotline.get_work_order("GD-NOPE"), 404)
    assert "GD-NOPE" in problem["detail"]


# ---------------------------------------------------------------- 400, 422


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{not json",
        b'{"order_no": "GD-1",}',
        b"order_no=GD-1&content=x",
        b'{"content": "\xff\xfe bad utf-8"}',
        b'{"content": "\xed\xa0\x80"}',  # a UTF-8-encoded lone surrogate
        b'{"content": "\\ud800"}',  # an escaped lone surrogate
        b"[1e400]",
        b'{"age": NaN}',
        b"\xef\xbb\xbf{}",  # a byte-order mark
    ],
)
async def test_a_body_that_is_not_json_is_400(
    intake_http: httpx.AsyncClient, intake_db: Database, raw: bytes
) -> None:
    assert_problem(await post_raw(intake_http, raw), 400)
    assert await counts(intake_db) == (0, 0, 0)


@pytest.mark.parametrize("raw", [b"[]", b"[{}]", b'"text"', b"42", b"null", b"true"])
async def test_json_that_is_not_an_object_is_422_on_body(intake_http: httpx.AsyncClient, raw: bytes) -> None:
    problem = assert_problem(await post_raw(intake_http, raw), 422)
    assert [e["field"] for e in problem["errors"]] == ["body"]


async def test_422_lists_every_offending_field(hotline: HotlineClient, intake_db: Database) -> None:
    body = {
        "order_no": "GD 1!",
        "received_at": "2026-11-23 09:30",
        "channel": "fax",
        "category_code": "",
        "category_name": "类" * 101,
        "urgency": "extreme",
        "region_code": "50015",
        "address": "地" * 501,
        "content": "",
        "caller": {"name": "名" * 51, "phone": 13800138000, "anonymous": "maybe"},
        "subjects": [
            {
                "name": 5,
                "age": 151,
                "gender": "x",
                "id_number": 110,
                "is_minor": "perhaps",
                "description": "d" * 2001,
            },
            {"name": "甲", "age": 30, "gender": "female"},
        ],
        "deadline_at": 1795000000,
        "attachments": [{"name": "", "url": "https://12345.example/a.jpg", "sha256": "zz"}, {"url": ""}],
        "unknown_extra": {"ignored": True},
    }
    problem = assert_problem(await hotline.post_work_order(body), 422)
    fields = [e["field"] for e in problem["errors"]]
    expected = {
        "body.order_no",
        "body.received_at",
        "body.channel",
        "body.category_code",
        "body.category_name",
        "body.urgency",
        "body.region_code",
        "body.address",
        "body.content",
        "body.caller.name",
        "body.caller.phone",
        "body.caller.anonymous",
        "body.subjects.0.name",
        "body.subjects.0.age",
        "body.subjects.0.gender",
        "body.subjects.0.id_number",
        "body.subjects.0.is_minor",
        "body.subjects.0.description",
        "body.deadline_at",
        "body.attachments.0.name",
        "body.attachments.0.sha256",
        "body.attachments.1.name",
        "body.attachments.1.url",
        "body.attachments.1.sha256",
    }
    assert set(fields) == expected
    assert len(fields) == len(expected)
    assert all(e["message"] for e in problem["errors"])
    assert not any(f.startswith("body.subjects.1") or "unknown_extra" in f for f in fields)
    assert await counts(intake_db) == (0, 0, 0)


async def test_422_names_each_missing_required_field(intake_http: httpx.AsyncClient) -> None:
    problem = assert_problem(await post_raw(intake_http, b"{}"), 422)
    assert {(e["field"], e["type"]) for e in problem["errors"]} == {
        ("body.order_no", "missing"),
        ("body.received_at", "missing"),
        ("body.category_code", "missing"),
        ("body.region_code", "missing"),
        ("body.content", "missing"),
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"order_no": "G" * 65}, "body.order_no"),
        ({"order_no": "GD-1\n"}, "body.order_no"),
        ({"order_no": "工单-1"}, "body.order_no"),
        ({"order_no": ""}, "body.order_no"),
        ({"content": "字" * 20001}, "body.content"),
        ({"category_code": "C" * 33}, "body.category_code"),
        ({"region_code": "500154\n"}, "body.region_code"),
        ({"region_code": "５００１５４"}, "body.region_code"),
        ({"region_code": "5001540"}, "body.region_code"),
        ({"region_code": 500154}, "body.region_code"),
        ({"received_at": "2026-11-23T09:30:00"}, "body.received_at"),
        ({"received_at": "2026-11-23"}, "body.received_at"),
        ({"received_at": "0001-01-01T00:00:00+23:59"}, "body.received_at"),
        ({"received_at": "9999-12-31T23:59:59-23:59"}, "body.received_at"),
        ({"deadline_at": "0001-01-01T00:00:00+00:01"}, "body.deadline_at"),
        ({"subjects": [{"age": -1}]}, "body.subjects.0.age"),
        ({"subjects": [{"age": 7.5}]}, "body.subjects.0.age"),
        ({"subjects": [{}] * 21}, "body.subjects"),
        ({"subjects": {"name": "x"}}, "body.subjects"),
        ({"caller": "王女士"}, "body.caller"),
        ({"caller": {"phone": "1" * 33}}, "body.caller.phone"),
        ({"attachments": [{"name": "a", "url": "u", "sha256": "a" * 64}] * 11}, "body.attachments"),
        ({"content": "有\x00空字符"}, "body.content"),
        ({"subjects": [{"name": "小\x00明"}]}, "body.subjects.0.name"),
    ],
)
async def test_each_rule_violation_is_422_on_its_field(
    hotline: HotlineClient, intake_db: Database, change: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await hotline.post_work_order({**work_order("GD-C-422"), **change}), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert await counts(intake_db) == (0, 0, 0)


async def test_unstorable_strings_are_listed_with_the_schema_errors(hotline: HotlineClient) -> None:
    body = work_order("GD-C-NUL", content="有\x00空字符", urgency="extreme", address="地址\x00")
    problem = assert_problem(await hotline.post_work_order(body), 422)
    assert {e["field"] for e in problem["errors"]} == {"body.content", "body.address", "body.urgency"}


async def test_every_limit_exactly_at_its_boundary_is_accepted(hotline: HotlineClient) -> None:
    order_no = "A-z_0" + "9" * 59
    body = work_order(
        order_no,
        received_at="2026-11-23T01:30:00.123456Z",
        channel="wechat",
        category_code="C" * 32,
        category_name="类" * 100,
        urgency="critical",
        region_code="500154001001",
        address="地" * 500,
        content="字" * 20000,
        caller={"name": "名" * 50, "phone": "1" * 32, "anonymous": True},
        subjects=[
            {"name": "名" * 50, "age": 150 if i % 2 else 0, "description": "d" * 2000} for i in range(20)
        ],
        deadline_at="2026-11-30T18:00:00-05:00",
        attachments=[
            {"name": f"照片{i}.jpg", "url": "https://12345.example/x", "sha256": "aB" * 32} for i in range(10)
        ],
    )
    receipt = await receive(hotline, order_no, **{k: v for k, v in body.items() if k != "order_no"})
    assert receipt["routed_to"] == "triage" and "unknown_category" in receipt["flags"]
    detail = await detail_of(hotline, order_no)
    assert detail["work_order"]["content"] == body["content"]
    assert len(detail["subjects"]) == 20 and len(detail["work_order"]["attachments"]) == 10


async def test_defaults_apply_and_unknown_fields_are_ignored(hotline: HotlineClient) -> None:
    body = {
        "order_no": "GD-C-MIN",
        "received_at": "2026-11-23T09:30:00+08:00",
        "category_code": "MZ-SA-01",
        "region_code": "500154",
        "content": "咨询低保申请条件。",
        "x_vendor_field": {"nested": [1, 2, 3]},
    }
    response = await hotline.post_work_order(body)
    assert response.status_code == 202, response.text
    receipt = response.json()
    assert (receipt["routed_to"], receipt["flags"]) == ("assistance", [])
    detail = await detail_of(hotline, "GD-C-MIN")
    stored = detail["work_order"]
    assert (stored["channel"], stored["urgency"], stored["subjects"], stored["attachments"]) == (
        "phone",
        "normal",
        [],
        [],
    )
    assert stored["caller"] is None and stored["deadline_at"] is None
    assert "x_vendor_field" not in stored
    assert detail["status"] == "routed"
    # Adding only an unknown field does not make the body different.
    again = await hotline.post_work_order({**body, "x_vendor_field": "changed", "another": 1})
    assert again.status_code == 200 and again.json() == receipt


# ---------------------------------------------------------------- 413, 415


async def test_a_body_over_1_mib_by_content_length_is_413(
    intake_http: httpx.AsyncClient, intake_db: Database
) -> None:
    raw = padded("GD-C-413", LIMIT + 1)
    response = await post_raw(intake_http, raw)
    assert response.request.headers["content-length"] == str(LIMIT + 1)
    assert_problem(response, 413)
    assert await counts(intake_db) == (0, 0, 0)


async def test_a_streamed_body_over_1_mib_without_content_length_is_413(
    intake_http: httpx.AsyncClient, intake_db: Database
) -> None:
    raw = padded("GD-C-413S", 2 * LIMIT)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(raw), 64 * 1024):
            yield raw[start : start + 64 * 1024]

    headers = {"Content-Type": "application/json", **signed_headers(raw)}
    response = await intake_http.post(WORK_ORDERS, content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)
    assert await counts(intake_db) == (0, 0, 0)


async def test_a_body_of_exactly_1_mib_is_accepted_with_or_without_content_length(
    intake_http: httpx.AsyncClient, hotline: HotlineClient
) -> None:
    raw = padded("GD-C-1MIB", LIMIT)
    assert (await post_raw(intake_http, raw)).status_code == 202

    streamed = padded("GD-C-1MIB-S", LIMIT)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(streamed), 100_000):
            yield streamed[start : start + 100_000]

    headers = {"Content-Type": "application/json", **signed_headers(streamed)}
    response = await intake_http.post(WORK_ORDERS, content=chunks(), headers=headers)
    assert "content-length" not in response.request.headers
    assert response.status_code == 202, response.text
    assert (await detail_of(hotline, "GD-C-1MIB-S"))["status"] == "routed"


async def test_the_events_endpoint_refuses_over_1_mib_too(
    intake_http: httpx.AsyncClient, hotline: HotlineClient
) -> None:
    await receive(hotline, "GD-C-413E")
    raw = orjson.dumps({"event_id": "EV-BIG", "type": "supplement", "content": "补充"})
    raw += b" " * (LIMIT + 1 - len(raw))
    assert_problem(await post_raw(intake_http, raw, path=f"{WORK_ORDERS}/GD-C-413E/events"), 413)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/jsonp",
        "application/json-patch+json",
        "application/problem+json",
        "application/xml",
        "",
    ],
)
async def test_wrong_content_type_is_415(
    intake_http: httpx.AsyncClient, intake_db: Database, content_type: str | None
) -> None:
    raw = orjson.dumps(work_order("GD-C-415"))
    assert_problem(await post_raw(intake_http, raw, content_type=content_type), 415)
    assert await counts(intake_db) == (0, 0, 0)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "Application/JSON", "application/json ;charset=UTF-8"]
)
async def test_json_content_type_with_parameters_is_accepted(
    intake_http: httpx.AsyncClient, content_type: str
) -> None:
    raw = orjson.dumps(work_order(f"GD-C-CT-{len(content_type)}"))
    assert (await post_raw(intake_http, raw, content_type=content_type)).status_code == 202


async def test_the_events_endpoint_checks_content_type_too(
    intake_http: httpx.AsyncClient, hotline: HotlineClient
) -> None:
    await receive(hotline, "GD-C-415E")
    raw = orjson.dumps({"event_id": "EV-CT", "type": "urge"})
    path = f"{WORK_ORDERS}/GD-C-415E/events"
    assert_problem(await post_raw(intake_http, raw, path=path, content_type="text/plain"), 415)
    assert_problem(await post_raw(intake_http, b"{oops", path=path), 400)


# ---------------------------------------------------------------- 401


@pytest.mark.parametrize("missing", HEADER_NAMES)
async def test_each_missing_signature_header_is_401_naming_it(
    intake_http: httpx.AsyncClient, intake_db: Database, missing: str
) -> None:
    raw = orjson.dumps(work_order("GD-C-401"))
    headers = {"Content-Type": "application/json", **signed_headers(raw)}
    del headers[missing]
    problem = assert_problem(await intake_http.post(WORK_ORDERS, content=raw, headers=headers), 401)
    assert missing in problem["detail"]
    assert await counts(intake_db) == (0, 0, 0)


async def test_no_signature_at_all_is_401_on_every_endpoint(
    intake_http: httpx.AsyncClient, hotline: HotlineClient
) -> None:
    await receive(hotline, "GD-C-401A")
    raw = orjson.dumps({"event_id": "EV-401", "type": "urge"})
    json_type = {"Content-Type": "application/json"}
    assert_problem(await intake_http.post(WORK_ORDERS, content=raw, headers=json_type), 401)
    assert_problem(
        await intake_http.post(f"{WORK_ORDERS}/GD-C-401A/events", content=raw, headers=json_type), 401
    )
    assert_problem(await intake_http.get(f"{WORK_ORDERS}/GD-C-401A"), 401)
    assert (await detail_of(hotline, "GD-C-401A"))["urge_count"] == 0


def _refused_headers(case: str, raw: bytes) -> dict[str, str]:
    now = int(time.time())
    headers = signed_headers(raw)
    if case == "wrong secret":
        headers = signed_headers(raw, secret="not-the-secret")
    elif case == "signature of another body":
        ts, nonce = headers["X-Hotline-Timestamp"], headers["X-Hotline-Nonce"]
        headers["X-Hotline-Signature"] = sign(DEV_SECRET, ts, nonce, raw + b" ")
    elif case == "upper-case signature":
        headers["X-Hotline-Signature"] = headers["X-Hotline-Signature"].upper()
    elif case == "unknown key id":
        headers = signed_headers(raw, key_id="city-x", secret="city-x-secret")
    elif case == "unknown key id with the dev secret":
        headers = signed_headers(raw, key_id="DEV-12345", secret=DEV_SECRET)
    elif case == "stale timestamp":
        headers = signed_headers(raw, timestamp=now - 301)
    elif case == "stale by an hour":
        headers = signed_headers(raw, timestamp=now - 3600)
    elif case == "future timestamp":
        headers = signed_headers(raw, timestamp=now + 302)
    elif case == "timestamp in milliseconds":
        headers = signed_headers(raw, timestamp=now * 1000)
    elif case == "non-numeric timestamp":
        headers["X-Hotline-Timestamp"] = "yesterday"
    elif case == "nonce too short":
        headers = signed_headers(raw, nonce="a" * 15)
    elif case == "nonce too long":
        headers = signed_headers(raw, nonce="a" * 65)
    elif case == "nonce with a space":
        headers = signed_headers(raw, nonce="nonce with a space!!")
    else:
        raise AssertionError(case)
    return headers


@pytest.mark.parametrize(
    ("case", "named"),
    [
        ("wrong secret", "X-Hotline-Signature"),
        ("signature of another body", "X-Hotline-Signature"),
        ("upper-case signature", "X-Hotline-Signature"),
        ("unknown key id", "X-Hotline-Key-Id"),
        ("unknown key id with the dev secret", "X-Hotline-Key-Id"),
        ("stale timestamp", "X-Hotline-Timestamp"),
        ("stale by an hour", "X-Hotline-Timestamp"),
        ("future timestamp", "X-Hotline-Timestamp"),
        ("timestamp in milliseconds", "X-Hotline-Timestamp"),
        ("non-numeric timestamp", "X-Hotline-Timestamp"),
        ("nonce too short", "X-Hotline-Nonce"),
        ("nonce too long", "X-Hotline-Nonce"),
        ("nonce with a space", "X-Hotline-Nonce"),
    ],
)
async def test_bad_signatures_are_401_saying_which(
    intake_http: httpx.AsyncClient, intake_db: Database, case: str, named: str
) -> None:
    raw = orjson.dumps(work_order("GD-C-401B"))
    headers = {"Content-Type": "application/json", **_refused_headers(case, raw)}
    problem = assert_problem(await intake_http.post(WORK_ORDERS, content=raw, headers=headers), 401)
    assert named in problem["detail"]
    assert await counts(intake_db) == (0, 0, 0)
    # The same body, properly signed, is then accepted: nothing was half-done.
    assert (await post_raw(intake_http, raw)).status_code == 202


@pytest.mark.parametrize("offset", [-295, 295])
async def test_timestamps_inside_the_window_are_accepted(intake_http: httpx.AsyncClient, offset: int) -> None:
    raw = orjson.dumps(work_order(f"GD-C-TS{offset}"))
    headers = {"Content-Type": "application/json", **signed_headers(raw, timestamp=int(time.time()) + offset)}
    assert (await intake_http.post(WORK_ORDERS, content=raw, headers=headers)).status_code == 202


async def test_a_replayed_nonce_is_401(intake_http: httpx.AsyncClient, intake_db: Database) -> None:
    nonce = "replay-" + uuid.uuid4().hex
    first = orjson.dumps(work_order("GD-C-NONCE-1"))
    headers = {"Content-Type": "application/json", **signed_headers(first, nonce=nonce)}
    assert (await intake_http.post(WORK_ORDERS, content=first, headers=headers)).status_code == 202

    # The very same signed request again: a replay, refused (not answered as an idempotent repeat).
    problem = assert_problem(await intake_http.post(WORK_ORDERS, content=first, headers=headers), 401)
    assert "X-Hotline-Nonce" in problem["detail"]

    # A fresh, correctly signed request that reuses the nonce is refused too, on any endpoint.
    second = orjson.dumps(work_order("GD-C-NONCE-2"))
    again = {"Content-Type": "application/json", **signed_headers(second, nonce=nonce)}
    assert (
        "X-Hotline-Nonce"
        in assert_problem(await intake_http.post(WORK_ORDERS, content=second, headers=again), 401)["detail"]
    )
    get = await intake_http.get(f"{WORK_ORDERS}/GD-C-NONCE-1", headers=signed_headers(b"", nonce=nonce))
    assert_problem(get, 401)
    assert await counts(intake_db) == (1, 2, 2)


async def test_a_nonce_is_not_used_up_by_a_call_that_failed_the_signature_check(
    intake_http: httpx.AsyncClient,
) -> None:
    nonce = "unburnt-" + uuid.uuid4().hex
    raw = orjson.dumps(work_order("GD-C-NONCE-3"))
    forged = {"Content-Type": "application/json", **signed_headers(raw, nonce=nonce, secret="forged")}
    assert_problem(await intake_http.post(WORK_ORDERS, content=raw, headers=forged), 401)
    good = {"Content-Type": "application/json", **signed_headers(raw, nonce=nonce)}
    assert (await intake_http.post(WORK_ORDERS, content=raw, headers=good)).status_code == 202


# ---------------------------------------------------------------- POST events


async def test_supplement_is_202_and_read_back(hotline: HotlineClient, intake_db: Database) -> None:
    receipt = await receive(hotline, "GD-C-SUP")
    event = {
        "event_id": "EV-SUP-1",
        "type": "supplement",
        "content": "补充：孩子的妹妹（约6岁）也无人照看。",
        "subjects": [{"name": "小红", "gender": "female", "age": 6}],
    }
    response = await hotline.post_event("GD-C-SUP", event)
    assert response.status_code == 202, response.text
    assert response.json() == {
        "event_id": "EV-SUP-1",
        "order_no": "GD-C-SUP",
        "type": "supplement",
        "status": "routed",
    }
    detail = await detail_of(hotline, "GD-C-SUP")
    assert [s["name"] for s in detail["subjects"]] == ["小明", "小红"]
    assert [(s["event_id"], s["content"], s["subject_count"]) for s in detail["supplements"]] == [
        ("EV-SUP-1", event["content"], 1)
    ]
    assert detail["history"][-1]["action"] == "supplemented"
    assert (await outbox_of(intake_db, receipt["intake_id"]))[-1] == "supplemented|routed|"


async def test_urge_is_202_and_counted(hotline: HotlineClient, intake_db: Database) -> None:
    receipt = await receive(hotline, "GD-C-URGE")
    for n in (1, 2):
        response = await hotline.post_event(
            "GD-C-URGE", {"event_id": f"EV-URGE-{n}", "type": "urge", "note": "请尽快"}
        )
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "routed"
    detail = await detail_of(hotline, "GD-C-URGE")
    assert detail["urge_count"] == 2
    assert [h["action"] for h in detail["history"]] == ["received", "routed", "urged", "urged"]
    assert (await outbox_of(intake_db, receipt["intake_id"]))[-2:] == ["urged|routed|", "urged|routed|"]


async def test_revoke_is_202_and_then_urge_supplement_and_revoke_are_409(
    hotline: HotlineClient, intake_db: Database
) -> None:
    receipt = await receive(hotline, "GD-C-REV")
    response = await hotline.post_event(
        "GD-C-REV", {"event_id": "EV-REV-1", "type": "revoke", "reason": "来电人撤单"}
    )
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "revoked"
    before = await counts(intake_db)
    for later in (
        {"event_id": "EV-REV-2", "type": "urge"},
        {"event_id": "EV-REV-3", "type": "supplement", "content": "补充"},
        {"event_id": "EV-REV-4", "type": "revoke", "reason": "再次撤单"},
        {"event_id": "EV-REV-5", "type": "satisfaction", "score": 5},
    ):
        assert_problem(await hotline.post_event("GD-C-REV", later), 409)
    assert await counts(intake_db) == before
    detail = await detail_of(hotline, "GD-C-REV")
    assert detail["status"] == "revoked" and detail["urge_count"] == 0
    assert (await outbox_of(intake_db, receipt["intake_id"]))[-1] == "revoked|revoked|"


async def test_satisfaction_before_the_reply_is_409(hotline: HotlineClient) -> None:
    await receive(hotline, "GD-C-SAT0")
    assert_problem(
        await hotline.post_event("GD-C-SAT0", {"event_id": "EV-SAT0", "type": "satisfaction", "score": 5}),
        409,
    )
    assert (await detail_of(hotline, "GD-C-SAT0"))["status"] == "routed"


async def test_low_satisfaction_after_the_reply_reopens(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    receipt = await replied(hotline, deliver, "GD-C-SAT2")
    event = {"event_id": "EV-SAT2", "type": "satisfaction", "score": 2, "comment": "问题没有解决"}
    response = await hotline.post_event("GD-C-SAT2", event)
    assert response.status_code == 202, response.text
    assert response.json() == {
        "event_id": "EV-SAT2",
        "order_no": "GD-C-SAT2",
        "type": "satisfaction",
        "status": "reopened",
    }
    detail = await detail_of(hotline, "GD-C-SAT2")
    assert detail["status"] == "reopened"
    assert [h["action"] for h in detail["history"]][-2:] == ["satisfaction_recorded", "reopened"]
    assert (await outbox_of(intake_db, receipt["intake_id"]))[-2:] == [
        "satisfaction_recorded|replied|",
        "reopened|reopened|",
    ]


async def test_good_satisfaction_after_the_reply_closes(hotline: HotlineClient, deliver: Deliver) -> None:
    await replied(hotline, deliver, "GD-C-SAT4")
    response = await hotline.post_event(
        "GD-C-SAT4", {"event_id": "EV-SAT4", "type": "satisfaction", "score": 4}
    )
    assert response.status_code == 202 and response.json()["status"] == "closed"
    assert (await detail_of(hotline, "GD-C-SAT4"))["status"] == "closed"
    assert_problem(await hotline.post_event("GD-C-SAT4", {"event_id": "EV-SAT4-U", "type": "urge"}), 409)


@pytest.mark.parametrize(
    "event",
    [
        {"event_id": "EV-IDEM", "type": "urge", "note": "请尽快"},
        {"event_id": "EV-IDEM", "type": "supplement", "content": "补充说明"},
        {"event_id": "EV-IDEM", "type": "revoke", "reason": "撤单"},
    ],
)
async def test_events_are_idempotent_on_event_id(
    hotline: HotlineClient, intake_db: Database, event: dict[str, Any]
) -> None:
    await receive(hotline, "GD-C-IDEM")
    await receive(hotline, "GD-C-IDEM2")
    first = await hotline.post_event("GD-C-IDEM", event)
    assert first.status_code == 202, first.text
    before = await counts(intake_db)
    again = await hotline.post_event("GD-C-IDEM", event)
    assert again.status_code == 200 and again.json() == first.json()
    assert await counts(intake_db) == before
    changed = {**event, "note": "不同", "content": "不同", "reason": "不同"}
    assert "EV-IDEM" in assert_problem(await hotline.post_event("GD-C-IDEM", changed), 409)["detail"]
    # The same event id on another work order is a different body too.
    assert_problem(await hotline.post_event("GD-C-IDEM2", event), 409)
    assert await counts(intake_db) == before
    assert (await detail_of(hotline, "GD-C-IDEM2"))["history"][-1]["action"] == "routed"


async def test_satisfaction_repeat_is_200_with_the_first_receipt(
    hotline: HotlineClient, deliver: Deliver
) -> None:
    await replied(hotline, deliver, "GD-C-SATR")
    event = {"event_id": "EV-SATR", "type": "satisfaction", "score": 1, "comment": "不满意"}
    first = await hotline.post_event("GD-C-SATR", event)
    assert first.status_code == 202
    again = await hotline.post_event("GD-C-SATR", event)
    assert again.status_code == 200 and again.json() == first.json()
    assert_problem(await hotline.post_event("GD-C-SATR", {**event, "score": 5}), 409)
    detail = await detail_of(hotline, "GD-C-SATR")
    assert [h["action"] for h in detail["history"]].count("satisfaction_recorded") == 1


async def test_event_for_an_unknown_order_no_is_404(hotline: HotlineClient, intake_db: Database) -> None:
    problem = assert_problem(
        await hotline.post_event("GD-C-GHOST", {"event_id": "EV-GHOST", "type": "urge"}), 404
    )
    assert "GD-C-GHOST" in problem["detail"]
    assert await intake_db.fetchval("SELECT count(*) FROM hotline_event") == 0


@pytest.mark.parametrize(
    ("event", "fields"),
    [
        ({"type": "urge"}, {"body.event_id"}),
        ({"event_id": "EV-V", "type": "escalate"}, {"body.type"}),
        ({"event_id": "EV V", "type": "urge"}, {"body.event_id"}),
        ({"event_id": "EV-V", "type": "revoke"}, {"body"}),
        ({"event_id": "EV-V", "type": "supplement"}, {"body"}),
        ({"event_id": "EV-V", "type": "satisfaction"}, {"body"}),
        ({"event_id": "EV-V", "type": "satisfaction", "score": 6}, {"body.score"}),
        ({"event_id": "EV-V", "type": "satisfaction", "score": 0}, {"body.score"}),
        ({"event_id": "EV-V", "type": "satisfaction", "score": "five"}, {"body.score"}),
        ({"event_id": "EV-V", "type": "urge", "occurred_at": "now"}, {"body.occurred_at"}),
        ({"event_id": "EV-V", "type": "supplement", "subjects": [{"age": 200}]}, {"body.subjects.0.age"}),
    ],
)
async def test_invalid_events_are_422(
    hotline: HotlineClient, event: dict[str, Any], fields: set[str]
) -> None:
    await receive(hotline, "GD-C-EV422")
    problem = assert_problem(await hotline.post_event("GD-C-EV422", event), 422)
    assert {e["field"] for e in problem["errors"]} == fields
    assert (await detail_of(hotline, "GD-C-EV422"))["history"][-1]["action"] == "routed"


# ---------------------------------------------------------------- closing the loop


async def test_case_accepted_moves_the_order_to_accepted_with_a_case_ref(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    receipt = await receive(hotline, "GD-C-ACC")
    accepted = case_event(cp.CaseAccepted, receipt["intake_id"], case_ref="CP-500154-2026-0042")
    await deliver(accepted)
    detail = await detail_of(hotline, "GD-C-ACC")
    assert detail["status"] == "accepted"
    assert detail["case_ref"] == "child_protection/CP-500154-2026-0042"
    assert [(h["action"], h["status"], h["actor"]) for h in detail["history"]] == [
        ("received", "received", "12345"),
        ("routed", "routed", "auto"),
        ("accepted", "accepted", "child_protection"),
    ]
    assert await outbox_of(intake_db, receipt["intake_id"]) == [
        "received|received|",
        "routed|routed|",
        f"accepted|accepted|{accepted.id}",
    ]
    case_ref = await intake_db.fetchval(
        "SELECT payload->>'case_ref' FROM outbox_message WHERE type = 'intake.work_order.accepted'"
    )
    assert case_ref == "child_protection/CP-500154-2026-0042"


async def test_case_closed_with_feedback_moves_the_order_to_replied(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    receipt = await receive(hotline, "GD-C-CLO")
    accepted = case_event(cp.CaseAccepted, receipt["intake_id"])
    closed = case_event(
        cp.CaseClosed, receipt["intake_id"], feedback="经核实，已由祖母临时监护，社工每周探访。"
    )
    await deliver(accepted)
    await deliver(closed)
    detail = await detail_of(hotline, "GD-C-CLO")
    assert detail["status"] == "replied"
    assert detail["reply_text"] == "经核实，已由祖母临时监护，社工每周探访。"
    assert detail["case_ref"] == "child_protection/CP-500154-2026-0001"
    assert await outbox_of(intake_db, receipt["intake_id"]) == [
        "received|received|",
        "routed|routed|",
        f"accepted|accepted|{accepted.id}",
        f"replied|replied|{closed.id}",
    ]
    reply = await intake_db.fetchval(
        "SELECT payload->>'reply_text' FROM outbox_message WHERE type = 'intake.work_order.replied'"
    )
    assert reply == "经核实，已由祖母临时监护，社工每周探访。"


async def test_case_closed_without_acceptance_still_replies(hotline: HotlineClient, deliver: Deliver) -> None:
    receipt = await receive(hotline, "GD-C-CLO2")
    await deliver(case_event(cp.CaseClosed, receipt["intake_id"], case_ref="CP-9", feedback="已处置。"))
    detail = await detail_of(hotline, "GD-C-CLO2")
    assert (detail["status"], detail["case_ref"], detail["reply_text"]) == (
        "replied",
        "child_protection/CP-9",
        "已处置。",
    )


async def test_case_declined_sends_the_order_back_to_triage(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    receipt = await receive(hotline, "GD-C-DEC")
    declined = case_event(
        cp.CaseDeclined, receipt["intake_id"], reason="不属于未成年人保护职责，建议转社会救助"
    )
    await deliver(declined)
    detail = await detail_of(hotline, "GD-C-DEC")
    assert (detail["status"], detail["routed_to"]) == ("triage", "triage")
    assert detail["history"][-1]["action"] == "declined"
    assert (await outbox_of(intake_db, receipt["intake_id"]))[-1] == f"triage_required|triage|{declined.id}"


async def test_case_events_after_revoke_change_nothing(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    receipt = await receive(hotline, "GD-C-LATE")
    assert (
        await hotline.post_event("GD-C-LATE", {"event_id": "EV-LATE", "type": "revoke", "reason": "撤单"})
    ).status_code == 202
    before_detail = await detail_of(hotline, "GD-C-LATE")
    before = await counts(intake_db)
    await deliver(case_event(cp.CaseAccepted, receipt["intake_id"]))
    await deliver(case_event(cp.CaseClosed, receipt["intake_id"], feedback="已办结"))
    await deliver(case_event(cp.CaseDeclined, receipt["intake_id"], reason="退回"))
    await deliver(case_event(cp.CaseReopened, receipt["intake_id"], reason="重启"))
    assert await counts(intake_db) == before
    after_detail = await detail_of(hotline, "GD-C-LATE")
    assert after_detail == before_detail
    assert (after_detail["status"], after_detail["case_ref"], after_detail["reply_text"]) == (
        "revoked",
        None,
        None,
    )


async def test_case_events_for_unknown_or_no_work_order_are_ignored(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    await receive(hotline, "GD-C-KNOWN")
    before = await counts(intake_db)
    await deliver(case_event(cp.CaseAccepted, str(uuid.uuid4())))
    await deliver(case_event(cp.CaseClosed, str(uuid.uuid4()), feedback="无关"))
    # A case not opened from 12345 has no work order id at all.
    own = cp.CaseAccepted(
        case_id=uuid.uuid4(), case_ref="CP-OWN", region_code="500154", occurred_at=datetime.now(UTC)
    )
    await deliver(make_event(own, source="/services/child_protection", subject="x"))
    assert await counts(intake_db) == before
    assert (await detail_of(hotline, "GD-C-KNOWN"))["status"] == "routed"


async def test_a_redelivered_acceptance_adds_nothing(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    receipt = await receive(hotline, "GD-C-DUP")
    accepted = case_event(cp.CaseAccepted, receipt["intake_id"])
    await deliver(accepted)
    before = await counts(intake_db)
    await deliver(accepted)
    assert await counts(intake_db) == before
    assert (await detail_of(hotline, "GD-C-DUP"))["status"] == "accepted"


async def test_whole_loop_received_routed_accepted_replied_reopened_closed(
    hotline: HotlineClient, intake_db: Database, deliver: Deliver
) -> None:
    receipt = await replied(hotline, deliver, "GD-C-LOOP")
    low = await hotline.post_event("GD-C-LOOP", {"event_id": "EV-LOOP-1", "type": "satisfaction", "score": 1})
    assert low.json()["status"] == "reopened"
    closed_again = case_event(cp.CaseClosed, receipt["intake_id"], feedback="再次上门，已解决。")
    await deliver(closed_again)
    good = await hotline.post_event(
        "GD-C-LOOP", {"event_id": "EV-LOOP-2", "type": "satisfaction", "score": 5}
    )
    assert good.json()["status"] == "closed"
    detail = await detail_of(hotline, "GD-C-LOOP")
    assert [h["status"] for h in detail["history"]] == [
        "received",
        "routed",
        "accepted",
        "replied",
        "replied",
        "reopened",
        "replied",
        "replied",
        "closed",
    ]
    assert detail["reply_text"] == "再次上门，已解决。"
    assert all(datetime.fromisoformat(h["at"]).tzinfo is not None for h in detail["history"])
    assert [r.split("|")[0] for r in await outbox_of(intake_db, receipt["intake_id"])] == [
        "received",
        "routed",
        "accepted",
        "replied",
        "satisfaction_recorded",
        "reopened",
        "replied",
        "satisfaction_recorded",
        "closed",
    ]


# ---------------------------------------------------------------- signature version 2


async def test_a_v2_signed_call_replayed_at_another_path_is_refused(hotline: HotlineClient) -> None:
    await receive(hotline, "GD-C-V2-A")
    await receive(hotline, "GD-C-V2-B")
    body = orjson.dumps({"event_id": "EV-V2-URGE-1", "type": "urge", "note": "请尽快办理"})
    signed_for_a = signed_headers(
        body, method="POST", target=f"{WORK_ORDERS}/GD-C-V2-A/events", nonce=f"v2-replay-{uuid.uuid4().hex}"
    )
    # The captured call, never delivered, is sent to another order's path: its signature does not cover it.
    at_b = await hotline.http.post(
        f"{WORK_ORDERS}/GD-C-V2-B/events",
        content=body,
        headers={"Content-Type": "application/json", **signed_for_a},
    )
    assert_problem(at_b, 401)
    assert "X-Hotline-Signature 不正确" in at_b.json()["detail"]
    as_get = await hotline.http.get(f"{WORK_ORDERS}/GD-C-V2-A", headers=signed_for_a)
    assert_problem(as_get, 401)
    at_a = await hotline.http.post(
        f"{WORK_ORDERS}/GD-C-V2-A/events",
        content=body,
        headers={"Content-Type": "application/json", **signed_for_a},
    )
    assert at_a.status_code == 202, at_a.text
    assert "deprecation" not in {k.lower() for k in at_a.headers}
    b = await detail_of(hotline, "GD-C-V2-B")
    assert b["urge_count"] == 0


async def test_v1_works_only_for_legacy_keys_and_is_marked_deprecated(
    intake_db: Database, stack: Any
) -> None:
    settings = IntakeSettings(
        database_url=intake_db.url,
        kafka_bootstrap_servers=stack.kafka.bootstrap,
        hotline_keys={"dev-12345": "dev-12345-secret", "city-2": "city-2-secret"},
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake.test") as http,
    ):
        client = HotlineClient(http)
        legacy = await client.post_work_order(work_order("GD-C-V1-LEGACY"), version=1)
        assert legacy.status_code == 202, legacy.text
        assert legacy.headers["Deprecation"] == "true"
        refused = await client.post_work_order(
            work_order("GD-C-V1-CITY"), version=1, key_id="city-2", secret="city-2-secret"
        )
        assert_problem(refused, 401)
        assert "签名版本 2" in refused.json()["detail"]
        v2 = await client.post_work_order(work_order("GD-C-V2-CITY"), key_id="city-2", secret="city-2-secret")
        assert v2.status_code == 202, v2.text
        unknown = await http.post(
            WORK_ORDERS,
            content=orjson.dumps(work_order("GD-C-V3")),
            headers={
                "Content-Type": "application/json",
                **signed_headers(orjson.dumps(work_order("GD-C-V3"))),
                "X-Hotline-Signature-Version": "3",
            },
        )
        assert_problem(unknown, 401)


async def test_calls_are_rate_limited_per_key(intake_db: Database, stack: Any) -> None:
    settings = IntakeSettings(
        database_url=intake_db.url,
        kafka_bootstrap_servers=stack.kafka.bootstrap,
        hotline_rate_limit="3/minute",
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake.test") as http,
    ):
        client = HotlineClient(http)
        answers = [(await client.post_work_order(work_order(f"GD-C-RATE-{i}"))).status_code for i in range(4)]
        limited = await client.get_work_order("GD-C-RATE-0")
    assert answers == [202, 202, 202, 429]
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1
