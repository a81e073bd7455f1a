"""The case page's forms: each posts to the same path as the API's action (/cases/{case}/<action>), is
read into the same request model, and issues the same command through the bus."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from child_protection.domain.commands import CaseCommand
from child_protection.domain.errors import CaseNotFound
from child_protection.entrypoints.api.case_schemas import ACTIONS, PlanItemStatusIn
from child_protection.entrypoints.api.deps import RuntimeDep, actor_of, case_for_action
from child_protection.entrypoints.web.case_view import case_page
from child_protection.entrypoints.web.common import CpUser, FormError, form_values, pages, parse_form
from child_protection.service_layer.case_views import CaseScope
from shared.auth.principal import Principal
from shared.kit.errors import DomainError
from shared.web.security import PageExit, PageRoute

router = APIRouter(include_in_schema=False, route_class=PageRoute)


async def _submit(
    request: Request,
    runtime: RuntimeDep,
    principal: Principal,
    key: str,
    action: str,
    command_of: Callable[[CaseScope, dict[str, str]], CaseCommand],
    *,
    supervisor_only: bool = False,
) -> Response:
    """Check the caller may act on the case, issue the form's command; a refusal comes back on the page."""
    pages.check_origin(request, principal)
    try:
        scope = await case_for_action(runtime, principal, key, supervisor_only=supervisor_only)
    except DomainError as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc
    values = form_values(await request.form())
    try:
        await runtime.bus.handle(command_of(scope, values))
    except CaseNotFound as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc
    except (FormError, DomainError) as exc:
        message, status = (
            ("；".join(exc.messages), exc.status) if isinstance(exc, FormError) else (exc.message, exc.status)
        )
        return await case_page(
            request, runtime, principal, key, error=message, failed=action, values=values, status_code=status
        )
    return RedirectResponse(f"/cases/{scope.case_ref}?{urlencode({'done': action})}", status_code=303)


@router.post("/cases/{case}/plan-items/{item_id}/status")
async def plan_item_status(
    case: str, item_id: str, request: Request, principal: CpUser, runtime: RuntimeDep
) -> Response:
    """A service-plan line marked done or cancelled."""

    def command(scope: CaseScope, values: dict[str, str]) -> CaseCommand:
        return parse_form(PlanItemStatusIn, values).command(scope.id, actor_of(principal), item_id)

    return await _submit(request, runtime, principal, case, "plan-item-status", command)


@router.post("/cases/{case}/{action:path}")
async def case_action(
    case: str, action: str, request: Request, principal: CpUser, runtime: RuntimeDep
) -> Response:
    """One form of the case page: accept, advance, record an emergency measure, assess, close…"""
    model = ACTIONS.get(action)
    if model is None:
        pages.check_origin(request, principal)
        raise PageExit(pages.error(request, 404, "未知的操作。", principal))

    def command(scope: CaseScope, values: dict[str, str]) -> CaseCommand:
        return parse_form(model, values).command(scope.id, actor_of(principal))

    return await _submit(
        request, runtime, principal, case, action, command, supervisor_only=model.SUPERVISOR_ONLY
    )
