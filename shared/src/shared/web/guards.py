"""Guards of every HTML response: security headers, the exit a page raises, the CSRF origin check.

Free of authentication, so the development login page uses them too.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

SECURITY_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class PageExit(Exception):
    """Stop handling a page request and answer with `response` (a redirect or an error page)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class PageRoute(APIRoute):
    """Answers `PageExit` with its response and adds `SECURITY_HEADERS` to every page response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except PageExit as exc:
                response = exc.response
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return route_handler


def is_same_origin(request: Request) -> bool:
    """CSRF defence for forms: the POST names this host in `Origin` (or, failing that, `Referer`)."""
    host = request.headers.get("host", "").lower()
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    netloc = urlsplit(source).netloc.lower() if source and source != "null" else ""
    return bool(host) and netloc == host
