"""The 12345 integration endpoints (HMAC-signed)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import orjson
import structlog
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from intake.domain.errors import ConflictingRequest, InvalidTransition, WorkOrderNotFound
from intake.entrypoints.api.deps import (
    CipherDep,
    SessionsDep,
    SettingsDep,
    authenticate,
    claim_or_refuse,
    read_body,
    verify_signature,
)
from intake.entrypoints.api.schemas import HotlineEventIn, WorkOrderIn, unstorable_strings
from intake.service_layer import handlers
from intake.service_layer.unit_of_work import unit_of_work
from intake.service_layer.views import work_order_detail
from shared.problems import ProblemException, validation_errors

router = APIRouter(prefix="/api/v1/hotline", tags=["12345 hotline"])
log = structlog.get_logger(__name__)

_SIGNED: dict[int | str, dict[str, Any]] = {
    401: {"description": "签名缺失或错误、未知 key id、时间戳超出窗口或 nonce 重放"},
}
_ORDER_NO = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _require_order_no_shape(order_no: str) -> None:
    """A path that cannot be an order number names no work order; it never reaches the database
    (PostgreSQL refuses NUL in text, which would otherwise surface as a 500)."""
    if not _ORDER_NO.fullmatch(order_no):
        raise ProblemException(404, "Not Found", "工单不存在（工单编号格式不正确）")


def _parse(body: bytes, request: Request, model: type[BaseModel]) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ProblemException(415, "Unsupported Media Type", "Content-Type 必须是 application/json")
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ProblemException(400, "Bad Request", f"请求体不是有效的 UTF-8 JSON：{exc}") from exc
    if not isinstance(raw, dict):
        raise ProblemException(
            422,
            "Unprocessable Entity",
            "请求体必须是 JSON 对象",
            errors=[{"field": "body", "message": "必须是 JSON 对象"}],
        )
    bad = unstorable_strings(raw)
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        located = RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])
        raise ProblemException(
            422, "Unprocessable Entity", "请求体不符合接口规范", errors=bad + validation_errors(located)
        ) from exc
    if bad:
        raise ProblemException(422, "Unprocessable Entity", "请求体不符合接口规范", errors=bad)
    return parsed.model_dump()


def _json(status: int, body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, status_code=status)


@router.post(
    "/work-orders", status_code=202, responses={**_SIGNED, 200: {}, 409: {}, 413: {}, 415: {}, 422: {}}
)
async def post_work_order(
    request: Request, settings: SettingsDep, sessions: SessionsDep, cipher: CipherDep
) -> JSONResponse:
    """Receive a 12345 work order (idempotent on order_no)."""
    body = await read_body(request, settings.max_body_bytes)
    call = verify_signature(request, body, settings)
    data = _parse(body, request, WorkOrderIn)
    secret = settings.personkey_secret.get_secret_value()
    for attempt in (1, 2):
        try:
            async with unit_of_work(sessions, cipher) as uow:
                # The nonce is claimed in the work order's own transaction (one round trip, not a
                # transaction of its own); a request that fails leaves it unclaimed: its replay fails alike.
                await claim_or_refuse(uow.session, call, settings)
                outcome = await handlers.receive_work_order(uow, data, secret=secret, now=datetime.now(UTC))
            break
        except IntegrityError:
            # The same order_no committed concurrently: the second try answers as a repeat.
            if attempt == 2:
                raise
        except ConflictingRequest as exc:
            raise ProblemException(409, "Conflict", exc.message) from exc
    log.info(
        "work_order_received",
        order_no=data["order_no"],
        status_code=outcome.status_code,
        routed_to=outcome.body["routed_to"],
        flags=outcome.body["flags"],
    )
    return _json(outcome.status_code, outcome.body)


@router.post(
    "/work-orders/{order_no}/events",
    status_code=202,
    responses={**_SIGNED, 200: {}, 404: {}, 409: {}, 413: {}, 415: {}, 422: {}},
)
async def post_work_order_event(
    order_no: str, request: Request, settings: SettingsDep, sessions: SessionsDep, cipher: CipherDep
) -> JSONResponse:
    """A later action from 12345: supplement (补充), urge (催办), revoke (撤单), satisfaction (回访)."""
    body = await read_body(request, settings.max_body_bytes)
    call = verify_signature(request, body, settings)
    data = _parse(body, request, HotlineEventIn)
    _require_order_no_shape(order_no)
    secret = settings.personkey_secret.get_secret_value()
    for attempt in (1, 2):
        try:
            async with unit_of_work(sessions, cipher) as uow:
                await claim_or_refuse(uow.session, call, settings)
                outcome = await handlers.record_hotline_event(
                    uow, order_no, data, secret=secret, now=datetime.now(UTC)
                )
            break
        except IntegrityError:
            if attempt == 2:
                raise
        except WorkOrderNotFound as exc:
            raise ProblemException(404, "Not Found", exc.message) from exc
        except (ConflictingRequest, InvalidTransition) as exc:
            raise ProblemException(409, "Conflict", exc.message) from exc
    log.info("hotline_event_recorded", order_no=order_no, type=data["type"], status_code=outcome.status_code)
    return _json(outcome.status_code, outcome.body)


@router.get("/work-orders/{order_no}", responses={**_SIGNED, 404: {}})
async def get_work_order(
    order_no: str, request: Request, settings: SettingsDep, sessions: SessionsDep, cipher: CipherDep
) -> JSONResponse:
    """The work order as received, its status, route, case, reply and history."""
    await authenticate(request, b"", settings, sessions)
    _require_order_no_shape(order_no)
    async with sessions() as session:
        detail = await work_order_detail(session, cipher, order_no=order_no)
    if detail is None:
        raise ProblemException(404, "Not Found", f"工单 {order_no} 不存在")
    return _json(200, detail)
