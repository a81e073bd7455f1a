"""Read side of the register: the register in scope, the visits due, one file as staff see it, and the
children whose planned visit is overdue."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.ext.asyncio import AsyncConnection

from child_protection.adapters.tables import case, child, child_history, child_visit
from shared.crypto import FieldCipher
from shared.identity import is_provisional, mask_id_number


async def children_with_overdue_visits(
    session: AsyncConnection, today: date, *, limit: int = 100
) -> list[uuid.UUID]:
    """Children with a scheduled visit whose due day ended before `today` (China), oldest first."""
    query = (
        select(child_visit.c.child_id, func.min(child_visit.c.due_date).label("due"))
        .where(child_visit.c.status == "scheduled", child_visit.c.due_date < today)
        .group_by(child_visit.c.child_id)
        .order_by("due")
        .limit(limit)
    )
    return [row[0] for row in (await session.execute(query)).all()]


_RISK_RANK = sql_case(
    (child.c.risk_colour == "red", 0),
    (child.c.risk_colour == "yellow", 1),
    (child.c.risk_colour == "blue", 2),
    else_=3,
)


def _visit_summary(today: date) -> Any:
    """Per child: the next scheduled visit and whether the child is overdue for a visit."""
    v = child_visit
    next_due = (
        select(func.min(v.c.due_date))
        .where(v.c.child_id == child.c.id, v.c.status == "scheduled")
        .scalar_subquery()
    )
    last_done = (
        select(func.max(v.c.visited_on))
        .where(v.c.child_id == child.c.id, v.c.status == "done")
        .scalar_subquery()
    )
    last_missed = (
        select(func.max(v.c.due_date))
        .where(v.c.child_id == child.c.id, v.c.status == "missed")
        .scalar_subquery()
    )
    # Overdue: a scheduled visit past its day (not yet marked), or a missed visit not made good since.
    overdue = or_(
        next_due < today,
        and_(last_missed.is_not(None), or_(last_done.is_(None), last_done < last_missed)),
    )
    return next_due, last_done, overdue


async def list_children(
    session: AsyncConnection,
    *,
    scope_prefix: str,
    today: date,
    due_until: date,
    category: str | None = None,
    colour: str | None = None,
    visits: str | None = None,
    flag: str | None = None,
    region: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """The register in scope: overdue for a visit first, then due within the window, by colour, by name."""
    next_due, last_done, overdue = _visit_summary(today)
    due = and_(next_due.is_not(None), next_due <= due_until)
    base = (
        select(
            child.c.id,
            child.c.name,
            child.c.gender,
            child.c.birth_date,
            child.c.region_code,
            child.c.categories,
            child.c.risk_colour,
            child.c.flags,
            child.c.responsible,
            child.c.registered_at,
            (child.c.id_number.is_not(None)).label("has_id_number"),
            next_due.label("next_visit_due"),
            last_done.label("last_visited_on"),
            overdue.label("overdue"),
            due.label("due"),
            _RISK_RANK.label("risk_rank"),
        )
        .where(child.c.region_code.startswith(scope_prefix))
        .subquery()
    )
    conditions: list[Any] = []
    if region:
        conditions.append(base.c.region_code.startswith(region))
    if category:
        conditions.append(base.c.categories.contains([category]))
    if colour:
        conditions.append(base.c.risk_colour == colour)
    if flag:
        conditions.append(base.c.flags.contains([flag]))
    if q:
        conditions.append(base.c.name.contains(q, autoescape=True))
    if visits == "overdue":
        conditions.append(base.c.overdue)
    elif visits == "due":
        conditions.append(or_(base.c.overdue, base.c.due))
    query = (
        select(base)
        .where(*conditions)
        .order_by(
            sql_case((base.c.overdue, 0), (base.c.due, 1), else_=2),
            base.c.risk_rank,
            base.c.next_visit_due.nulls_last(),
            base.c.name,
        )
        .limit(limit)
        .offset(offset)
    )
    rows = [dict(r) for r in (await session.execute(query)).mappings()]
    total = await session.scalar(select(func.count()).select_from(base).where(*conditions))
    return rows, int(total or 0)


async def visits_due(
    session: AsyncConnection,
    *,
    scope_prefix: str,
    today: date,
    until: date,
    missed_since: date,
    assigned_to: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Visits to make: overdue (missed, or past their day) first, then those due by `until`."""
    v = child_visit.alias("v")
    made_good = (
        select(child_visit.c.id)
        .where(
            child_visit.c.child_id == v.c.child_id,
            child_visit.c.status == "done",
            child_visit.c.visited_on >= v.c.due_date,
        )
        .exists()
    )
    overdue = or_(and_(v.c.status == "scheduled", v.c.due_date < today), v.c.status == "missed")
    conditions: list[Any] = [
        child.c.region_code.startswith(scope_prefix),
        or_(
            and_(v.c.status == "scheduled", v.c.due_date <= until),
            and_(v.c.status == "missed", v.c.due_date >= missed_since, ~made_good),
        ),
    ]
    if assigned_to:
        conditions.append(v.c.assigned_to == assigned_to)
    query = (
        select(
            v.c.id,
            v.c.child_id,
            v.c.due_date,
            v.c.visit_type,
            v.c.assigned_to,
            v.c.status,
            v.c.auto,
            v.c.note,
            v.c.case_id,
            overdue.label("overdue"),
            child.c.name,
            child.c.region_code,
            child.c.categories,
            child.c.risk_colour,
            child.c.flags,
        )
        .join(child, child.c.id == v.c.child_id)
        .where(*conditions)
        .order_by(sql_case((overdue, 0), else_=1), v.c.due_date, _RISK_RANK)
        .limit(limit)
    )
    return [dict(r) for r in (await session.execute(query)).mappings()]


async def child_region(session: AsyncConnection, child_id: uuid.UUID) -> str | None:
    region: str | None = await session.scalar(select(child.c.region_code).where(child.c.id == child_id))
    return region


async def child_detail(
    session: AsyncConnection, cipher: FieldCipher, child_id: uuid.UUID, *, reveal_id: bool = False
) -> dict[str, Any] | None:
    """One file as staff see it; the ID number masked unless `reveal_id` (a logged supervisor action)."""
    row = (await session.execute(select(child).where(child.c.id == child_id))).mappings().first()
    if row is None:
        return None
    detail = dict(row)
    id_number = cipher.decrypt(row["id_number"])
    detail["id_number"] = id_number if reveal_id else (mask_id_number(id_number) if id_number else None)
    detail["has_id_number"] = bool(id_number)
    detail["visits"] = [
        dict(v)
        for v in (
            await session.execute(
                select(child_visit)
                .where(child_visit.c.child_id == child_id)
                .order_by(child_visit.c.due_date.desc(), child_visit.c.scheduled_at.desc())
            )
        ).mappings()
    ]
    detail["history"] = [
        dict(h)
        for h in (
            await session.execute(
                select(child_history)
                .where(child_history.c.child_id == child_id)
                .order_by(child_history.c.id.desc())
            )
        ).mappings()
    ]
    same_child = [case.c.child_id == child_id]
    if not is_provisional(row["personkey"]):
        same_child.append(case.c.child_personkey == row["personkey"])
    detail["cases"] = [
        dict(c)
        for c in (
            await session.execute(
                select(
                    case.c.id,
                    case.c.case_ref,
                    case.c.stage,
                    case.c.urgency,
                    case.c.risk_colour,
                    case.c.opened_at,
                    case.c.closed_at,
                    case.c.region_code,
                )
                .where(or_(*same_child))
                .order_by(case.c.opened_at.desc())
            )
        ).mappings()
    ]
    return detail
