"""Read side of one case and of one 12345 work order: the scopes the timeline query runs on.

page = await case_timeline(session, "child_protection", "CP-500154-2026-000005", viewer)
page = await work_order_timeline(session, order_no, viewer, Filters(services=("intake",)))
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from timeline.adapters.tables import timeline_entry
from timeline.domain.viewer import Filters, Viewer
from timeline.service_layer.views import DEFAULT_LIMIT, Page, timeline
from timeline.settings import TimelineSettings

_t = timeline_entry
# A reference names one case; more would be a producer's mistake, and a page is no place to list them.
MAX_CASES_PER_REFERENCE = 20


async def case_refs(session: AsyncConnection, service: str, ident: str) -> list[str]:
    """The cases `ident` names in `service`: its id (`<service>/<ident>`) and every case whose human
    reference it is (CP-500154-2026-000005; a 12345 order number for intake's work orders)."""
    by_reference = await session.scalars(
        select(_t.c.case_ref)
        .where(_t.c.reference == ident, _t.c.source == service)
        .distinct()
        .limit(MAX_CASES_PER_REFERENCE)
    )
    return sorted({f"{service}/{ident}", *by_reference})


async def case_timeline(
    session: AsyncConnection,
    service: str,
    case_id: str,
    viewer: Viewer,
    filters: Filters = Filters(),
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    settings: TimelineSettings | None = None,
) -> Page:
    """Every entry of one case, named by its id or its reference (a child_protection case, an intake work
    order, a child's file in the register)."""
    # Resolved first, so the entries are read through the case_ref index (an IN over a subquery inside
    # an OR would scan the table).
    refs = await case_refs(session, service, case_id)
    return await timeline(session, _t.c.case_ref.in_(refs), viewer, filters, cursor, limit, settings)


def work_order_scope(order_no: str) -> ColumnElement[bool]:
    """Entries caused by a 12345 work order: those naming the order number, and every entry sharing the
    correlation id of intake's entries for it (intake's work order id, which the domain services carry)."""
    work_order_ids = (
        select(_t.c.correlation_id)
        .where(_t.c.order_no == order_no, _t.c.source == "intake", _t.c.correlation_id.is_not(None))
        .distinct()
        .scalar_subquery()
    )
    return or_(_t.c.order_no == order_no, _t.c.correlation_id.in_(work_order_ids))


async def work_order_timeline(
    session: AsyncConnection,
    order_no: str,
    viewer: Viewer,
    filters: Filters = Filters(),
    cursor: str | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    settings: TimelineSettings | None = None,
) -> Page:
    """Everything that happened because of one 12345 work order, across services."""
    return await timeline(session, work_order_scope(order_no), viewer, filters, cursor, limit, settings)
