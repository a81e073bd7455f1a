"""JWT issuing (development issuer) and verification (dev key or an OIDC provider's JWKS)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import jwt

from shared.auth.principal import Principal, Program, Role
from shared.regions import is_scope
from shared.settings import ServiceSettings

SESSION_COOKIE = "casework_session"
DEV_ALGORITHM = "HS256"
JWKS_ALGORITHMS = ("RS256", "ES256")
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


class AuthError(Exception):
    """The request carries no usable credentials; `detail` is shown to the user."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _dev_key(settings: ServiceSettings) -> str:
    if settings.environment == "production":
        raise RuntimeError("the development signing key must not be used in production")
    if settings.jwt_dev_key is None:
        raise RuntimeError("jwt_dev_key is not configured")
    return settings.jwt_dev_key.get_secret_value()


def issue_dev_token(
    settings: ServiceSettings,
    *,
    sub: str,
    name: str,
    roles: Iterable[Role | str],
    region: str,
    programs: Iterable[Program | str] = (),
    ttl_s: int = 8 * 3600,
) -> str:
    """Sign an HS256 token with the development key (never in production)."""
    if not is_scope(region):
        raise ValueError(f"not a region scope: {region!r}")
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": sub,
        "name": name,
        "roles": sorted(Role(role).value for role in roles),
        "region": region,
        "programs": sorted(Program(program).value for program in programs),
        "iat": now,
        "exp": now + ttl_s,
    }
    return jwt.encode(claims, _dev_key(settings), algorithm=DEV_ALGORITHM)


def _str_list(claims: dict[str, Any], name: str) -> list[str]:
    value = claims.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise AuthError(f"登录凭证中的 {name} 格式不正确")
    return value


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """Build a Principal from verified claims, rejecting unknown roles, programs and regions."""
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise AuthError("登录凭证缺少用户标识")
    name = claims.get("name") or claims.get("preferred_username") or sub
    region = claims.get("region")
    if not isinstance(region, str) or not is_scope(region):
        raise AuthError("登录凭证缺少有效的行政区划代码")
    role_names = _str_list(claims, "roles")
    unknown = sorted(set(role_names) - set(Role))
    if unknown:
        raise AuthError(f"登录凭证包含未知角色：{'、'.join(unknown)}")
    program_names = _str_list(claims, "programs")
    unknown = sorted(set(program_names) - set(Program))
    if unknown:
        raise AuthError(f"登录凭证包含未知业务：{'、'.join(unknown)}")
    return Principal(
        sub=sub,
        name=str(name),
        roles=frozenset(Role(role) for role in role_names),
        region=region,
        programs=frozenset(Program(program) for program in program_names),
    )


class TokenVerifier:
    """Verifies bearer tokens against the JWKS if configured, else the development key."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        jwk_client: jwt.PyJWKClient | None = None,
        leeway_s: float = 30,
    ) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._leeway = leeway_s
        self._dev_key: str | None = None
        self._jwk_client: jwt.PyJWKClient | None = None
        if jwk_client is not None or settings.jwt_jwks_url:
            self._jwk_client = jwk_client or jwt.PyJWKClient(
                str(settings.jwt_jwks_url), cache_keys=True, lifespan=600, timeout=10
            )
        else:
            self._dev_key = _dev_key(settings)

    @property
    def uses_jwks(self) -> bool:
        """Whether verification may fetch keys over the network (and so block)."""
        return self._jwk_client is not None

    def _key(self, token: str) -> tuple[Any, list[str]]:
        if self._jwk_client is None:
            return self._dev_key, [DEV_ALGORITHM]
        try:
            return self._jwk_client.get_signing_key_from_jwt(token).key, list(JWKS_ALGORITHMS)
        except jwt.PyJWKClientConnectionError as exc:
            raise AuthError("暂时无法验证登录凭证，请稍后重试") from exc
        except jwt.PyJWTError as exc:
            raise AuthError("登录凭证无效") from exc

    def verify(self, token: str) -> Principal:
        """Check signature, issuer, audience and expiry, and return the user."""
        if not token:
            raise AuthError("缺少登录凭证")
        key, algorithms = self._key(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("登录已过期，请重新登录") from exc
        except jwt.InvalidTokenError as exc:
            raise AuthError("登录凭证无效") from exc
        return principal_from_claims(claims)
