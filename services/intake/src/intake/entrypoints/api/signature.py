"""HMAC authentication of calls from the 12345 platform.

Version 2 (header `X-Hotline-Signature-Version: 2`) signs the method, the path with its query, the
timestamp, the nonce and the body, so a captured call cannot be replayed at another path. Version 1
(no version header) signs only timestamp, nonce and body; it is accepted only from keys configured as
legacy (`INTAKE_HOTLINE_LEGACY_KEYS`) and is deprecated.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass

KEY_ID = "X-Hotline-Key-Id"
TIMESTAMP = "X-Hotline-Timestamp"
NONCE = "X-Hotline-Nonce"
SIGNATURE = "X-Hotline-Signature"
VERSION = "X-Hotline-Signature-Version"
_NONCE = re.compile(r"^[\x21-\x7e]{16,64}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")


class SignatureError(Exception):
    """Why a call is not authenticated (shown in the 401 problem body)."""


@dataclass(frozen=True)
class SignedCall:
    """A call whose signature checked out; the nonce still has to be proven unused."""

    key_id: str
    timestamp: int
    nonce: str
    version: int = 2


def sign(secret: str, timestamp: int | str, nonce: str, body: bytes) -> str:
    """Version 1 (legacy): lower-case hex HMAC-SHA256 over "{timestamp}\\n{nonce}\\n" + body."""
    message = f"{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign_v2(secret: str, method: str, target: str, timestamp: int | str, nonce: str, body: bytes) -> str:
    """Version 2: HMAC-SHA256 over "{METHOD}\\n{path?query}\\n{timestamp}\\n{nonce}\\n" + body."""
    message = f"{method.upper()}\n{target}\n{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secrets: Mapping[str, str],
    *,
    window_s: int,
    now: float | None = None,
    method: str = "POST",
    target: str = "/",
    legacy_keys: frozenset[str] = frozenset(),
) -> SignedCall:
    """Check key, timestamp window, nonce shape and signature; raise SignatureError saying which failed."""
    key_id = headers.get(KEY_ID)
    timestamp = headers.get(TIMESTAMP)
    nonce = headers.get(NONCE)
    signature = headers.get(SIGNATURE)
    missing = [
        name
        for name, value in ((KEY_ID, key_id), (TIMESTAMP, timestamp), (NONCE, nonce), (SIGNATURE, signature))
        if not value
    ]
    if missing:
        raise SignatureError(f"缺少签名请求头：{', '.join(missing)}")
    assert key_id is not None and timestamp is not None and nonce is not None and signature is not None
    secret = secrets.get(key_id)
    if secret is None:
        raise SignatureError(f"未知的 {KEY_ID}")
    if not re.fullmatch(r"\d{1,12}", timestamp):
        raise SignatureError(f"{TIMESTAMP} 必须是 Unix 秒数")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window_s:
        raise SignatureError(f"{TIMESTAMP} 与服务器时间相差超过 {window_s} 秒")
    if not _NONCE.fullmatch(nonce):
        raise SignatureError(f"{NONCE} 必须是 16–64 个可见 ASCII 字符")
    if not _HEX.fullmatch(signature):
        raise SignatureError(f"{SIGNATURE} 必须是 64 位小写十六进制")
    version = headers.get(VERSION) or "1"
    if version == "2":
        expected = sign_v2(secret, method, target, timestamp, nonce, body)
    elif version == "1":
        if key_id not in legacy_keys:
            raise SignatureError(f"该 {KEY_ID} 须使用签名版本 2（{VERSION}: 2，签名覆盖方法、路径和查询）")
        expected = sign(secret, timestamp, nonce, body)
    else:
        raise SignatureError(f"{VERSION} 只能是 1 或 2")
    if not hmac.compare_digest(expected, signature):
        raise SignatureError(f"{SIGNATURE} 不正确")
    return SignedCall(key_id, int(timestamp), nonce, int(version))
