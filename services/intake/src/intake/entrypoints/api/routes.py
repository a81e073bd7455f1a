"""The 12345 integration endpoints (HMAC-signed): thin, each one command through the bus."""

from __future__ import annotations

import re
from typing import Any

import orjson
import structlog
from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from intake.bootstrap import IntakeRuntime
from intake.domain import commands
from intake.entrypoints.api.deps import RuntimeDep, mark_deprecated, read_body, verify_signature
from intake.entrypoints.api.schemas import (
    EventReceiptOut,
    HotlineEventIn,
    ReceiptOut,
    WorkOrderDetailOut,
    WorkOrderIn,
    unstorable_strings,
)
from intake.service_layer.views import work_order_detail
from shared.kit.commands import Command
from shared.kit.messagebus import MessageBus
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


def _limit(runtime: IntakeRuntime, key_id: str) -> None:
    if runtime.hotline_calls is not None:
        runtime.hotline_calls.check(key_id, what="12345 接口调用")


async def _handle_once_more_on_race(bus: MessageBus, command: Command) -> Any:
    """Run a command; the same order or event id committed concurrently makes the retry answer as a repeat."""
    try:
        return await bus.handle(command)
    except IntegrityError:
        return await bus.handle(command)


@router.post(
    "/work-orders",
    status_code=202,
    response_model=ReceiptOut,
    responses={**_SIGNED, 200: {"model": ReceiptOut}, 409: {}, 413: {}, 415: {}, 422: {}},
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": WorkOrderIn.model_json_schema()}}}
    },
)
async def post_work_order(request: Request, response: Response, runtime: RuntimeDep) -> ReceiptOut:
    """Receive a 12345 work order (idempotent on order_no)."""
    settings = runtime.settings
    body = await read_body(request, settings.max_body_bytes)
    call = verify_signature(request, body, settings)
    _limit(runtime, call.key_id)
    data = _parse(body, request, WorkOrderIn)
    command = commands.ReceiveWorkOrder(key_id=call.key_id, nonce=call.nonce, data=data)
    outcome = await _handle_once_more_on_race(runtime.bus, command)
    log.info(
        "work_order_received",
        order_no=data["order_no"],
        status_code=outcome.status_code,
        routed_to=outcome.body["routed_to"],
        flags=outcome.body["flags"],
    )
    response.status_code = outcome.status_code
    mark_deprecated(call, response)
    return ReceiptOut.model_validate(outcome.body)


@router.post(
    "/work-orders/{order_no}/events",
    status_code=202,
    response_model=EventReceiptOut,
    responses={**_SIGNED, 200: {"model": EventReceiptOut}, 404: {}, 409: {}, 413: {}, 415: {}, 422: {}},
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": HotlineEventIn.model_json_schema()}}}
    },
)
async def post_work_order_event(
    order_no: str, request: Request, response: Response, runtime: RuntimeDep
) -> EventReceiptOut:
    """A later action from 12345: supplement (补充), urge (催办), revoke (撤单), satisfaction (回访)."""
    settings = runtime.settings
    body = await read_body(request, settings.max_body_bytes)
    call = verify_signature(request, body, settings)
    _limit(runtime, call.key_id)
    data = _parse(body, request, HotlineEventIn)
    _require_order_no_shape(order_no)
    command = commands.RecordHotlineEvent(key_id=call.key_id, nonce=call.nonce, order_no=order_no, data=data)
    outcome = await _handle_once_more_on_race(runtime.bus, command)
    log.info("hotline_event_recorded", order_no=order_no, type=data["type"], status_code=outcome.status_code)
    response.status_code = outcome.status_code
    mark_deprecated(call, response)
    return EventReceiptOut.model_validate(outcome.body)


@router.get("/work-orders/{order_no}", response_model=WorkOrderDetailOut, responses={**_SIGNED, 404: {}})
async def get_work_order(
    order_no: str, request: Request, response: Response, runtime: RuntimeDep
) -> WorkOrderDetailOut:
    """The work order as received, its status, route, case, reply and history."""
    call = verify_signature(request, b"", runtime.settings)
    _limit(runtime, call.key_id)
    mark_deprecated(call, response)
    await runtime.bus.handle(commands.ClaimNonce(key_id=call.key_id, nonce=call.nonce))
    _require_order_no_shape(order_no)
    assert runtime.cipher is not None
    async with runtime.sessions() as session:
        detail = await work_order_detail(session, runtime.cipher, order_no=order_no)
    if detail is None:
        raise ProblemException(404, "Not Found", f"工单 {order_no} 不存在")
    return WorkOrderDetailOut.model_validate(detail)
