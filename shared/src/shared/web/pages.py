"""`Pages`: one helper every service's caseworker pages use (one Jinja environment, one base template).

A service builds one `Pages` in `entrypoints/web/common.py` with its site name, colour, navigation, who
may use it and its template folder; its page modules then use `pages.render`, `pages.error`,
`pages.user` (a dependency: the logged-in user allowed here, or a login redirect, or a 403 page),
`pages.check_origin` (CSRF) and `pages.refusal` (a domain error as the page people see).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from shared.auth.login import ROLE_LABELS
from shared.auth.principal import Principal
from shared.contracts.labels import common as common_labels
from shared.kit.errors import DomainError
from shared.regions import region_label, region_name
from shared.web import formatting
from shared.web.security import PageExit, app_settings, dev_login_enabled, is_same_origin, page_principal

_SHARED_TEMPLATES = Path(__file__).resolve().parent / "templates"
ERROR_TITLES = {400: "请求有误", 403: "无权访问", 404: "未找到", 409: "操作冲突", 422: "信息不完整"}


@dataclass(frozen=True)
class NavLink:
    """One entry of the navigation bar; `shown` decides per user, `current` per path."""

    href: str
    label: str
    current: Callable[[str], bool]
    shown: Callable[[Principal], bool] = lambda _: True


def starts_with(prefix: str) -> Callable[[str], bool]:
    return lambda path: path.startswith(prefix)


class Pages:
    """Rendering, the page gate and form checks of one service's pages."""

    def __init__(
        self,
        templates: Path,
        *,
        site: str,
        brand: str,
        colour: str,
        nav: Sequence[NavLink],
        allowed: Callable[[Principal], bool],
        refused: str,
        form_page: Callable[[str], str] = lambda path: path,
        globals: Mapping[str, Any] | None = None,
        filters: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        self.site, self.brand, self.colour, self.nav = site, brand, colour, tuple(nav)
        self._allowed, self._refused, self._form_page = allowed, refused, form_page
        self.env = Environment(
            loader=ChoiceLoader([FileSystemLoader(templates), FileSystemLoader(_SHARED_TEMPLATES)]),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            time=formatting.format_time,
            masked_name=formatting.masked_name,
            masked_phone=formatting.masked_phone,
            masked_id=formatting.masked_id,
            free_text=formatting.free_text,
            region=region_label,
            region_name=region_name,
            **(filters or {}),
        )
        self.env.globals.update(
            URGENCY_LABELS=common_labels.URGENCY,
            GENDER_LABELS=common_labels.GENDER,
            SERVICE_LABELS=common_labels.SERVICES,
            ROLE_NAMES={r.value: label for r, label in ROLE_LABELS.items()},
            **(globals or {}),
        )

    def render(
        self,
        request: Request,
        template: str,
        *,
        principal: Principal | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """A page with the navigation bar for `principal`."""
        path = request.url.path
        user = None
        if principal is not None:
            roles = [ROLE_LABELS.get(r, r.value) for r in sorted(principal.roles)]
            user = {
                "name": principal.name,
                "region": region_name(principal.region),
                "roles": "、".join(roles),
            }
        links = [
            {"href": n.href, "label": n.label, "current": n.current(path)}
            for n in self.nav
            if principal is not None and n.shown(principal)
        ]
        html = self.env.get_template(template).render(
            site=self.site,
            brand=self.brand,
            colour=self.colour,
            nav=links,
            user=user,
            path=path,
            logout=dev_login_enabled(app_settings(request)),
            **context,
        )
        return HTMLResponse(html, status_code=status_code)

    def error(
        self, request: Request, status_code: int, message: str, principal: Principal | None
    ) -> HTMLResponse:
        """The error page (its status is the answer's status)."""
        title = ERROR_TITLES.get(status_code, "出错了")
        return self.render(
            request, "error.html", principal=principal, status_code=status_code, title=title, message=message
        )

    def refusal(self, request: Request, exc: DomainError, principal: Principal | None) -> HTMLResponse:
        """A domain refusal as the error page with its status (404 missing, 409 wrong step, 422 input)."""
        return self.error(request, exc.status, exc.message, principal)

    async def user(self, request: Request) -> Principal:
        """The logged-in user allowed here; without a session a login redirect, otherwise a 403 page."""
        back = None if request.method == "GET" else self._form_page(request.url.path)
        principal = await page_principal(request, back=back)
        if not self._allowed(principal):
            raise PageExit(self.error(request, 403, self._refused, principal))
        return principal

    def check_origin(self, request: Request, principal: Principal) -> None:
        """CSRF defence of a form POST: refused with a 403 page unless it came from this site."""
        if not is_same_origin(request):
            raise PageExit(self.error(request, 403, "请求来源无效，请从本系统页面提交。", principal))
