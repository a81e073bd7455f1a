"""Tests for token issuing/verification and the FastAPI auth dependencies."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, FastAPI
from pydantic import SecretStr, ValidationError

from shared.auth import (
    SESSION_COOKIE,
    CurrentPrincipal,
    Principal,
    Program,
    Role,
    TokenVerifier,
    ensure_region,
    install_auth,
    issue_dev_token,
    require_program,
    require_roles,
)
from shared.settings import ServiceSettings

JWKS_URL = "https://idp.example.invalid/.well-known/jwks.json"


def dev_settings(**overrides: Any) -> ServiceSettings:
    """Development settings independent of the environment variables."""
    values: dict[str, Any] = {"environment": "test", "jwt_jwks_url": None, "dev_login_enabled": True}
    return ServiceSettings(**(values | overrides))


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def make_app(settings: ServiceSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    app = FastAPI()
    install_auth(app, settings, verifier=verifier)

    @app.get("/me")
    async def me(principal: CurrentPrincipal) -> dict[str, Any]:
        return {"sub": principal.sub, "name": principal.name, "roles": sorted(principal.roles)}

    @app.get("/supervise")
    async def supervise(principal: Principal = Depends(require_roles(Role.supervisor, Role.admin))) -> str:
        return principal.sub

    @app.get("/minors")
    async def minors(principal: Principal = Depends(require_program(Program.child_protection))) -> str:
        return principal.sub

    @app.get("/cases/{region}")
    async def case(region: str, principal: CurrentPrincipal) -> str:
        ensure_region(principal, region)
        return region

    return app


def token(settings: ServiceSettings, **overrides: Any) -> str:
    claims: dict[str, Any] = {
        "sub": "u1",
        "name": "张三",
        "roles": [Role.caseworker],
        "region": "500154",
        "programs": [],
    }
    return issue_dev_token(settings, **(claims | overrides))


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == "about:blank" and body["status"] == status
    return body


async def test_round_trip() -> None:
    settings = dev_settings()
    principal = TokenVerifier(settings).verify(
        token(settings, roles=["supervisor"], programs=[Program.assistance], region="86")
    )
    assert principal == Principal(
        "u1", "张三", frozenset({Role.supervisor}), "86", frozenset({Program.assistance})
    )
    assert principal.can_see_region("150207")
    assert not principal.can_see_minors()


async def test_principal_helpers() -> None:
    auditor = Principal("a", "审计", frozenset({Role.auditor}), "500000", frozenset())
    assert auditor.is_auditor and auditor.can_see_minors()
    assert auditor.can_see_region("500154") and not auditor.can_see_region("510100")
    worker = Principal(
        "w", "经办", frozenset({Role.caseworker}), "500154", frozenset({Program.child_protection})
    )
    assert worker.can_see_minors() and not worker.is_auditor
    assert worker.has_role(Role.admin, Role.caseworker) and not worker.has_role(Role.admin)


async def test_bearer_and_cookie() -> None:
    settings = dev_settings()
    client = client_for(make_app(settings))
    response = await client.get("/me", headers=bearer(token(settings)))
    assert response.status_code == 200
    assert response.json() == {"sub": "u1", "name": "张三", "roles": ["caseworker"]}
    client.cookies.set(SESSION_COOKIE, token(settings))
    assert (await client.get("/me")).status_code == 200


async def test_missing_credentials() -> None:
    client = client_for(make_app(dev_settings()))
    response = await client.get("/me")
    body = assert_problem(response, 401)
    assert body["title"] == "Unauthorized" and body["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("make_token", "detail"),
    [
        (lambda s: token(s, ttl_s=-3600), "过期"),
        (lambda s: token(dev_settings(jwt_dev_key=SecretStr("another-key-" + "x" * 32))), "无效"),
        (lambda s: token(dev_settings(jwt_audience="someone-else")), "无效"),
        (lambda s: token(dev_settings(jwt_issuer="someone-else")), "无效"),
        (lambda s: "not-a-jwt", "无效"),
    ],
)
async def test_rejected_tokens(make_token: Any, detail: str) -> None:
    settings = dev_settings()
    response = await client_for(make_app(settings)).get("/me", headers=bearer(make_token(settings)))
    assert detail in assert_problem(response, 401)["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


def raw_dev_token(settings: ServiceSettings, **claims: Any) -> str:
    now = int(time.time())
    base = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "u1",
        "iat": now,
        "exp": now + 60,
        "roles": ["caseworker"],
        "region": "500154",
    }
    assert settings.jwt_dev_key is not None
    return jwt.encode(base | claims, settings.jwt_dev_key.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"roles": ["janitor"]}, "未知角色"),
        ({"programs": ["lottery"]}, "未知业务"),
        ({"region": "5001"}, "行政区划"),
        ({"roles": "caseworker"}, "roles"),
    ],
)
async def test_bad_claims(claims: dict[str, Any], detail: str) -> None:
    settings = dev_settings()
    client = client_for(make_app(settings))
    response = await client.get("/me", headers=bearer(raw_dev_token(settings, **claims)))
    assert detail in assert_problem(response, 401)["detail"]


async def test_missing_exp_is_rejected() -> None:
    settings = dev_settings()
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "u1",
        "iat": now,
        "roles": [],
        "region": "500154",
    }
    assert settings.jwt_dev_key is not None
    value = jwt.encode(claims, settings.jwt_dev_key.get_secret_value(), algorithm="HS256")
    assert_problem(await client_for(make_app(settings)).get("/me", headers=bearer(value)), 401)


async def test_roles_programs_and_region() -> None:
    settings = dev_settings()
    client = client_for(make_app(settings))
    worker = bearer(token(settings))
    assert_problem(await client.get("/supervise", headers=worker), 403)
    assert_problem(await client.get("/minors", headers=worker), 403)
    admin = bearer(token(settings, roles=["admin"]))
    assert (await client.get("/supervise", headers=admin)).status_code == 200
    child = bearer(token(settings, programs=["child_protection"]))
    assert (await client.get("/minors", headers=child)).status_code == 200
    assert (await client.get("/cases/500154101001", headers=worker)).status_code == 200
    assert_problem(await client.get("/cases/500152", headers=worker), 404)


async def test_production_refuses_dev_key() -> None:
    with pytest.raises(ValidationError) as refused:
        dev_settings(environment="production")
    assert "CASEWORK_JWT_JWKS_URL" in str(refused.value) and "CASEWORK_PERSONKEY_SECRET" in str(refused.value)
    # Even settings built without validation never sign or accept development tokens in production.
    production = ServiceSettings.model_construct(
        **{**dev_settings().model_dump(), "environment": "production"}
    )
    with pytest.raises(RuntimeError):
        TokenVerifier(production)
    with pytest.raises(RuntimeError):
        token(production)
    with pytest.raises(RuntimeError):
        make_app(production)


async def test_jwks_rs256(monkeypatch: pytest.MonkeyPatch) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwks = {"keys": [jwk | {"kid": "k1", "use": "sig", "alg": "RS256"}]}
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda self: jwks)
    settings = dev_settings(
        environment="production",
        jwt_jwks_url=JWKS_URL,
        jwt_issuer="https://idp",
        personkey_secret=SecretStr("a-deployment-secret-of-its-own"),
        metrics_token=SecretStr("a-scraper-token-of-its-own"),
    )
    client = client_for(make_app(settings))
    assert (await client.get("/dev/login")).status_code == 404

    now = int(time.time())
    claims = {
        "iss": "https://idp",
        "aud": settings.jwt_audience,
        "sub": "oidc-1",
        "iat": now,
        "exp": now + 60,
        "preferred_username": "李四",
        "roles": ["auditor"],
        "region": "86",
    }
    good = jwt.encode(claims, private, algorithm="RS256", headers={"kid": "k1"})
    response = await client.get("/me", headers=bearer(good))
    assert response.status_code == 200
    assert response.json() == {"sub": "oidc-1", "name": "李四", "roles": ["auditor"]}

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other, algorithm="RS256", headers={"kid": "k1"})
    assert_problem(await client.get("/me", headers=bearer(forged)), 401)
    unknown_kid = jwt.encode(claims, private, algorithm="RS256", headers={"kid": "k2"})
    assert_problem(await client.get("/me", headers=bearer(unknown_kid)), 401)
    hs = jwt.encode(claims, "dev-key-" + "x" * 32, algorithm="HS256", headers={"kid": "k1"})
    assert_problem(await client.get("/me", headers=bearer(hs)), 401)


async def test_jwks_es256_with_injected_client(monkeypatch: pytest.MonkeyPatch) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwk_client = jwt.PyJWKClient(JWKS_URL)
    monkeypatch.setattr(jwk_client, "fetch_data", lambda: {"keys": [jwk | {"kid": "e1"}]})
    settings = dev_settings()
    verifier = TokenVerifier(settings, jwk_client=jwk_client)
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "e",
        "name": "王五",
        "iat": now,
        "exp": now + 60,
        "roles": ["caseworker"],
        "region": "150207",
    }
    principal = verifier.verify(jwt.encode(claims, private, algorithm="ES256", headers={"kid": "e1"}))
    assert principal.region == "150207" and principal.name == "王五"
