"""RFC 9457 `application/problem+json` errors and the FastAPI handlers that render them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.kit.errors import DomainError

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Caseworkers read these; pydantic's own messages are English.
_FIELD_MESSAGES: dict[str, str] = {
    "missing": "必填项",
    "string_type": "应为文本",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "enum": "取值不在允许范围内：{expected}",
    "literal_error": "取值不在允许范围内：{expected}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "json_invalid": "请求内容不是合法的 JSON",
    "extra_forbidden": "不允许的字段",
}

_DEFAULT_DETAILS: dict[int, str] = {
    400: "请求有误",
    401: "请先登录",
    403: "无权执行此操作",
    404: "未找到请求的资源",
    405: "不支持该请求方法",
    500: "服务器内部错误，请稍后重试",
}


class ProblemException(StarletteHTTPException):
    """An error that the handlers render as `application/problem+json`."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status, detail or _DEFAULT_DETAILS.get(status), headers)
        self.status = status
        self.title = title or _phrase(status)
        self.errors = errors


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_response(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """Build an `application/problem+json` response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail or _DEFAULT_DETAILS.get(status) or _phrase(status),
    }
    if errors is not None:
        body["errors"] = list(errors)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_message(error: Mapping[str, Any]) -> str:
    template = _FIELD_MESSAGES.get(str(error.get("type", "")))
    if template is not None:
        try:
            return template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            pass
    message = str(error.get("msg", ""))
    return message.removeprefix("Value error, ")


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """One `{"field", "message", "type"}` entry per offending field, e.g. field `body.caller.phone`."""
    return [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())),
            "message": _field_message(error),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemException)
    return problem_response(exc.status, exc.title, str(exc.detail), exc.errors, exc.headers)


def problem_for(exc: DomainError) -> ProblemException:
    """A domain refusal as the problem it is answered with (its class says the status)."""
    return ProblemException(exc.status, exc.title, exc.message)


async def _on_domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(exc.status, exc.title, exc.message)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = validation_errors(exc)
    return problem_response(422, None, f"请求中有 {len(errors)} 处错误，请检查后重试", errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail: str | None = exc.detail if isinstance(exc.detail, str) else None
    if detail == _phrase(exc.status_code):
        detail = None
    return problem_response(exc.status_code, None, detail, None, exc.headers)


async def _on_unhandled(request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises after responding, so the server still logs the traceback; keep it out of the body.
    return problem_response(500)


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error the app raises as `application/problem+json`."""
    app.add_exception_handler(ProblemException, _on_problem)
    app.add_exception_handler(DomainError, _on_domain)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unhandled)
