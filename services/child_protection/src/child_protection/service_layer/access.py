"""Who may see and do what on a child's case, and the access log of every view."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from child_protection.adapters.tables import access_log
from shared.auth.principal import Principal, Program, Role
from shared.observability.tracing import current_trace_id

WORKER_ROLES = (Role.caseworker, Role.supervisor, Role.admin)


def can_use_service(principal: Principal) -> bool:
    """Child-protection staff and auditors; nobody else sees anything of this service."""
    if principal.has_role(Role.auditor):
        return True
    return principal.has_program(Program.child_protection) and principal.has_role(*WORKER_ROLES)


def can_read(principal: Principal, region_code: str) -> bool:
    """Child-protection staff of the case's region, and auditors of that region."""
    if not principal.can_see_region(region_code):
        return False
    if principal.has_role(Role.auditor):
        return True
    return principal.has_program(Program.child_protection) and principal.has_role(*WORKER_ROLES)


def can_act(principal: Principal, region_code: str) -> bool:
    """Auditors read; only child-protection caseworkers, supervisors and admins change a case."""
    return (
        principal.can_see_region(region_code)
        and principal.has_program(Program.child_protection)
        and principal.has_role(*WORKER_ROLES)
    )


def is_supervisor(principal: Principal) -> bool:
    return principal.has_role(Role.supervisor, Role.admin)


async def log_access(
    session: AsyncSession,
    principal: Principal,
    *,
    record_type: str,
    record_id: str,
    action: str,
    region_code: str | None,
    reason: str | None = None,
) -> None:
    """Record who looked at which record, when, and under which trace."""
    await session.execute(
        insert(access_log).values(
            actor_sub=principal.sub,
            actor_name=principal.name,
            actor_roles=sorted(r.value for r in principal.roles),
            record_type=record_type,
            record_id=record_id,
            action=action,
            reason=reason,
            region_code=region_code,
            trace_id=current_trace_id(),
        )
    )
