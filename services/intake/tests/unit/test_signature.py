"""HMAC signature of 12345 calls: the signed message, the time window, nonce shape, keys and headers."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

import pytest
from starlette.datastructures import Headers

from intake.entrypoints.api.signature import (
    KEY_ID,
    NONCE,
    SIGNATURE,
    TIMESTAMP,
    VERSION,
    SignatureError,
    SignedCall,
    sign,
    sign_v2,
    verify,
)

SECRETS = {"dev-12345": "dev-12345-secret", "city-b": "another-secret"}
NOW = 1_795_000_000
WINDOW = 300
NONCE_OK = "n0nce-0123456789abcdef"
BODY = '{"order_no":"GD-1","content":"儿童无人照看"}'.encode()


def headers_for(
    body: bytes = BODY,
    *,
    key_id: str = "dev-12345",
    secret: str = "dev-12345-secret",
    timestamp: int | str = NOW,
    nonce: str = NONCE_OK,
) -> dict[str, str]:
    return {
        KEY_ID: key_id,
        TIMESTAMP: str(timestamp),
        NONCE: nonce,
        SIGNATURE: sign(secret, timestamp, nonce, body),
    }


def check(headers: Mapping[str, str], body: bytes = BODY) -> SignedCall:
    """Version-1 checks: every test key is configured as legacy."""
    return verify(headers, body, SECRETS, window_s=WINDOW, now=NOW, legacy_keys=frozenset(SECRETS))


def refused(headers: dict[str, str], body: bytes = BODY) -> str:
    with pytest.raises(SignatureError) as exc:
        check(headers, body)
    return str(exc.value)


def test_sign_is_lowercase_hex_hmac_sha256_over_timestamp_nonce_and_body() -> None:
    expected = hmac.new(
        b"dev-12345-secret", f"{NOW}\n{NONCE_OK}\n".encode() + BODY, hashlib.sha256
    ).hexdigest()
    signature = sign("dev-12345-secret", NOW, NONCE_OK, BODY)
    assert signature == expected
    assert len(signature) == 64 and signature == signature.lower()
    assert sign("dev-12345-secret", str(NOW), NONCE_OK, BODY) == signature


def test_get_requests_sign_an_empty_body() -> None:
    assert (
        sign("s", 1, "n" * 16, b"") == hmac.new(b"s", b"1\n" + b"n" * 16 + b"\n", hashlib.sha256).hexdigest()
    )
    assert check(headers_for(b""), b"").nonce == NONCE_OK


def test_a_good_signature_is_accepted() -> None:
    assert check(headers_for()) == SignedCall("dev-12345", NOW, NONCE_OK, version=1)


def test_each_configured_key_uses_its_own_secret() -> None:
    assert check(headers_for(key_id="city-b", secret="another-secret")).key_id == "city-b"
    assert SIGNATURE in refused(headers_for(key_id="city-b", secret="dev-12345-secret"))


def test_http_header_names_are_case_insensitive() -> None:
    lowered = Headers(headers={k.lower(): v for k, v in headers_for().items()})
    assert check(lowered).key_id == "dev-12345"


@pytest.mark.parametrize("offset", [0, 1, -1, 299, -299, 300, -300])
def test_timestamps_inside_the_window_are_accepted(offset: int) -> None:
    assert check(headers_for(timestamp=NOW + offset)).timestamp == NOW + offset


@pytest.mark.parametrize("offset", [301, -301, 3600, -3600, -NOW])
def test_timestamps_more_than_300_seconds_away_are_refused(offset: int) -> None:
    assert TIMESTAMP in refused(headers_for(timestamp=NOW + offset))


@pytest.mark.parametrize(
    "timestamp", ["-5", "1.5e9", "abc", "1795000000.0", " 1795000000", "1" * 13, "0x6afc"]
)
def test_timestamps_that_are_not_unix_seconds_are_refused(timestamp: str) -> None:
    assert TIMESTAMP in refused(headers_for(timestamp=timestamp))


@pytest.mark.parametrize("nonce", ["a" * 16, "b" * 64, "!#$%&'()*+,-./:;<=>?@[]^_`{|}~01", "~" * 20])
def test_nonces_of_16_to_64_visible_ascii_characters_are_accepted(nonce: str) -> None:
    assert check(headers_for(nonce=nonce)).nonce == nonce


@pytest.mark.parametrize(
    "nonce",
    [
        "a" * 15,
        "b" * 65,
        "with space 12345678",
        "tab\there-12345678",
        "ünïcödé-nonce-1234",
        "\x7f" * 16,
        "短" * 20,
    ],
)
def test_malformed_nonces_are_refused(nonce: str) -> None:
    assert NONCE in refused(headers_for(nonce=nonce))


def test_an_unknown_key_id_is_refused() -> None:
    assert KEY_ID in refused(headers_for(key_id="stranger", secret="stranger-secret"))


@pytest.mark.parametrize(
    "tamper",
    [
        "other body",
        "other secret",
        "signed other timestamp",
        "signed other nonce",
        "upper-case hex",
        "too short",
        "not hex",
    ],
)
def test_wrong_signatures_are_refused(tamper: str) -> None:
    headers = headers_for()
    good = headers[SIGNATURE]
    headers[SIGNATURE] = {
        "other body": sign("dev-12345-secret", NOW, NONCE_OK, BODY + b" "),
        "other secret": sign("another-secret", NOW, NONCE_OK, BODY),
        "signed other timestamp": sign("dev-12345-secret", NOW + 1, NONCE_OK, BODY),
        "signed other nonce": sign("dev-12345-secret", NOW, NONCE_OK + "x", BODY),
        "upper-case hex": good.upper(),
        "too short": good[:-1],
        "not hex": "g" * 64,
    }[tamper]
    assert headers[SIGNATURE] != good
    assert SIGNATURE in refused(headers)


def test_one_changed_body_byte_is_refused() -> None:
    headers = headers_for()
    assert SIGNATURE in refused(headers, BODY.replace(b"GD-1", b"GD-2"))


@pytest.mark.parametrize("header", [KEY_ID, TIMESTAMP, NONCE, SIGNATURE])
def test_each_missing_header_is_named(header: str) -> None:
    headers = headers_for()
    del headers[header]
    message = refused(headers)
    assert header in message
    assert [h for h in (KEY_ID, TIMESTAMP, NONCE, SIGNATURE) if h in message] == [header]


@pytest.mark.parametrize("header", [KEY_ID, TIMESTAMP, NONCE, SIGNATURE])
def test_an_empty_header_counts_as_missing(header: str) -> None:
    headers = {**headers_for(), header: ""}
    assert header in refused(headers)


def test_all_missing_headers_are_named_together() -> None:
    message = refused({})
    assert all(h in message for h in (KEY_ID, TIMESTAMP, NONCE, SIGNATURE))


def test_the_real_clock_is_used_when_no_time_is_given() -> None:
    now = int(time.time())
    headers = headers_for(timestamp=now)
    legacy = frozenset(SECRETS)
    assert verify(headers, BODY, SECRETS, window_s=WINDOW, legacy_keys=legacy).timestamp == now
    stale = headers_for(timestamp=now - 3600)
    with pytest.raises(SignatureError):
        verify(stale, BODY, SECRETS, window_s=WINDOW, legacy_keys=legacy)


def v2_headers(method: str, target: str, body: bytes = BODY) -> dict[str, str]:
    return {
        KEY_ID: "dev-12345",
        TIMESTAMP: str(NOW),
        NONCE: NONCE_OK,
        VERSION: "2",
        SIGNATURE: sign_v2("dev-12345-secret", method, target, NOW, NONCE_OK, body),
    }


def test_v2_signs_method_path_query_timestamp_nonce_and_body() -> None:
    expected = hmac.new(
        b"dev-12345-secret",
        f"POST\n/api/v1/hotline/work-orders/GD-1/events?x=1\n{NOW}\n{NONCE_OK}\n".encode() + BODY,
        hashlib.sha256,
    ).hexdigest()
    assert sign_v2(
        "dev-12345-secret", "post", "/api/v1/hotline/work-orders/GD-1/events?x=1", NOW, NONCE_OK, BODY
    ) == (expected)


def test_a_v2_signature_holds_only_for_its_method_and_target() -> None:
    headers = v2_headers("POST", "/api/v1/hotline/work-orders/GD-1/events")

    def at(method: str, target: str) -> SignedCall:
        return verify(headers, BODY, SECRETS, window_s=WINDOW, now=NOW, method=method, target=target)

    assert at("POST", "/api/v1/hotline/work-orders/GD-1/events").version == 2
    for method, target in (
        ("POST", "/api/v1/hotline/work-orders/GD-2/events"),
        ("PUT", "/api/v1/hotline/work-orders/GD-1/events"),
        ("POST", "/api/v1/hotline/work-orders/GD-1/events?again=1"),
    ):
        with pytest.raises(SignatureError, match="不正确"):
            at(method, target)


def test_v1_is_refused_for_a_key_not_configured_as_legacy() -> None:
    with pytest.raises(SignatureError, match="签名版本 2"):
        verify(headers_for(), BODY, SECRETS, window_s=WINDOW, now=NOW, legacy_keys=frozenset())
    assert check(headers_for()).version == 1
