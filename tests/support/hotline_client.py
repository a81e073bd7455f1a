"""A 12345-platform client for tests and benchmarks: signs every call like a real integration."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
import orjson

from intake.entrypoints.api.signature import sign, sign_v2

DEV_KEY_ID = "dev-12345"
DEV_SECRET = "dev-12345-secret"


def signed_headers(
    body: bytes,
    *,
    key_id: str = DEV_KEY_ID,
    secret: str = DEV_SECRET,
    timestamp: int | None = None,
    nonce: str | None = None,
    method: str | None = None,
    target: str | None = None,
) -> dict[str, str]:
    """Signature version 2 when the call's method and path (with query) are given, else version 1."""
    ts = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or secrets.token_hex(16)
    headers = {"X-Hotline-Key-Id": key_id, "X-Hotline-Timestamp": str(ts), "X-Hotline-Nonce": nonce}
    if target is None:
        return {**headers, "X-Hotline-Signature": sign(secret, ts, nonce, body)}
    return {
        **headers,
        "X-Hotline-Signature-Version": "2",
        "X-Hotline-Signature": sign_v2(secret, method or "POST", target, ts, nonce, body),
    }


class HotlineClient:
    """Signed calls to intake's 12345 endpoints."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post_work_order(self, body: dict[str, Any] | bytes, **sign_kw: Any) -> httpx.Response:
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        path = "/api/v1/hotline/work-orders"
        headers = {"Content-Type": "application/json", **self._signed(raw, "POST", path, sign_kw)}
        return await self.http.post(path, content=raw, headers=headers)

    async def post_event(self, order_no: str, body: dict[str, Any], **sign_kw: Any) -> httpx.Response:
        raw = orjson.dumps(body)
        path = f"/api/v1/hotline/work-orders/{order_no}/events"
        headers = {"Content-Type": "application/json", **self._signed(raw, "POST", path, sign_kw)}
        return await self.http.post(path, content=raw, headers=headers)

    async def get_work_order(self, order_no: str, **sign_kw: Any) -> httpx.Response:
        path = f"/api/v1/hotline/work-orders/{order_no}"
        return await self.http.get(path, headers=self._signed(b"", "GET", path, sign_kw))

    @staticmethod
    def _signed(body: bytes, method: str, path: str, sign_kw: dict[str, Any]) -> dict[str, str]:
        """Version 2 over this call's method and path, unless the caller asks for version 1."""
        if sign_kw.pop("version", 2) == 1:
            return signed_headers(body, **sign_kw)
        # The server checks the path as sent on the wire (percent-encoded), so that is what is signed.
        target = httpx.URL(path).raw_path.decode("ascii")
        return signed_headers(body, method=method, target=target, **sign_kw)


def work_order(order_no: str, **overrides: Any) -> dict[str, Any]:
    """A valid work order body about a child left alone (synthetic data)."""
    body: dict[str, Any] = {
        "order_no": order_no,
        "received_at": "2026-11-23T09:30:00+08:00",
        "channel": "phone",
        "category_code": "MZ-CP-02",
        "urgency": "urgent",
        "region_code": "500154",
        "address": "开州区汉丰街道某小区",
        "content": "邻居反映：一名约8岁儿童连续多日无人照看。",
        "caller": {"name": "王女士", "phone": "13800138000"},
        "subjects": [{"name": "小明", "gender": "male", "age": 8, "is_minor": True}],
    }
    body.update(overrides)
    return body
