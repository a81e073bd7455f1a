"""entries carry the case reference: what people type into the 案件编号 search (CP-500154-2026-000005)

The entries projected before keep their reference in their excerpt (`case_ref` of a case event, the order
number of a work order): filled here by the projection's own rule, so old cases are found at once and a
later rebuild reproduces the same values.

Revision ID: b729983d8112
Revises: c96fbb5b081c
Create Date: 2026-12-02 06:49:33.897167
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b729983d8112"
down_revision: str | None = "c96fbb5b081c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# timeline.domain.entry.reference: the aggregate's id field decides (case_id → its case_ref, work_order_id →
# the order number; a child's file has none); a value with a "/" points at another aggregate, one over 100
# characters is no key, and an excerpt value cut at 80 characters is not the whole reference.
_BACKFILL = """
UPDATE timeline_entry SET reference = candidate
FROM (
    SELECT event_id,
           CASE
               WHEN type LIKE 'intake.work_order.%' THEN
                   CASE WHEN coalesce(excerpt->>'work_order_id', '') <> '' THEN order_no END
               WHEN type LIKE 'child_protection.case.%' THEN
                   CASE WHEN coalesce(excerpt->>'case_id', '') <> '' THEN excerpt->>'case_ref' END
               WHEN type LIKE 'child_protection.child.%' THEN NULL
               WHEN coalesce(excerpt->>'case_id', '') <> '' THEN excerpt->>'case_ref'
               WHEN coalesce(excerpt->>'work_order_id', '') <> '' THEN order_no
           END AS candidate
    FROM timeline_entry
) c
WHERE c.event_id = timeline_entry.event_id
  AND candidate IS NOT NULL AND candidate <> ''
  AND length(candidate) <= 100 AND position('/' IN candidate) = 0
  AND NOT (length(candidate) = 80 AND right(candidate, 1) = '…')
"""


def upgrade() -> None:
    op.add_column("timeline_entry", sa.Column("reference", sa.Text(), nullable=True))
    op.execute(_BACKFILL)
    op.create_index("ix_timeline_entry_reference", "timeline_entry", ["reference"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_timeline_entry_reference", table_name="timeline_entry")
    op.drop_column("timeline_entry", "reference")
