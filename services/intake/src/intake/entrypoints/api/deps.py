"""Dependencies of the intake API: the runtime, and reading and verifying a signed 12345 call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from intake.bootstrap import IntakeRuntime
from intake.entrypoints.api.signature import SignatureError, SignedCall, verify
from intake.settings import IntakeSettings
from shared.kit.app import runtime_of
from shared.problems import ProblemException

intake_runtime = runtime_of(IntakeRuntime)
RuntimeDep = Annotated[IntakeRuntime, Depends(intake_runtime)]


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing (413) anything over `limit` bytes without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProblemException(413, "Payload Too Large", f"请求体超过 {limit} 字节")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProblemException(413, "Payload Too Large", f"请求体超过 {limit} 字节")
        chunks.append(chunk)
    return b"".join(chunks)


def verify_signature(request: Request, body: bytes, settings: IntakeSettings) -> SignedCall:
    """Check the 12345 signature (key, timestamp window, HMAC); 401 problem+json saying what is wrong."""
    secrets = {k: v.get_secret_value() for k, v in settings.hotline_keys.items()}
    query = request.scope.get("query_string", b"")
    target = request.scope.get("raw_path", request.url.path.encode()).decode("latin-1")
    target += "?" + query.decode("latin-1") if query else ""
    try:
        return verify(
            request.headers,
            body,
            secrets,
            window_s=settings.signature_window_s,
            method=request.method,
            target=target,
            legacy_keys=frozenset(settings.hotline_legacy_keys),
        )
    except SignatureError as exc:
        raise ProblemException(401, "Unauthorized", str(exc)) from exc


def mark_deprecated(call: SignedCall, response: Response) -> None:
    """A version-1 signature still works for legacy keys; the answer says it is deprecated (RFC 9745)."""
    if call.version == 1:
        response.headers["Deprecation"] = "true"
        response.headers["Link"] = '</docs#signature-v2>; rel="deprecation"'
