"""Property-based fuzzing of the 12345 endpoints: never a 5xx, always JSON, never a partial work order.

One database serves the whole module; each example checks the rows it may have written. Order numbers
and event ids are made unique per example where the strategy asks for it (the `UNIQUE` marker), and
drawn from a small pool otherwise so that repeats (200) and conflicts (409) are exercised too.
2,650 examples in all; run with `--hypothesis-show-statistics` to see how often each status code was
reached.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from hotline_client import DEV_KEY_ID, DEV_SECRET, HotlineClient, signed_headers, work_order
from infra import recreate_database
from intake.entrypoints.api.app import create_app
from intake.entrypoints.api.signature import sign
from intake.entrypoints.consumer import SUBSCRIPTION
from intake.settings import IntakeSettings
from records import record_of
from shared.contracts import child_protection as cp
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1
from shared.crypto import FieldCipher
from shared.db import upgrade_to_head
from shared.kit.worker import consumer_loop
from shared.messaging.outbox import make_event
from shared.stack.postgres import asyncpg_dsn
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
WORK_ORDERS = "/api/v1/hotline/work-orders"
UNIQUE = "\x00unique\x00"  # replaced by a fresh order number / event id before sending
STATUSES = {
    "received",
    "routed",
    "triage",
    "accepted",
    "in_progress",
    "replied",
    "closed",
    "reopened",
    "revoked",
}
_BASE = settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)
_SEQ = itertools.count(1)


def fuzz_settings(examples: int) -> settings:
    """`INTAKE_FUZZ_SCALE=10` runs ten times as many examples (for a long bug hunt)."""
    return settings(_BASE, max_examples=examples * int(os.environ.get("INTAKE_FUZZ_SCALE", "1")))


def _id(base17: str) -> str:
    """A synthetic ID number; stdnum's calc_check_digit ignores the last character, hence the "0"."""
    return base17 + ric.calc_check_digit(base17 + "0")


ID_IN_TEXT = "身份证" + _id("11010519900101123")


# ---------------------------------------------------------------- one database for the module


@dataclass
class Fuzz:
    app: FastAPI
    http: httpx.AsyncClient
    conn: asyncpg.Connection
    cipher: FieldCipher

    async def counts(self) -> tuple[int, int, int, int]:
        row = await self.conn.fetchrow(
            "SELECT (SELECT count(*) FROM work_order), (SELECT count(*) FROM work_order_history),"
            " (SELECT count(*) FROM outbox_message), (SELECT count(*) FROM hotline_event)"
        )
        assert row is not None
        return (row[0], row[1], row[2], row[3])

    async def new_order(self, *, replied: bool = False, category: str = "MZ-CP-01") -> str:
        """A fresh work order (routed, or triage for an unknown category), optionally already replied."""
        order_no = str(fresh(UNIQUE, "FZ-TARGET"))
        response = await HotlineClient(self.http).post_work_order(
            work_order(order_no, category_code=category)
        )
        assert response.status_code == 202, response.text
        if replied:
            work_order_id = uuid.UUID(response.json()["intake_id"])
            common: dict[str, Any] = {
                "case_id": uuid.uuid4(),
                "case_ref": f"CP-{order_no}",
                "region_code": "500154",
                "occurred_at": datetime.now(UTC),
                "work_order_id": work_order_id,
            }
            consumer = consumer_loop(self.app.state.runtime, SUBSCRIPTION)
            for contract in (cp.CaseAccepted(**common), cp.CaseClosed(**common, feedback="已办结。")):
                case_event = make_event(contract, source="/services/child_protection", subject="x")
                assert await consumer.process(record_of(case_event, CHILD_PROTECTION_CASE_V1)) == "handled"
        return order_no


@pytest_asyncio.fixture(scope="module")
async def fuzz(stack: Stack) -> AsyncIterator[Fuzz]:
    db = await recreate_database(stack, "intake_fuzz")
    await asyncio.to_thread(upgrade_to_head, ALEMBIC_INI, db.url)
    settings_ = IntakeSettings(database_url=db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    app = create_app(settings_)
    cipher = FieldCipher(settings_.data_key.get_secret_value())
    async with app.router.lifespan_context(app):
        # A 500 must come back as a response (and fail the property), not as a raised exception.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as http:
            conn = await asyncpg.connect(asyncpg_dsn(db.url))
            try:
                yield Fuzz(app, http, conn, cipher)
            finally:
                await conn.close()


# ---------------------------------------------------------------- checks shared by every property


def fresh(value: Any, prefix: str) -> Any:
    return f"{prefix}-{next(_SEQ)}-{uuid.uuid4().hex[:8]}" if value == UNIQUE else value


def check_response(response: httpx.Response) -> Any:
    """Never a 5xx; always JSON (2xx) or problem+json (4xx) with a detail."""
    assert response.status_code < 500, (response.status_code, response.text)
    content_type = response.headers.get("content-type", "")
    body = response.json()
    if response.status_code < 300:
        assert content_type.startswith("application/json"), content_type
    else:
        assert 400 <= response.status_code < 500, response.status_code
        assert content_type.startswith("application/problem+json"), content_type
        assert body["status"] == response.status_code
        assert isinstance(body["detail"], str) and body["detail"]
    return body


async def check_work_order_post(
    fuzz: Fuzz, response: httpx.Response, before: tuple[int, int, int, int]
) -> None:
    """202: one complete new work order (2 history rows, 2 outbox rows, readable); otherwise no new rows."""
    event(f"POST work-orders → {response.status_code}")
    body = check_response(response)
    after = await fuzz.counts()
    if response.status_code == 202:
        assert set(body) == {"intake_id", "order_no", "status", "routed_to", "region_code", "flags"}
        assert body["status"] == "received"
        row = await fuzz.conn.fetchrow(
            "SELECT (SELECT count(*) FROM work_order_history WHERE work_order_id = w.id),"
            " (SELECT count(*) FROM outbox_message WHERE key = w.id::text)"
            " FROM work_order w WHERE w.order_no = $1 AND w.id = $2",
            body["order_no"],
            uuid.UUID(body["intake_id"]),
        )
        assert row is not None and row[0] == 2 and row[1] == 2
        assert after == (before[0] + 1, before[1] + 2, before[2] + 2, before[3])
        readback = await fuzz.http.get(f"{WORK_ORDERS}/{body['order_no']}", headers=signed_headers(b""))
        detail = check_response(readback)
        assert readback.status_code == 200
        assert detail["status"] in {"routed", "triage"} and len(detail["history"]) == 2
        assert detail["intake_id"] == body["intake_id"]
    elif response.status_code == 200:
        assert set(body) == {"intake_id", "order_no", "status", "routed_to", "region_code", "flags"}
        exists = await fuzz.conn.fetchval(
            "SELECT count(*) FROM work_order WHERE id = $1", uuid.UUID(body["intake_id"])
        )
        assert exists == 1
        assert after == before
    else:
        assert after == before, (response.status_code, body)


async def version_of(fuzz: Fuzz, order_no: str) -> int | None:
    if "\x00" in order_no:  # PostgreSQL text cannot hold NUL, so no such work order exists
        return None
    version = await fuzz.conn.fetchval("SELECT version FROM work_order WHERE order_no = $1", order_no)
    assert version is None or isinstance(version, int)
    return version


def encode(value: Any, ascii_only: bool) -> bytes:
    """JSON text as a client would send it; lone surrogates become raw (invalid UTF-8) bytes."""
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


async def post_signed(
    fuzz: Fuzz, raw: bytes, path: str = WORK_ORDERS, content_type: str = "application/json"
) -> httpx.Response:
    headers = {"Content-Type": content_type, **signed_headers(raw)}
    return await fuzz.http.post(path, content=raw, headers=headers)


# ---------------------------------------------------------------- strategies: anything at all

_INTS = st.one_of(
    st.integers(),
    st.sampled_from(
        [0, -1, 1, 17, 18, 150, 151, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**30, -(10**40)]
    ),
)
_FLOATS = st.one_of(st.floats(), st.sampled_from([0.5, -0.0, 1e308, 1e-308, 8.0, 150.0, 7.999999]))
_SPECIAL_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "😀" * 3,
        "👨‍👩‍👧‍👦",
        "𠮷䶮𡒄",
        "\u202e反转",
        "\ufeffBOM",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "\\u0000",
        "${jndi:ldap://x}",
        "%00",
        "\r\n\t",
        "null",
        "字" * 20001,
        "A" * 65,
    ]
)
# Any code point, lone surrogates included (they reach the server as escapes or as invalid UTF-8).
_TEXT = st.one_of(
    st.text(max_size=40), st.text(st.characters(exclude_categories=()), max_size=20), _SPECIAL_TEXT
)
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), _INTS, _FLOATS, _TEXT),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_TEXT, children, max_size=4)),
    max_leaves=10,
)
# Well-formed JSON leaves only (no NaN, no surrogates): junk that still parses.
_PLAIN_JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**63), 2**64 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)

# ---------------------------------------------------------------- strategies: contract-shaped values


@st.composite
def rfc3339(draw: st.DrawFn) -> str:
    year = draw(
        st.one_of(
            st.integers(2000, 2030), st.integers(2000, 2030), st.integers(1, 9999), st.sampled_from([1, 9999])
        )
    )
    month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hour, minute, second = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    sep = draw(st.sampled_from(["T", "T", "t", " "]))
    fraction = draw(st.sampled_from(["", "", ".5", ".123456", ".123456789123"]))
    zone = draw(
        st.one_of(
            st.sampled_from(["Z", "z", "+00:00", "+08:00", "-05:00", "+23:59", "-23:59"]),
            st.builds(
                lambda s, h, m: f"{s}{h:02d}:{m:02d}",
                st.sampled_from("+-"),
                st.integers(0, 23),
                st.integers(0, 59),
            ),
        )
    )
    return f"{year:04d}-{month:02d}-{day:02d}{sep}{hour:02d}:{minute:02d}:{second:02d}{fraction}{zone}"


_ODD_TIMES = st.sampled_from(
    [
        "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-11-23T24:00:00Z",
        "2026-11-23T23:59:60Z",
        "2026-11-23T09:30:00+24:00",
        "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59-00:01",
        "２０２６-11-23T09:30:00Z",
        "2026-11-23T09:30:00",
        "1795000000",
    ]
)


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["500154", "110105", "440305", "000000", "999999"]))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2035, 12, 31)))
    base = f"{region}{born.year:04d}{born.month:02d}{born.day:02d}{draw(st.integers(0, 999)):03d}"
    good = _id(base)
    kind = draw(
        st.sampled_from(["valid", "valid", "wrong", "lower", "spaced", "wide", "15", "bad-date", "text"])
    )
    if kind == "valid":
        return good
    if kind == "wrong":
        return base + ("1" if good[-1] != "1" else "2")
    if kind == "lower":
        return good.lower()
    if kind == "spaced":
        return f"{good[:6]} {good[6:14]} {good[14:]}"
    if kind == "wide":
        return good.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    if kind == "15":
        return f"{region}{born.year % 100:02d}{born.month:02d}{born.day:02d}{draw(st.integers(0, 999)):03d}"
    if kind == "bad-date":
        return _id(f"{region}{draw(st.sampled_from(['00000000', '20261301', '19990230', '99991231']))}123")
    return draw(st.text(max_size=32))


_NAMES = st.one_of(
    st.text(max_size=50), st.sampled_from(["王𠮷", "䶮", "𡒄某", "Zhang Wei", "阿依古丽·买买提"])
)
_SUBJECT = st.fixed_dictionaries(
    {},
    optional={
        "name": _NAMES,
        "id_number": id_numbers(),
        "gender": st.sampled_from(["male", "female", "unknown"]),
        "age": st.integers(0, 150),
        "is_minor": st.booleans(),
        "description": st.text(max_size=100),
    },
)
_SUBJECT_FIELDS = ["name", "id_number", "gender", "age", "is_minor", "description"]
# A subject with some of its fields replaced by anything.
_BAD_SUBJECT = st.builds(
    lambda subject, junk: {**subject, **junk},
    _SUBJECT,
    st.dictionaries(st.sampled_from(_SUBJECT_FIELDS), _JSON, min_size=1, max_size=3),
)
_ATTACHMENT = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=20),
        "url": st.just("https://12345.example/file"),
        "sha256": st.from_regex(r"[0-9a-fA-F]{64}", fullmatch=True),
    }
)
_CALLER = st.fixed_dictionaries(
    {},
    optional={
        "name": _NAMES,
        "phone": st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        "anonymous": st.booleans(),
    },
)
FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "order_no": st.one_of(
        st.just(UNIQUE),
        st.just(UNIQUE),
        st.just(UNIQUE),
        st.sampled_from(["FZ-POOL-1", "FZ-POOL-2"]),
        st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
    ),
    "received_at": rfc3339(),
    "channel": st.sampled_from(["phone", "web", "app", "wechat", "sms", "other"]),
    "category_code": st.one_of(
        st.sampled_from(["MZ-CP-01", "MZ-CP-02", "MZ-SA-01", "MZ-SA-03", "MZ-VR-02", "MZ-GEN-01"]),
        st.text(min_size=1, max_size=32),
    ),
    "category_name": st.one_of(st.none(), st.text(max_size=100)),
    "urgency": st.sampled_from(["normal", "urgent", "critical"]),
    "region_code": st.one_of(
        st.sampled_from(["500154", "500100", "500000", "500154001", "500154001001"]),
        st.from_regex(r"[0-9]{6}|[0-9]{9}|[0-9]{12}", fullmatch=True),
    ),
    "address": st.one_of(st.none(), st.text(max_size=60)),
    "content": st.one_of(st.text(min_size=1, max_size=200), st.sampled_from(["𠮷䶮𡒄", ID_IN_TEXT])),
    "caller": st.one_of(st.none(), _CALLER),
    "subjects": st.lists(_SUBJECT, max_size=3),
    "deadline_at": st.one_of(st.none(), rfc3339()),
    "attachments": st.lists(_ATTACHMENT, max_size=3),
}
# What a spoiled field may become besides anything at all.
FIELD_JUNK: dict[str, st.SearchStrategy[Any]] = {
    "received_at": _ODD_TIMES,
    "deadline_at": _ODD_TIMES,
    "region_code": st.sampled_from(["５００１５４", "500154\n", "50015", "5001540", 500154]),
    "order_no": st.sampled_from(["GD 1", "工单1", "G" * 65, "GD-1\n", ""]),
    "subjects": st.one_of(
        st.lists(_BAD_SUBJECT, min_size=1, max_size=3), st.lists(_SUBJECT, min_size=21, max_size=22)
    ),
    "caller": st.builds(
        lambda caller, junk: {**caller, **junk},
        _CALLER,
        st.dictionaries(st.sampled_from(["name", "phone", "anonymous"]), _JSON, min_size=1, max_size=2),
    ),
    "attachments": st.lists(st.dictionaries(st.sampled_from(["name", "url", "sha256"]), _JSON), max_size=11),
}
REQUIRED = ("order_no", "received_at", "category_code", "region_code", "content")


@st.composite
def work_order_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """Contract-shaped bodies: all fields valid about half the time, otherwise a few dropped or spoiled."""
    body: dict[str, Any] = {}
    for field, values in FIELD_VALUES.items():
        if field in REQUIRED or draw(st.booleans()):
            body[field] = draw(values)
    if draw(st.booleans()):
        for field in draw(st.lists(st.sampled_from(list(FIELD_VALUES)), min_size=1, max_size=3, unique=True)):
            how = draw(st.sampled_from(["drop", "junk", "specific"]))
            if how == "drop":
                body.pop(field, None)
            elif how == "specific" and field in FIELD_JUNK:
                body[field] = draw(FIELD_JUNK[field])
            else:
                body[field] = draw(_JSON)
    # Unknown fields are ignored by the contract.
    body.update(draw(st.dictionaries(st.text(min_size=1, max_size=10), _PLAIN_JSON, max_size=2)))
    return body


# ---------------------------------------------------------------- properties: POST work-orders


@fuzz_settings(1000)
@given(body=work_order_bodies(), ascii_only=st.booleans())
async def test_contract_shaped_bodies(fuzz: Fuzz, body: dict[str, Any], ascii_only: bool) -> None:
    if "order_no" in body:
        body["order_no"] = fresh(body["order_no"], "FZ")
    before = await fuzz.counts()
    response = await post_signed(fuzz, encode(body, ascii_only))
    await check_work_order_post(fuzz, response, before)


@fuzz_settings(300)
@given(
    value=st.one_of(_JSON, st.dictionaries(st.sampled_from(list(FIELD_VALUES)), _JSON)),
    ascii_only=st.booleans(),
)
async def test_random_json_values(fuzz: Fuzz, value: Any, ascii_only: bool) -> None:
    before = await fuzz.counts()
    response = await post_signed(fuzz, encode(value, ascii_only))
    await check_work_order_post(fuzz, response, before)


_CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=----x",
            "application/problem+json",
            "",
            ";",
            "application/json;;;",
        ]
    ),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
)


@fuzz_settings(300)
@given(
    raw=st.one_of(
        st.binary(max_size=600),
        st.binary(min_size=1, max_size=40).map(lambda b: b'{"order_no":' + b),
        st.builds(
            lambda body, cut: body[:cut],
            st.just(json.dumps(work_order("FZ-CUT")).encode()),
            st.integers(0, 400),
        ),
    ),
    content_type=_CONTENT_TYPES,
)
async def test_random_bytes_and_content_types(fuzz: Fuzz, raw: bytes, content_type: str) -> None:
    before = await fuzz.counts()
    response = await post_signed(fuzz, raw, content_type=content_type)
    await check_work_order_post(fuzz, response, before)


_HEADER_BYTES = st.binary(max_size=80).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F))
_HEADERS = (b"x-hotline-key-id", b"x-hotline-timestamp", b"x-hotline-nonce", b"x-hotline-signature")


@st.composite
def signature_headers(draw: st.DrawFn, raw: bytes) -> list[tuple[bytes, bytes]]:
    """Signature headers: all correct, or one thing wrong, or many things wrong at once."""
    now = int(time.time())
    faults = ["key", "timestamp", "nonce", "secret", "signature", "header", "many"]
    # About a third of the calls are signed correctly, so validation and storage are reached too.
    pick = draw(st.integers(0, 3 * len(faults) // 2))
    fault = faults[pick] if pick < len(faults) else "none"
    many = fault == "many"
    key_id = DEV_KEY_ID
    if fault == "key" or (many and draw(st.booleans())):
        key_id = draw(st.sampled_from(["dev-12345 ", "DEV-12345", "other", "dev"]))
    # Hypothesis never repeats a choice sequence: the good values are drawn too, so that correctly
    # signed calls are not limited to a handful of distinct examples.
    timestamp = str(now + draw(st.integers(-250, 250)))
    if fault == "timestamp" or (many and draw(st.booleans())):
        timestamp = draw(
            st.one_of(
                st.integers(-1000, 1000).map(lambda d: str(now + d)),
                st.integers().map(str),
                st.text(max_size=15),
            )
        )
    nonce = draw(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=16, max_size=64))
    nonce = nonce[:-16] + uuid.uuid4().hex[:16]  # unique, so valid calls are not refused as replays
    if fault == "nonce" or (many and draw(st.booleans())):
        nonce = draw(
            st.one_of(
                st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=0, max_size=80),
                st.text(st.characters(max_codepoint=0xFF), max_size=80),
            )
        )
    secret = DEV_SECRET
    if fault == "secret" or (many and draw(st.booleans())):
        secret = draw(st.sampled_from(["wrong-secret", "", DEV_SECRET + " "]))
    signature = sign(secret, timestamp, nonce, raw)
    if fault == "signature" or (many and draw(st.booleans())):
        signature = draw(
            st.one_of(
                st.just(signature.upper()),
                st.just(signature[:-1]),
                st.just(sign(secret, timestamp, nonce, raw + b" ")),
                st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
                st.text(max_size=70),
            )
        )
    values = dict(zip(_HEADERS, (key_id, timestamp, nonce, signature), strict=True))
    headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
    broken = (
        set(draw(st.lists(st.sampled_from(_HEADERS), min_size=1, unique=True)))
        if fault in ("header", "many")
        else set()
    )
    for name, value in values.items():
        encoded = value.encode("utf-8", "surrogatepass")
        mode = draw(st.sampled_from(["missing", "garbled", "empty", "twice"])) if name in broken else "as is"
        if mode == "as is":
            headers.append((name, encoded))
        elif mode == "garbled":
            headers.append((name, draw(_HEADER_BYTES)))
        elif mode == "empty":
            headers.append((name, b""))
        elif mode == "twice":
            headers += [(name, draw(_HEADER_BYTES)), (name, encoded)]
    event(f"signature fault: {fault}")
    return headers


@fuzz_settings(400)
@given(data=st.data(), valid_body=st.booleans())
async def test_random_signature_headers(fuzz: Fuzz, data: st.DataObject, valid_body: bool) -> None:
    if valid_body:
        raw = encode(work_order(fresh(UNIQUE, "FZ-H")), ascii_only=data.draw(st.booleans()))
    else:
        raw = encode(data.draw(_JSON), ascii_only=data.draw(st.booleans()))
    headers = data.draw(signature_headers(raw))
    before = await fuzz.counts()
    response = await fuzz.http.post(WORK_ORDERS, content=raw, headers=headers)
    await check_work_order_post(fuzz, response, before)


# ---------------------------------------------------------------- properties: events and reads


@st.composite
def event_bodies(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["supplement", "urge", "revoke", "satisfaction"]))
    body: dict[str, Any] = {
        "event_id": draw(
            st.one_of(st.just(UNIQUE), st.just(UNIQUE), st.sampled_from(["FZ-EV-1", "FZ-EV-2"]))
        ),
        "type": kind,
    }
    if kind == "supplement":
        body["content"] = draw(st.one_of(st.text(min_size=1, max_size=100), st.just(ID_IN_TEXT)))
        body["subjects"] = draw(st.lists(_SUBJECT, max_size=2))
    elif kind == "urge":
        body["note"] = draw(st.one_of(st.none(), st.text(max_size=50)))
    elif kind == "revoke":
        body["reason"] = draw(st.text(min_size=1, max_size=50))
    else:
        body["score"] = draw(st.integers(1, 5))
        body["comment"] = draw(st.one_of(st.none(), st.text(max_size=50)))
    if draw(st.booleans()):
        body["occurred_at"] = draw(rfc3339())
    if draw(st.booleans()):
        fields = [
            "event_id",
            "type",
            "occurred_at",
            "content",
            "subjects",
            "note",
            "reason",
            "score",
            "comment",
        ]
        for field in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)):
            if draw(st.booleans()):
                body.pop(field, None)
            else:
                body[field] = draw(st.one_of(_JSON, _ODD_TIMES, st.lists(_BAD_SUBJECT, max_size=2)))
    return body


_TARGETS = st.one_of(
    st.sampled_from(["new", "new", "new replied", "new replied", "new triage", "unknown"]),
    st.text(min_size=1, max_size=20),
)


@fuzz_settings(500)
@given(event_body=event_bodies(), target=_TARGETS, ascii_only=st.booleans())
async def test_random_events(fuzz: Fuzz, event_body: dict[str, Any], target: str, ascii_only: bool) -> None:
    if target.startswith("new"):
        target = await fuzz.new_order(
            replied=target == "new replied", category="MZ-ZZ-99" if target == "new triage" else "MZ-CP-01"
        )
    if "event_id" in event_body:
        event_body["event_id"] = fresh(event_body["event_id"], "FZ-EV")
    version = await version_of(fuzz, target)
    before = await fuzz.counts()
    path = f"{WORK_ORDERS}/{quote(target, safe='')}/events"
    response = await post_signed(fuzz, encode(event_body, ascii_only), path=path)
    event(f"POST events → {response.status_code}")
    body = check_response(response)
    after = await fuzz.counts()
    if response.status_code == 202:
        assert set(body) == {"event_id", "order_no", "type", "status"} and body["status"] in STATUSES
        recorded = await fuzz.conn.fetchval(
            "SELECT count(*) FROM hotline_event WHERE event_id = $1", body["event_id"]
        )
        assert recorded == 1
        assert after[0] == before[0] and after[3] == before[3] + 1
        assert after[1] > before[1] and after[2] > before[2]
        assert version is not None and await version_of(fuzz, target) == version + 1
        readback = check_response(await fuzz.http.get(f"{WORK_ORDERS}/{target}", headers=signed_headers(b"")))
        assert readback["status"] == body["status"]
    elif response.status_code == 200:
        assert after == before
    else:
        assert after == before, (response.status_code, body)
        assert await version_of(fuzz, target) == version


# A segment that is empty, "." or ".." or contains "/" does not address this endpoint at all (the URL
# resolves to another path, which the framework may answer with a trailing-slash redirect).
_PATH_SEGMENTS = st.text(min_size=1, max_size=30).filter(lambda t: "/" not in t and t not in (".", ".."))


@fuzz_settings(150)
@given(order_no=st.one_of(st.sampled_from(["FZ-POOL-1", "FZ-POOL-2"]), _PATH_SEGMENTS), signed=st.booleans())
async def test_random_reads(fuzz: Fuzz, order_no: str, signed: bool) -> None:
    headers = signed_headers(b"") if signed else {}
    response = await fuzz.http.get(f"{WORK_ORDERS}/{quote(order_no, safe='')}", headers=headers)
    event(f"GET → {response.status_code}")
    body = check_response(response)
    if response.status_code == 200:
        assert body["order_no"] == order_no and body["status"] in STATUSES
    else:
        assert response.status_code in (401, 404)


async def test_no_partial_work_order_anywhere(fuzz: Fuzz) -> None:
    """After all the fuzzing: every stored work order is complete, and the fuzzing did reach 202 often."""
    total = await fuzz.conn.fetchval("SELECT count(*) FROM work_order")
    assert isinstance(total, int) and total > 200
    partial = await fuzz.conn.fetchval(
        "SELECT count(*) FROM work_order w"
        " WHERE (SELECT count(*) FROM work_order_history h WHERE h.work_order_id = w.id) < 2"
        " OR (SELECT count(*) FROM outbox_message o WHERE o.key = w.id::text) < 2"
    )
    assert partial == 0
    orphans = await fuzz.conn.fetchval(
        "SELECT count(*) FROM outbox_message o"
        " WHERE NOT EXISTS (SELECT 1 FROM work_order w WHERE w.id::text = o.key)"
    )
    assert orphans == 0
    events = await fuzz.conn.fetchval("SELECT count(*) FROM hotline_event")
    assert isinstance(events, int) and events > 20
