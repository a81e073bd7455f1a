"""The migration that added `timeline_entry.reference` fills it for entries projected before it, by the
projection's own rule (so the old cases are found by their reference at once, and a rebuild agrees)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from infra import Database
from shared.contracts.envelope import CloudEvent
from shared.db import alembic_config

pytestmark = pytest.mark.integration
ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
BEFORE_REFERENCES = "c96fbb5b081c"
REFERENCES = "SELECT type || ' ' || coalesce(reference, '-') FROM timeline_entry ORDER BY 1"


async def _migrate_again(db: Database) -> None:
    """Back to the schema without the column (its values dropped), then forward again."""
    cfg = alembic_config(ALEMBIC_INI, db.url)
    await asyncio.to_thread(command.downgrade, cfg, BEFORE_REFERENCES)
    columns = "SELECT count(*) FROM information_schema.columns WHERE table_name = 'timeline_entry'"
    assert await db.fetchval(f"{columns} AND column_name = 'reference'") == 0
    await asyncio.to_thread(command.upgrade, cfg, "head")


async def test_old_entries_get_their_reference_from_what_they_kept(
    tl_db: Database, story: Any, project: Any
) -> None:
    s = story().full()
    await project(tl_db, s.events)
    case = ("accepted", "assessed", "closed", "emergency_responded", "reported", "stage_changed")
    expected = sorted(
        [f"child_protection.case.{kind} {s.case_no}" for kind in case]
        + [f"intake.work_order.{kind} {s.order_no}" for kind in ("accepted", "received", "replied", "routed")]
    )
    assert await tl_db.fetchcol(REFERENCES) == expected
    await _migrate_again(tl_db)
    assert await tl_db.fetchcol(REFERENCES) == expected


async def test_the_backfill_follows_the_projection_for_other_services(tl_db: Database, project: Any) -> None:
    def event(event_type: str, **data: Any) -> CloudEvent:
        source = f"/services/{event_type.split('.')[0]}"
        return CloudEvent(type=event_type, source=source, data=data, regioncode="500154")

    await project(
        tl_db,
        [
            event("assistance.case.opened", case_id="a-1", case_ref="SA-1"),
            event("assistance.case.noted", case_id="a-2", case_ref="child_protection/CP-1"),
            event("newservice.order.done", work_order_id="w-1", order_no="GD-9"),
            event("child_protection.child.updated", child_id="k-1", case_ref="CP-2", personkey="pp_1"),
        ],
    )
    expected = [
        "assistance.case.noted -",
        "assistance.case.opened SA-1",
        "child_protection.child.updated -",
        "newservice.order.done GD-9",
    ]
    assert await tl_db.fetchcol(REFERENCES) == expected
    await _migrate_again(tl_db)
    assert await tl_db.fetchcol(REFERENCES) == expected
