"""Read side of cases: a case by id or reference, the work queue, one case as a caseworker sees it, the
access log, the cases whose step is overdue."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.asyncio import AsyncConnection

from child_protection.adapters.tables import case, case_history
from child_protection.domain.stages import TERMINAL
from shared.audit import access_log
from shared.crypto import FieldCipher
from shared.identity import mask_id_number

# The readable reference of a case, e.g. CP-500154-2026-000005.
CASE_REF = re.compile(r"CP-[0-9]{6}-[0-9]{4}-[0-9]{6,}")
_OPEN = case.c.stage.not_in([s.value for s in TERMINAL])

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
    case.c.owner_name,
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


@dataclass(frozen=True)
class CaseScope:
    """What the access check of a case needs: its id, reference and region."""

    id: uuid.UUID
    case_ref: str
    region_code: str


def parse_case_key(key: str) -> uuid.UUID | str | None:
    """A case's UUID or its reference from a URL segment; None when it can be neither."""
    try:
        return uuid.UUID(key)
    except ValueError:
        return key if CASE_REF.fullmatch(key) else None


async def case_scope(session: AsyncConnection, key: str) -> CaseScope | None:
    """The case a URL names by UUID or by reference (CP-…), or None."""
    parsed = parse_case_key(key)
    if parsed is None:
        return None
    where = case.c.id == parsed if isinstance(parsed, uuid.UUID) else case.c.case_ref == parsed
    row = (await session.execute(select(case.c.id, case.c.case_ref, case.c.region_code).where(where))).first()
    return CaseScope(row[0], row[1], row[2]) if row is not None else None


async def work_queue(
    session: AsyncConnection,
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
        conditions.append(_OPEN)
    overdue = and_(case.c.step_due_at.is_not(None), case.c.step_due_at < now)
    query = (
        select(*_QUEUE_COLUMNS, overdue.label("overdue"))
        .where(*conditions)
        .order_by(sql_case((overdue, 0), else_=1), _RISK_RANK, _URGENCY_RANK, case.c.stage_entered_at)
        .limit(limit)
        .offset(offset)
    )
    rows = [{**r, "child": _masked_child(r["child"])} for r in (await session.execute(query)).mappings()]
    total = await session.scalar(select(func.count()).select_from(case).where(*conditions))
    return rows, int(total or 0)


def _masked_child(child: dict[str, Any]) -> dict[str, Any]:
    """The child without the encrypted ID number: only whether one is on file."""
    return {
        **{k: v for k, v in child.items() if k != "id_number"},
        "has_id_number": bool(child.get("id_number")),
    }


async def case_detail(
    session: AsyncConnection, cipher: FieldCipher, case_id: uuid.UUID, *, reveal_id: bool = False
) -> dict[str, Any] | None:
    """Everything about one case; the ID number masked unless `reveal_id` (a logged 审核人 action)."""
    row = (await session.execute(select(case).where(case.c.id == case_id))).mappings().first()
    if row is None:
        return None
    history = await session.execute(
        select(case_history).where(case_history.c.case_id == case_id).order_by(case_history.c.id)
    )
    child = dict(row["child"])
    id_number = cipher.decrypt(child.get("id_number"))
    child["id_number"] = id_number if reveal_id else (mask_id_number(id_number) if id_number else None)
    child["has_id_number"] = bool(id_number)
    return {**row, "child": child, "history": [dict(h) for h in history.mappings()]}


async def access_entries(
    session: AsyncConnection, *, scope_prefix: str, record_id: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The access log (auditors): newest first, within the auditor's region scope."""
    conditions = [or_(access_log.c.region_code.startswith(scope_prefix), access_log.c.region_code.is_(None))]
    if record_id:
        conditions.append(access_log.c.record_id == record_id)
    query = select(access_log).where(*conditions).order_by(access_log.c.at.desc()).limit(limit)
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def cases_due(session: AsyncConnection, now: datetime, *, limit: int = 100) -> list[uuid.UUID]:
    """Open cases whose step passed its due time and is not reported as breached yet, oldest first."""
    query = (
        select(case.c.id)
        .where(case.c.step_due_at < now, case.c.step_breached_at.is_(None), _OPEN)
        .order_by(case.c.step_due_at)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
