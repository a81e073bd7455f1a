"""Plumbing of server-rendered caseworker pages (plain HTML forms, no JavaScript).

- `PageRoute`: a route class that turns `PageExit` (raised by a page or one of its dependencies) into
  its response and adds the security headers (no caching of personal data, a strict CSP, no framing);
- `page_principal`: the logged-in user, or a redirect to the development login page when it is
  enabled (otherwise the 401 problem, as for the API);
- `is_same_origin`: the CSRF check of form POSTs (`Origin`, or failing that `Referer`, names this host).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import RedirectResponse

from shared.auth.deps import current_principal
from shared.auth.principal import Principal
from shared.problems import ProblemException
from shared.settings import ServiceSettings
from shared.web.guards import SECURITY_HEADERS, PageExit, PageRoute, is_same_origin

__all__ = [
    "SECURITY_HEADERS",
    "PageExit",
    "PageRoute",
    "app_settings",
    "current_path",
    "dev_login_enabled",
    "is_same_origin",
    "login_url",
    "page_principal",
]


def dev_login_enabled(settings: ServiceSettings) -> bool:
    """Whether `/dev/login` exists (the same rule as `install_auth`)."""
    return settings.dev_login_enabled and settings.environment != "production" and not settings.jwt_jwks_url


def app_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


def login_url(next_path: str) -> str:
    return "/dev/login?" + urlencode({"next": next_path})


def current_path(request: Request) -> str:
    """The path and query of a GET request (where to come back after logging in)."""
    path = request.url.path
    return f"{path}?{request.url.query}" if request.url.query else path


async def page_principal(request: Request, *, back: str | None = None) -> Principal:
    """The logged-in user; without a session a browser goes to the login page and returns to `back`.

    `back` defaults to the requested page; a form's POST should pass the page that showed the form.
    When the development login is disabled the 401 problem is raised as for the API.
    """
    try:
        return await current_principal(request)
    except ProblemException as exc:
        if exc.status == 401 and dev_login_enabled(app_settings(request)):
            target = back if back is not None else current_path(request)
            raise PageExit(RedirectResponse(login_url(target), status_code=303)) from exc
        raise
