"""Intake desk pages of the routing table: the current rules, their history, and saving a new version."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import FormData

from intake.domain.commands import SaveRoutingTable
from intake.domain.routing import TARGETS
from intake.entrypoints.web.common import DeskUser, RuntimeDep, actor_of, pages
from intake.service_layer.routing_table import seed_rules
from intake.service_layer.views import current_routing, routing_versions
from shared.auth.principal import Principal, Role
from shared.contracts.labels import intake as labels
from shared.kit.errors import DomainError
from shared.web.formatting import form_text, int_param
from shared.web.security import PageExit, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)
EXTRA_RULE_ROWS = 3
MAX_RULE_ROWS = 500
MAX_COMMENT = 500


async def _routing_page(
    request: Request,
    runtime: RuntimeDep,
    principal: Principal,
    *,
    rows: list[dict[str, str]] | None = None,
    comment: str = "",
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    async with runtime.sessions() as session:
        version, rules = await current_routing(session, seed_rules())
        versions = await routing_versions(session)
    current = [{"code": r["code"], "name": r["name"], "target": r["target"]} for r in rules]
    editing = [r for r in (rows if rows is not None else current) if r["code"] or r["name"]]
    editing += [{"code": "", "name": "", "target": "triage"} for _ in range(EXTRA_RULE_ROWS)]
    return pages.render(
        request,
        "routing.html",
        principal=principal,
        status_code=status_code,
        version=version,
        rules=current,
        versions=versions,
        is_admin=principal.has_role(Role.admin),
        editing=editing,
        targets=[(t, labels.TARGETS[t]) for t in TARGETS],
        comment=comment,
        error=error,
        notice=notice,
    )


@router.get("/desk/routing")
async def routing_page(request: Request, principal: DeskUser, runtime: RuntimeDep) -> HTMLResponse:
    saved = request.query_params.get("saved", "")
    notice = f"分拨规则已保存为第 {int(saved)} 版。" if saved.isdigit() and len(saved) < 10 else None
    return await _routing_page(request, runtime, principal, notice=notice)


def _submitted_rules(form: FormData) -> list[dict[str, str]]:
    count = int_param(form_text(form, "row_count", 8) or None, 0, low=0, high=MAX_RULE_ROWS)
    return [
        {
            "code": form_text(form, f"rules-{i}-code", 64),
            "name": form_text(form, f"rules-{i}-name", 200),
            "target": form_text(form, f"rules-{i}-target", 32),
        }
        for i in range(count)
    ]


@router.post("/desk/routing")
async def save_routing(request: Request, principal: DeskUser, runtime: RuntimeDep) -> Response:
    """Save the edited rules as the next version of the routing table (admins only)."""
    pages.check_origin(request, principal)
    if not principal.has_role(Role.admin):
        raise PageExit(pages.error(request, 403, "只有管理员可以修改分拨规则。", principal))
    form = await request.form()
    rules = _submitted_rules(form)
    comment = form_text(form, "comment", MAX_COMMENT + 1)
    base = form_text(form, "base_version", 10)
    error: tuple[str, int] | None = None
    if not comment:
        error = "请填写修改说明（会记入变更记录）", 400
    elif len(comment) > MAX_COMMENT:
        error = f"修改说明不能超过 {MAX_COMMENT} 个字", 400
    else:
        command = SaveRoutingTable(
            rules=rules,
            actor=actor_of(principal),
            comment=comment,
            base_version=int(base) if base.isdigit() else -1,
        )
        try:
            version = await runtime.bus.handle(command)
        except IntegrityError:
            error = "分拨规则刚被他人修改，请刷新页面后重新保存", 409
        except DomainError as exc:
            error = exc.message, 400 if exc.status == 422 else exc.status
    if error is not None:
        message, code = error
        return await _routing_page(
            request, runtime, principal, rows=rules, comment=comment, error=message, status_code=code
        )
    return RedirectResponse(f"/desk/routing?saved={version}", status_code=303)
