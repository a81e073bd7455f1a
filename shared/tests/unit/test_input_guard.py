"""The kit's input guard: unstorable or unreasonable input is a 4xx naming the field, never a 5xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Form
from pydantic import BaseModel

from shared.kit.guard import MAX_DEPTH, InputGuard, json_depth
from shared.problems import install_problem_handlers

LIMIT = 2000


class Note(BaseModel):
    text: str
    tags: list[str] = []


def client() -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(InputGuard, max_body_bytes=LIMIT)

    @app.post("/notes")
    async def add(note: Note) -> dict[str, Any]:
        return note.model_dump()

    @app.post("/form")
    async def form(text: str = Form()) -> dict[str, str]:
        return {"text": text}

    @app.get("/search")
    async def search(q: str = "") -> dict[str, str]:
        return {"q": q}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


async def test_ordinary_input_passes_untouched() -> None:
    http = client()
    ok = await http.post("/notes", json={"text": "孩子无人照看", "tags": ["a", "b"]})
    assert ok.status_code == 200 and ok.json() == {"text": "孩子无人照看", "tags": ["a", "b"]}
    assert (await http.post("/form", data={"text": "普通文字"})).json() == {"text": "普通文字"}
    assert (await http.get("/search", params={"q": "王"})).json() == {"q": "王"}


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"text": "a\\u0000b"}', "body.text"),
        (b'{"text": "ok", "tags": ["x", "\\ud800"]}', "body.tags.1"),
        (b'{"text": "ok", "\\udfff": 1}', "body.<key>"),
        (b'{"text": "raw\x00nul"}', "body.text"),
    ],
)
async def test_nul_and_lone_surrogates_in_json_are_422_naming_the_field(raw: bytes, field: str) -> None:
    body = problem(
        await client().post("/notes", content=raw, headers={"Content-Type": "application/json"}), 422
    )
    assert [e["field"] for e in body["errors"]] == [field]


async def test_a_deeply_nested_body_is_422_not_a_recursion_error() -> None:
    deep = b'{"text": "x", "tags": ' + b"[" * 600 + b"]" * 600 + b"}"
    body = problem(
        await client().post("/notes", content=deep, headers={"Content-Type": "application/json"}), 422
    )
    assert body["errors"][0]["field"] == "body"
    assert json_depth(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert json_depth(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)) == MAX_DEPTH + 1


async def test_an_oversized_body_is_413_declared_or_streamed() -> None:
    http = client()
    big = b'{"text": "' + b"x" * LIMIT + b'"}'
    problem(await http.post("/notes", content=big, headers={"Content-Type": "application/json"}), 413)

    async def stream() -> Any:
        for _ in range(5):
            yield b"x" * 600

    problem(await http.post("/notes", content=stream(), headers={"Content-Type": "application/json"}), 413)


async def test_nul_in_a_form_or_the_query_is_422_and_in_the_path_404() -> None:
    http = client()
    form = await http.post(
        "/form", content=b"text=a%00b", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert problem(form, 422)["errors"][0]["field"] == "form.text"
    query = await http.get("/search?q=%00")
    assert problem(query, 422)["errors"][0]["field"] == "query.q"
    surrogate = await http.get("/search?q=%ED%A0%80")
    assert problem(surrogate, 422)["errors"][0]["field"] == "query.q"
    problem(await http.get("/search%00"), 404)


async def test_a_field_name_that_is_itself_unstorable_is_named_printably() -> None:
    raw = b'{"text": "ok", "\\ud800": "\\u0000", "a\\u0000": ["\\u0000"]}'
    body = problem(
        await client().post("/notes", content=raw, headers={"Content-Type": "application/json"}), 422
    )
    assert [e["field"] for e in body["errors"]] == [
        "body.<key>",
        "body.\ufffd",
        "body.<key>",
        "body.a\ufffd.0",
    ]
