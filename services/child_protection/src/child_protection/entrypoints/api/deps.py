"""Dependencies of the child_protection API and pages: the runtime, who is acting, the case acted on."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from child_protection.bootstrap import ChildProtectionRuntime
from child_protection.domain.commands import Actor
from child_protection.domain.errors import NotAllowed
from child_protection.service_layer.access import checked_case, is_supervisor
from child_protection.service_layer.case_views import CaseScope
from shared.auth.principal import Principal
from shared.kit.app import get_runtime


def cp_runtime(request: Request) -> ChildProtectionRuntime:
    runtime = get_runtime(request)
    assert isinstance(runtime, ChildProtectionRuntime)
    return runtime


RuntimeDep = Annotated[ChildProtectionRuntime, Depends(cp_runtime)]


def actor_of(principal: Principal) -> Actor:
    """The caller as commands name them: the stable `sub`, and the person's name for histories."""
    return Actor(sub=principal.sub, name=principal.name or principal.sub)


CaseKey = Annotated[str, Path(description="案件 ID（UUID）或案件编号，例如 CP-500154-2026-000005")]


async def case_for_action(
    runtime: ChildProtectionRuntime, principal: Principal, key: str, *, supervisor_only: bool
) -> CaseScope:
    """The case an action names, once the caller may carry it out (404 outside scope, 403 otherwise)."""
    async with runtime.sessions() as session:
        scope = await checked_case(session, principal, key, acting=True)
    if supervisor_only and not is_supervisor(principal):
        raise NotAllowed("跳过环节须由审核人审批")
    return scope
