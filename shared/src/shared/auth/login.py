"""Development login page: pick a name, role, region and programs and get a session cookie."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment

from shared.auth.principal import Program, Role
from shared.auth.tokens import SESSION_COOKIE, issue_dev_token
from shared.ratelimit import RateLimit
from shared.regions import is_scope
from shared.settings import ServiceSettings
from shared.web.guards import PageExit, PageRoute, is_same_origin

SESSION_TTL_S = 8 * 3600

NextParam = Annotated[str | None, Query(alias="next")]

ROLE_LABELS: dict[Role, str] = {
    Role.intake_agent: "受理员",
    Role.caseworker: "经办人",
    Role.supervisor: "审核人",
    Role.auditor: "审计员",
    Role.admin: "管理员",
}

PROGRAM_LABELS: dict[Program, str] = {
    Program.child_protection: "未成年人保护",
    Program.assistance: "社会救助",
    Program.vagrant_rescue: "流浪乞讨救助",
}

_PAGE = """<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>开发环境登录</title></head>
<body>
<h1>开发环境登录</h1>
<p>仅用于本地开发和测试，生产环境不可用。</p>
{% if error %}<p role="alert" style="color:#b00">{{ error }}</p>{% endif %}
<form method="post">
  <input type="hidden" name="next" value="{{ next }}">
  <p><label>姓名 <input name="name" required maxlength="50" value="{{ name }}"></label></p>
  <p><label>角色 <select name="role">
  {% for value, label in roles %}
    <option value="{{ value }}"{% if value == role %} selected{% endif %}>{{ label }}</option>
  {% endfor %}
  </select></label></p>
  <p><label>行政区划代码 <input name="region" required value="{{ region }}"
     pattern="[0-9]{6}([0-9]{3}){0,2}|86"></label></p>
  <fieldset><legend>业务</legend>
  {% for value, label in programs %}
    <label><input type="checkbox" name="programs" value="{{ value }}"
      {%- if value in checked %} checked{% endif %}> {{ label }}</label>
  {% endfor %}
  </fieldset>
  <p><button type="submit">登录</button></p>
</form>
</body>
</html>
"""

_template = Environment(autoescape=True).from_string(_PAGE)


def safe_next(target: str | None) -> str:
    """Return `target` if it is a same-site relative path, else "/"."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(char) < 0x20 or char.isspace() for char in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _render(
    *,
    next_url: str,
    name: str = "",
    role: str = Role.caseworker.value,
    region: str = "",
    checked: frozenset[str] = frozenset(),
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    html = _template.render(
        next=next_url,
        name=name,
        role=role,
        region=region,
        checked=checked,
        error=error,
        roles=[(role.value, label) for role, label in ROLE_LABELS.items()],
        programs=[(program.value, label) for program, label in PROGRAM_LABELS.items()],
    )
    return HTMLResponse(html, status_code=status_code)


def _same_site_only(request: Request) -> None:
    """Login CSRF: a form posted from another site must not log the browser in (or out)."""
    if not is_same_origin(request):
        raise PageExit(_render(next_url="/", error="请求来源无效，请从本页面提交。", status_code=403))


def dev_login_router(settings: ServiceSettings) -> APIRouter:
    """Routes `GET/POST /dev/login` and `POST /dev/logout` signing with the development key; the page
    carries the same security headers as every page, posts must come from this site, and attempts are
    rate-limited per client address."""
    router = APIRouter(prefix="/dev", include_in_schema=False, route_class=PageRoute)
    attempts = RateLimit(settings.login_rate_limit)

    @router.get("/login")
    async def login_page(next_url: NextParam = None) -> HTMLResponse:
        return _render(next_url=safe_next(next_url))

    @router.post("/login")
    async def login(request: Request) -> Response:
        _same_site_only(request)
        attempts.check(request.client.host if request.client else "unknown", what="登录")
        form = await request.form()
        values = {key: value for key, value in form.multi_items() if isinstance(value, str)}
        name = values.get("name", "").strip()
        role = values.get("role", "")
        region = values.get("region", "").strip()
        checked = frozenset(v for v in form.getlist("programs") if isinstance(v, str))
        next_url = safe_next(values.get("next") or request.query_params.get("next"))
        error = None
        if not name or len(name) > 50:
            error = "请填写姓名（不超过 50 个字）"
        elif role not in set(Role):
            error = "请选择有效的角色"
        elif not is_scope(region):
            error = "行政区划代码应为 6、9 或 12 位数字（全国为 86）"
        elif not checked <= set(Program):
            error = "请选择有效的业务"
        if error is not None:
            return _render(
                next_url=next_url,
                name=name,
                role=role,
                region=region,
                checked=checked,
                error=error,
                status_code=400,
            )
        token = issue_dev_token(
            settings,
            sub=f"dev:{name}",
            name=name,
            roles=[role],
            region=region,
            programs=checked,
            ttl_s=SESSION_TTL_S,
        )
        response = RedirectResponse(next_url, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=SESSION_TTL_S,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @router.post("/logout")
    async def logout(request: Request, next_url: NextParam = None) -> Response:
        _same_site_only(request)
        response = RedirectResponse(safe_next(next_url or "/dev/login"), status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
        return response

    return router
