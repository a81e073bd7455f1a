"""Authentication and authorisation for caseworker APIs and pages."""

from shared.auth.deps import (
    CurrentPrincipal,
    current_principal,
    ensure_region,
    install_auth,
    require_program,
    require_roles,
)
from shared.auth.principal import Principal, Program, Role
from shared.auth.tokens import SESSION_COOKIE, AuthError, TokenVerifier, issue_dev_token

__all__ = [
    "SESSION_COOKIE",
    "AuthError",
    "CurrentPrincipal",
    "Principal",
    "Program",
    "Role",
    "TokenVerifier",
    "current_principal",
    "ensure_region",
    "install_auth",
    "issue_dev_token",
    "require_program",
    "require_roles",
]
