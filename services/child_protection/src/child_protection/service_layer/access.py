"""Who may see and do what on a child's case or file, the checks the API and the pages share, and the
access log of every view."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncConnection

from child_protection.domain.errors import CaseNotFound, ChildNotFound, NotAllowed
from child_protection.service_layer.case_views import CaseScope, case_scope
from child_protection.service_layer.child_views import child_region
from shared.audit import record_access
from shared.auth.policy import CHILD_PROTECTION as POLICY
from shared.auth.policy import Action
from shared.auth.principal import Principal
from shared.masking import mask_text

CASE_NOT_FOUND = "案件不存在，或不在您的管辖范围内"
CHILD_NOT_FOUND = "儿童档案不存在，或不在您的管辖范围内"
SERVICE_REFUSED = "未成年人保护业务仅供未成年人保护工作人员和审计人员使用，当前账号没有相应的业务或角色"


def is_worker(principal: Principal) -> bool:
    """Child-protection staff who may report and carry cases (in their region); auditors only read."""
    return POLICY.uses(principal, Action.act)


def can_use_service(principal: Principal) -> bool:
    """Child-protection staff and auditors; nobody else sees anything of this service."""
    return POLICY.uses(principal, Action.read)


def can_read(principal: Principal, region_code: str) -> bool:
    """Child-protection staff of the case's region, and auditors of that region."""
    return POLICY.allows(principal, Action.read, region_code, sensitive=True)


def can_act(principal: Principal, region_code: str) -> bool:
    """Only child-protection caseworkers, 审核人 and admins of the region change a case or a file."""
    return POLICY.allows(principal, Action.act, region_code, sensitive=True)


def is_supervisor(principal: Principal) -> bool:
    """审核人 (and admins) of the program: approve skips, reveal ID numbers."""
    return POLICY.uses(principal, Action.supervise)


def can_audit(principal: Principal) -> bool:
    return POLICY.uses(principal, Action.audit)


async def checked_case(
    session: AsyncConnection, principal: Principal, key: str, *, acting: bool
) -> CaseScope:
    """The case named by id or reference once the caller may read it (and change it, when `acting`).

    Outside the caller's scope looks the same as missing: a child's case does not disclose that it exists.
    """
    if not can_use_service(principal):
        # Decided by who calls, not by the record: nothing is disclosed, and the answer says why.
        raise NotAllowed(SERVICE_REFUSED)
    scope = await case_scope(session, key)
    if scope is None or not can_read(principal, scope.region_code):
        raise CaseNotFound(CASE_NOT_FOUND)
    if acting and not can_act(principal, scope.region_code):
        raise NotAllowed("您只能查看该案件，不能办理")
    return scope


async def checked_child(
    session: AsyncConnection, principal: Principal, child_id: uuid.UUID | None, *, acting: bool
) -> str:
    """The file's region once the caller may read it (and change it, when `acting`)."""
    if not can_use_service(principal):
        raise NotAllowed(SERVICE_REFUSED)
    region = await child_region(session, child_id) if child_id is not None else None
    if region is None or not can_read(principal, region):
        raise ChildNotFound(CHILD_NOT_FOUND)
    if acting and not can_act(principal, region):
        raise NotAllowed("您没有修改该儿童档案的权限（审计人员只能查看）")
    return region


async def log_access(
    session: AsyncConnection,
    principal: Principal,
    *,
    record_type: str,
    record_id: str,
    action: str,
    region_code: str | None,
    reason: str | None = None,
) -> None:
    """Record who looked at which record, when, and under which trace (the hash-chained access log)."""
    await record_access(
        session,
        principal,
        record_type=record_type,
        record_id=record_id,
        action=action,
        region_code=region_code,
        # A reason is free text: it may carry a number someone typed; the log keeps it masked.
        reason=mask_text(reason) if reason else reason,
    )
