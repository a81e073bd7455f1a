"""Input no service may see: over-long bodies, JSON nested beyond reason, NUL and lone surrogates.

One ASGI middleware in front of every service answers these with a problem naming the field, before any
route, so no such input can reach PostgreSQL (which refuses NUL in text and invalid UTF-16) or the
JSON parser's recursion limit and come back as a 5xx:

- a body over `max_body_bytes` → 413 (the declared length is checked first, then what arrives);
- a JSON body nested deeper than `MAX_DEPTH` → 422 (`body`);
- a string with NUL or a lone surrogate in a JSON body, a form or the query → 422 (`body.<path>`,
  `form.<name>`, `query.<name>`); in the path → 404 (no such resource).

The common case costs a few byte searches: the full walk runs only when a marker is present.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from shared.problems import problem_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_DEPTH = 32
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
# A NUL or a UTF-16 surrogate written as a JSON escape, or a raw NUL byte.
_JSON_MARKERS = re.compile(rb"\\u0000|\\u[dD][89a-fA-F][0-9a-fA-F]{2}|\x00")
_QUERY_MARKERS = re.compile(rb"%00|%[eE][dD]%[aAbB]|\x00")


def bad_strings(value: Any, path: str) -> list[dict[str, str]]:
    """Every string in `value` (keys included) that holds NUL or a lone surrogate, as problem errors."""
    found: list[dict[str, str]] = []
    if isinstance(value, str):
        if "\x00" in value:
            found.append({"field": path, "message": "不能包含 NUL 字符", "type": "string_nul"})
        elif any("\ud800" <= ch <= "\udfff" for ch in value):
            found.append({"field": path, "message": "包含无效的 UTF-16 代理字符", "type": "string_surrogate"})
    elif isinstance(value, dict):
        for key, item in value.items():
            found += bad_strings(key, f"{path}.<key>")
            found += bad_strings(item, f"{path}.{_printable(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += bad_strings(item, f"{path}.{index}")
    return found


def _printable(name: str) -> str:
    """A field name that can itself be written in the answer (NUL and lone surrogates replaced)."""
    return "".join("\ufffd" if ch == "\x00" or "\ud800" <= ch <= "\udfff" else ch for ch in name)


def json_depth(body: bytes) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings ignored); cheap for flat bodies."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRING.sub(b'""', body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def _body_errors(
    body: bytes, content_type: str, *, strings: bool
) -> tuple[int, list[dict[str, str]], str] | None:
    if "json" in content_type:
        if json_depth(body) > MAX_DEPTH:
            message = f"JSON 嵌套超过 {MAX_DEPTH} 层"
            return 422, [{"field": "body", "message": message, "type": "json_too_deep"}], message
        if strings and _JSON_MARKERS.search(body):
            try:
                value = json.loads(body.decode("utf-8"), strict=False)
            except (ValueError, RecursionError):
                return None  # not JSON at all: the route answers that (400/422)
            errors = bad_strings(value, "body")
            return (422, errors, "请求体中有无法保存的字符") if errors else None
    elif strings and "x-www-form-urlencoded" in content_type and _QUERY_MARKERS.search(body):
        errors = _pairs_errors(body, "form")
        return (422, errors, "表单中有无法保存的字符") if errors else None
    return None


def _pairs_errors(raw: bytes, where: str) -> list[dict[str, str]]:
    text = raw.decode("latin-1")
    pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="surrogateescape")
    found: list[dict[str, str]] = []
    for name, value in pairs:
        if "\x00" in value or "\x00" in name or any("\udc80" <= ch <= "\udcff" for ch in value):
            found.append(
                {"field": f"{where}.{name}", "message": "包含无法保存的字符", "type": "string_invalid"}
            )
    return found


class InputGuard:
    """ASGI middleware: refuse unstorable or unreasonable input with a 4xx problem naming the field."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, own_string_checks: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Path prefixes whose routes read the raw body and list unstorable strings together with their
        # schema errors (the 12345 webhook): only size and depth are guarded there.
        self.own_string_checks = own_string_checks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", ""):
            await problem_response(404, None, "未找到请求的资源")(scope, receive, send)
            return
        query = scope.get("query_string", b"")
        if query and _QUERY_MARKERS.search(query) and (errors := _pairs_errors(query, "query")):
            await problem_response(422, None, "查询参数中有无法保存的字符", errors)(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body"))
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        strings = (
            not scope.get("path", "").startswith(self.own_string_checks) if self.own_string_checks else True
        )
        refused = _body_errors(body, content_type, strings=strings)
        if refused is not None:
            status, errors, detail = refused
            await problem_response(status, None, detail, errors)(scope, receive, send)
            return
        replayed = _replay([{"type": "http.request", "body": body, "more_body": False}], receive)
        await self.app(scope, replayed, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"请求体超过 {self.max_body_bytes} 字节"
        await problem_response(413, "Payload Too Large", detail)(scope, receive, send)


def _replay(messages: list[Message], then: Receive) -> Receive:
    """The messages already read, then the client's own channel (a later disconnect still arrives)."""
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else await then()

    return receive
