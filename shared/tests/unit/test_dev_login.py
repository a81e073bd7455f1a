"""Tests for the development login page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from shared.auth import SESSION_COOKIE, CurrentPrincipal, install_auth
from shared.auth.login import safe_next
from shared.settings import ServiceSettings


def make_client(**overrides: Any) -> httpx.AsyncClient:
    values: dict[str, Any] = {"environment": "test", "jwt_jwks_url": None, "dev_login_enabled": True}
    app = FastAPI()
    install_auth(app, ServiceSettings(**(values | overrides)))

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"name": principal.name, "region": principal.region, "programs": sorted(principal.programs)}

    # Forms are posted from the login page itself: the browser names this site as the origin.
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Origin": "http://testserver"},
    )


FORM = {
    "name": "张三",
    "role": "caseworker",
    "region": "500154",
    "programs": ["child_protection", "vagrant_rescue"],
}


async def test_form_is_chinese_and_escaped() -> None:
    response = await make_client().get("/dev/login", params={"next": '/cases?a="><script>x</script>'})
    assert response.status_code == 200
    html = response.text
    for label in ("姓名", "角色", "行政区划代码", "未成年人保护", "社会救助", "流浪乞讨救助", "登录"):
        assert label in html
    assert "<script>" not in html
    assert "&#34;&gt;&lt;script&gt;" in html


async def test_login_sets_cookie_and_redirects() -> None:
    client = make_client()
    response = await client.post("/dev/login", data=FORM | {"next": "/cases/1?tab=a"})
    assert response.status_code == 303
    assert response.headers["location"] == "/cases/1?tab=a"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    me = await client.get("/me")
    assert me.json() == {"name": "张三", "region": "500154", "programs": sorted(FORM["programs"])}

    out = await client.post("/dev/logout")
    assert out.status_code == 303 and out.headers["location"] == "/dev/login"
    assert (await client.get("/me")).status_code == 401


async def test_next_from_query_and_open_redirects_refused() -> None:
    client = make_client()
    response = await client.post("/dev/login?next=/inbox", data=FORM)
    assert response.headers["location"] == "/inbox"
    response = await client.post("/dev/login", data=FORM | {"next": "//evil.example/x"})
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(
    "target", ["https://evil.example", "//evil.example", "/\\evil.example", "evil", "", None, "/a\nb", "/ x"]
)
async def test_safe_next_refuses(target: str | None) -> None:
    assert safe_next(target) == "/"


async def test_invalid_form_rerenders_with_error() -> None:
    client = make_client()
    response = await client.post("/dev/login", data=FORM | {"region": "5001", "name": "<b>x</b>"})
    assert response.status_code == 400
    assert "行政区划代码应为" in response.text
    assert "&lt;b&gt;x&lt;/b&gt;" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert (await client.post("/dev/login", data=FORM | {"role": "root"})).status_code == 400


@pytest.mark.parametrize(
    "overrides", [{"dev_login_enabled": False}, {"jwt_jwks_url": "https://idp.example.invalid/jwks"}]
)
async def test_login_page_absent_when_disabled(overrides: dict[str, Any]) -> None:
    assert (await make_client(**overrides).get("/dev/login")).status_code == 404


async def test_a_cross_site_post_neither_logs_in_nor_out() -> None:
    client = make_client()
    forged = await client.post("/dev/login", data=FORM, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403 and "请求来源无效" in forged.text
    assert SESSION_COOKIE not in forged.headers.get("set-cookie", "")
    no_origin = make_client()
    no_origin.headers.pop("Origin")
    assert (await no_origin.post("/dev/login", data=FORM)).status_code == 403
    await client.post("/dev/login", data=FORM)
    assert (await client.post("/dev/logout", headers={"Origin": "https://evil.example"})).status_code == 403
    assert (await client.get("/me")).status_code == 200


async def test_the_login_page_carries_the_security_headers() -> None:
    response = await make_client().get("/dev/login")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"


async def test_login_attempts_are_rate_limited_per_client() -> None:
    client = make_client(login_rate_limit="3/minute")
    answers = [(await client.post("/dev/login", data=FORM)).status_code for _ in range(4)]
    assert answers == [303, 303, 303, 429]
    limited = await client.post("/dev/login", data=FORM)
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert int(limited.headers["retry-after"]) >= 1
