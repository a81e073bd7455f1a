"""Tests for the application/problem+json error handlers."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from shared.problems import ProblemException, install_problem_handlers


class Caller(BaseModel):
    name: str
    phone: str = Field(pattern=r"^1[0-9]{10}$")


class Call(BaseModel):
    caller: Caller
    summary: str = Field(max_length=10)


def make_client() -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/calls")
    async def create_call(call: Call) -> str:
        return call.summary

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("db password is hunter2")

    @app.get("/gone")
    async def gone() -> None:
        raise HTTPException(410, "这个来电已经撤回")

    @app.get("/conflict")
    async def conflict() -> None:
        raise ProblemException(409, "Conflict", "记录已被他人修改", [{"field": "version", "message": "过期"}])

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == "about:blank" and body["status"] == status and body["title"]
    return body


async def test_validation_lists_each_field() -> None:
    response = await make_client().post("/calls", json={"caller": {"phone": "12"}, "summary": "x" * 11})
    body = problem(response, 422)
    fields = {error["field"]: error for error in body["errors"]}
    assert set(fields) == {"body.caller.name", "body.caller.phone", "body.summary"}
    assert fields["body.caller.name"]["message"] == "必填项"
    assert fields["body.summary"]["message"] == "长度不能超过 10 个字符"
    assert fields["body.caller.phone"]["type"] == "string_pattern_mismatch"
    assert "3" in body["detail"]


async def test_invalid_json() -> None:
    response = await make_client().post("/calls", content=b"{", headers={"content-type": "application/json"})
    assert problem(response, 422)["errors"]


async def test_unhandled_error_hides_internals() -> None:
    body = problem(await make_client().get("/boom"), 500)
    assert "hunter2" not in str(body) and "RuntimeError" not in str(body)
    assert body["title"] == "Internal Server Error"


async def test_http_exceptions() -> None:
    client = make_client()
    assert problem(await client.get("/gone"), 410)["detail"] == "这个来电已经撤回"
    assert problem(await client.get("/nowhere"), 404)["detail"] == "未找到请求的资源"
    body = problem(await client.get("/conflict"), 409)
    assert body["title"] == "Conflict" and body["errors"] == [{"field": "version", "message": "过期"}]
