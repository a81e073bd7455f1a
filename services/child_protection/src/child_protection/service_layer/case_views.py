"""Read side: the work queue, a case as a caseworker sees it, the access log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.asyncio import AsyncSession

from child_protection.adapters.tables import access_log, case, case_history
from child_protection.domain.stages import TERMINAL
from shared.crypto import FieldCipher
from shared.identity import mask_id_number

_QUEUE_COLUMNS = (
    case.c.id,
    case.c.case_ref,
    case.c.region_code,
    case.c.urgency,
    case.c.stage,
    case.c.stage_entered_at,
    case.c.step_due_at,
    case.c.step_breached_at,
    case.c.owner,
    case.c.risk_colour,
    case.c.child,
    case.c.opened_at,
    case.c.order_no,
)
_RISK_RANK = sql_case(
    (case.c.risk_colour == "red", 0),
    (case.c.risk_colour == "yellow", 1),
    (case.c.risk_colour == "blue", 2),
    (case.c.risk_colour == "green", 3),
    else_=4,
)
_URGENCY_RANK = sql_case((case.c.urgency == "critical", 0), (case.c.urgency == "urgent", 1), else_=2)


async def work_queue(
    session: AsyncSession,
    *,
    scope_prefix: str,
    now: datetime,
    owner: str | None = None,
    stage: str | None = None,
    include_closed: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Cases in scope: overdue first, then by risk colour and urgency, then oldest step first."""
    conditions = [case.c.region_code.startswith(scope_prefix)]
    if owner:
        conditions.append(case.c.owner == owner)
    if stage:
        conditions.append(case.c.stage == stage)
    elif not include_closed:
        conditions.append(case.c.stage.not_in([s.value for s in TERMINAL]))
    overdue = and_(case.c.step_due_at.is_not(None), case.c.step_due_at < now)
    query = (
        select(*_QUEUE_COLUMNS, overdue.label("overdue"))
        .where(*conditions)
        .order_by(sql_case((overdue, 0), else_=1), _RISK_RANK, _URGENCY_RANK, case.c.stage_entered_at)
        .limit(limit)
        .offset(offset)
    )
    rows = []
    for row in (await session.execute(query)).mappings():
        item = dict(row)
        item["child"] = _masked_child(item["child"])
        rows.append(item)
    total = await session.scalar(select(func.count()).select_from(case).where(*conditions))
    return rows, int(total or 0)


def _masked_child(child: dict[str, Any]) -> dict[str, Any]:
    """The child without the encrypted ID number: only whether one is on file, and its mask."""
    return {
        **{k: v for k, v in child.items() if k != "id_number"},
        "has_id_number": bool(child.get("id_number")),
    }


async def case_detail(
    session: AsyncSession, cipher: FieldCipher, case_id: uuid.UUID, *, reveal_id: bool = False
) -> dict[str, Any] | None:
    """Everything about one case; the ID number masked unless `reveal_id` (a logged supervisor action)."""
    row = (await session.execute(select(case).where(case.c.id == case_id))).mappings().first()
    if row is None:
        return None
    history = (
        await session.execute(
            select(case_history).where(case_history.c.case_id == case_id).order_by(case_history.c.seq)
        )
    ).mappings()
    detail = dict(row)
    child = dict(row["child"])
    id_number = cipher.decrypt(child.get("id_number"))
    child["id_number"] = id_number if reveal_id else (mask_id_number(id_number) if id_number else None)
    detail["child"] = child
    detail["history"] = [dict(h) for h in history]
    return detail


async def access_entries(
    session: AsyncSession, *, scope_prefix: str, record_id: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The access log (auditors): newest first, within the auditor's region scope."""
    conditions = [or_(access_log.c.region_code.startswith(scope_prefix), access_log.c.region_code.is_(None))]
    if record_id:
        conditions.append(access_log.c.record_id == record_id)
    query = select(access_log).where(*conditions).order_by(access_log.c.at.desc()).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def case_region(session: AsyncSession, case_id: uuid.UUID) -> str | None:
    """The region of a case (for the access check before any change)."""
    region: str | None = await session.scalar(select(case.c.region_code).where(case.c.id == case_id))
    return region
