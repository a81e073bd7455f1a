"""A 12345-platform client for tests and benchmarks: signs every call like a real integration."""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx
import orjson

from intake.entrypoints.api.signature import sign

DEV_KEY_ID = "dev-12345"
DEV_SECRET = "dev-12345-secret"


def signed_headers(
    body: bytes,
    *,
    key_id: str = DEV_KEY_ID,
    secret: str = DEV_SECRET,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or secrets.token_hex(16)
    return {
        "X-Hotline-Key-Id": key_id,
        "X-Hotline-Timestamp": str(ts),
        "X-Hotline-Nonce": nonce,
        "X-Hotline-Signature": sign(secret, ts, nonce, body),
    }


class HotlineClient:
    """Signed calls to intake's 12345 endpoints."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post_work_order(self, body: dict[str, Any] | bytes, **sign_kw: Any) -> httpx.Response:
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        headers = {"Content-Type": "application/json", **signed_headers(raw, **sign_kw)}
        return await self.http.post("/api/v1/hotline/work-orders", content=raw, headers=headers)

    async def post_event(self, order_no: str, body: dict[str, Any], **sign_kw: Any) -> httpx.Response:
        raw = orjson.dumps(body)
        headers = {"Content-Type": "application/json", **signed_headers(raw, **sign_kw)}
        return await self.http.post(
            f"/api/v1/hotline/work-orders/{order_no}/events", content=raw, headers=headers
        )

    async def get_work_order(self, order_no: str, **sign_kw: Any) -> httpx.Response:
        return await self.http.get(
            f"/api/v1/hotline/work-orders/{order_no}", headers=signed_headers(b"", **sign_kw)
        )


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
