"""FastAPI dependencies: who is calling, and may they do this."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool

from shared.auth.login import dev_login_router
from shared.auth.principal import Principal, Program, Role
from shared.auth.tokens import SESSION_COOKIE, AuthError, TokenVerifier
from shared.problems import ProblemException, install_problem_handlers
from shared.settings import ServiceSettings

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def install_auth(app: FastAPI, settings: ServiceSettings, *, verifier: TokenVerifier | None = None) -> None:
    """Set `app.state.token_verifier`, problem handlers and, in development, the dev login routes."""
    app.state.token_verifier = verifier or TokenVerifier(settings)
    install_problem_handlers(app)
    # Dev tokens would not verify against an OIDC provider's JWKS, so the page is useless there.
    if settings.dev_login_enabled and settings.environment != "production" and not settings.jwt_jwks_url:
        app.include_router(dev_login_router(settings))


def _credentials(request: Request) -> str | None:
    header = request.headers.get("Authorization")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return request.cookies.get(SESSION_COOKIE) or None


def unauthorized(detail: str) -> ProblemException:
    """A 401 problem with the Bearer challenge."""
    return ProblemException(401, "Unauthorized", detail, headers=_CHALLENGE)


async def current_principal(request: Request) -> Principal:
    """The verified caller, from `Authorization: Bearer` or the `casework_session` cookie."""
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise RuntimeError("install_auth() was not called for this app")
    token = _credentials(request)
    if token is None:
        raise unauthorized("请先登录")
    try:
        if verifier.uses_jwks:
            principal = await run_in_threadpool(verifier.verify, token)
        else:
            principal = verifier.verify(token)
    except AuthError as exc:
        raise unauthorized(exc.detail) from exc
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency allowing only callers holding any of `roles`; others get 403."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_role(*roles):
            raise ProblemException(403, "Forbidden", "当前账号没有执行此操作所需的角色")
        return principal

    return dependency


def require_program(program: Program) -> Callable[[Principal], Awaitable[Principal]]:
    """Dependency allowing only callers who work on `program`; others get 403."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.has_program(program):
            raise ProblemException(403, "Forbidden", "当前账号未开通此项业务")
        return principal

    return dependency


def ensure_region(principal: Principal, region_code: str) -> None:
    """Raise 404 (not 403, so existence is not disclosed) when a record is outside the caller's scope."""
    if not principal.can_see_region(region_code):
        raise ProblemException(404, "Not Found", "未找到该记录")
