"""Read side: work orders as 12345 and the intake desk see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.tables import routing_table_version, work_order, work_order_history
from intake.domain.model import OPEN
from shared.crypto import FieldCipher

_COLUMNS = (
    work_order.c.id,
    work_order.c.order_no,
    work_order.c.status,
    work_order.c.received_at,
    work_order.c.channel,
    work_order.c.category_code,
    work_order.c.category_name,
    work_order.c.urgency,
    work_order.c.region_code,
    work_order.c.responsible_region,
    work_order.c.routed_to,
    work_order.c.deadline_at,
    work_order.c.flags,
    work_order.c.case_ref,
    work_order.c.urge_count,
    work_order.c.updated_at,
)


async def work_order_detail(
    session: AsyncConnection,
    cipher: FieldCipher,
    *,
    order_no: str | None = None,
    work_order_id: uuid.UUID | None = None,
) -> dict[str, Any] | None:
    """The work order as received (with supplements), its status, route, case, reply and full history."""
    where = work_order.c.order_no == order_no if order_no is not None else work_order.c.id == work_order_id
    row = (await session.execute(select(work_order).where(where))).mappings().first()
    if row is None:
        return None
    history = (
        await session.execute(
            select(work_order_history)
            .where(work_order_history.c.work_order_id == row["id"])
            .order_by(work_order_history.c.id)
        )
    ).mappings()
    return {
        "intake_id": str(row["id"]),
        "order_no": row["order_no"],
        "status": row["status"],
        "routed_to": row["routed_to"],
        "region_code": row["region_code"],
        "responsible_region": row["responsible_region"],
        "case_ref": row["case_ref"],
        "reply_text": row["reply_text"],
        "flags": row["flags"],
        "urge_count": row["urge_count"],
        "work_order": cipher.map_subjects(row["payload"], "decrypt"),
        "supplements": row["supplements"],
        "subjects": [{**s, "id_number": cipher.decrypt(s.get("id_number"))} for s in row["subjects"]],
        "history": [
            {
                "at": h["at"].isoformat(),
                "action": h["action"],
                "status": h["status"],
                "actor": h["actor"],
                "detail": h["detail"],
            }
            for h in history
        ],
    }


@dataclass(frozen=True)
class ListFilter:
    """Filters of the intake desk's work-order list."""

    status: str | None = None
    region_prefix: str | None = None
    category_code: str | None = None
    urgency: str | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    scope_prefix: str = ""


def _filtered(f: ListFilter) -> Select[Any]:
    # The desk of the reported region and the county it was routed to both see a work order.
    in_scope = or_(
        work_order.c.region_code.startswith(f.scope_prefix),
        work_order.c.responsible_region.startswith(f.scope_prefix),
    )
    conditions = [in_scope] if f.scope_prefix else []
    if f.status:
        conditions.append(work_order.c.status == f.status)
    if f.region_prefix:
        conditions.append(
            or_(
                work_order.c.region_code.startswith(f.region_prefix),
                work_order.c.responsible_region.startswith(f.region_prefix),
            )
        )
    if f.category_code:
        conditions.append(work_order.c.category_code == f.category_code)
    if f.urgency:
        conditions.append(work_order.c.urgency == f.urgency)
    if f.received_from:
        conditions.append(work_order.c.received_at >= f.received_from)
    if f.received_to:
        conditions.append(work_order.c.received_at < f.received_to)
    return select(*_COLUMNS).where(and_(True, *conditions))


async def list_work_orders(
    session: AsyncConnection, f: ListFilter, *, now: datetime, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Work orders matching the filter, overdue open ones first, then by urgency and age."""
    overdue = and_(
        work_order.c.deadline_at.is_not(None),
        work_order.c.deadline_at < now,
        work_order.c.status.in_([s.value for s in OPEN]),
    )
    urgency_rank = case(
        (work_order.c.urgency == "critical", 0), (work_order.c.urgency == "urgent", 1), else_=2
    )
    query = (
        _filtered(f)
        .add_columns(overdue.label("overdue"))
        .order_by(case((overdue, 0), else_=1), urgency_rank, work_order.c.received_at.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    total = await session.scalar(select(func.count()).select_from(_filtered(f).subquery()))
    return rows, int(total or 0)


async def work_order_row(session: AsyncConnection, work_order_id: uuid.UUID) -> dict[str, Any] | None:
    """One work order's list columns (region, category, urgency, deadline…), or None when it is unknown."""
    row = (
        (await session.execute(select(*_COLUMNS).where(work_order.c.id == work_order_id))).mappings().first()
    )
    return dict(row) if row is not None else None


async def routing_versions(session: AsyncConnection) -> list[dict[str, Any]]:
    """Every version of the routing table, newest first (who changed what, when)."""
    rows = await session.execute(
        select(routing_table_version).order_by(routing_table_version.c.version.desc())
    )
    return [dict(r) for r in rows.mappings()]


async def current_routing(session: AsyncConnection, seed: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
    """The newest routing-table version and its rules (the shipped seed before anyone saved one)."""
    row = (
        await session.execute(
            select(routing_table_version.c.version, routing_table_version.c.rules)
            .order_by(routing_table_version.c.version.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else (seed["version"], seed["rules"])
