"""Dependencies of the intake API: sessions, cipher, and the 12345 signature check."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.adapters.nonces import claim_nonce
from intake.entrypoints.api.signature import SignatureError, SignedCall, verify
from intake.settings import IntakeSettings
from shared.crypto import FieldCipher
from shared.problems import ProblemException


def get_settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


def get_cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


SettingsDep = Annotated[IntakeSettings, Depends(get_settings)]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
CipherDep = Annotated[FieldCipher, Depends(get_cipher)]


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
    try:
        return verify(request.headers, body, secrets, window_s=settings.signature_window_s)
    except SignatureError as exc:
        raise ProblemException(401, "Unauthorized", str(exc)) from exc


async def claim_or_refuse(session: AsyncSession, call: SignedCall, settings: IntakeSettings) -> None:
    """Claim the call's nonce in the caller's transaction; 401 when it was already used (a replay)."""
    if not await claim_nonce(session, call.key_id, call.nonce, window_s=settings.signature_window_s):
        raise ProblemException(401, "Unauthorized", "X-Hotline-Nonce 已在有效期内使用过（疑似重放）")


async def authenticate(
    request: Request, body: bytes, settings: IntakeSettings, sessions: async_sessionmaker[AsyncSession]
) -> SignedCall:
    """Signature and nonce, the nonce in a transaction of its own: for calls that write nothing else."""
    call = verify_signature(request, body, settings)
    async with sessions() as session, session.begin():
        await claim_or_refuse(session, call, settings)
    return call
