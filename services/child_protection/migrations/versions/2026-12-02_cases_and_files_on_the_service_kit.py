"""cases and files on the service kit: the 12345 deadline and the owner's name on the case, people named by
their name in histories, the append-only histories ordered by id (no sequence column)

Revision ID: 3804a05ec7e5
Revises: afcd9252a84d
Create Date: 2026-12-02 06:55:56.134184
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3804a05ec7e5"
down_revision: str | None = "afcd9252a84d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Actors used to be written "sub（name）": the stable id now lives in `case.owner`, histories show the name.
SUB_AND_NAME = "^([^（]+)（(.+)）$"
# The same, as the value of a key that names a person inside JSONB text.
IN_JSON = '"(by|requested_by|started_by)": "([^"（]+)（([^"）]+)）"'
PEOPLE = {
    "case_history": ("actor",),
    "child_history": ("actor",),
    "child_visit": ("assigned_to", "scheduled_by", "recorded_by"),
    "child": ("responsible",),
}
JSON_PEOPLE = {"case": ("records", "skip_request", "temporary_guardianship"), "child": ("risk_history",)}


def upgrade() -> None:
    op.add_column("case", sa.Column("hotline_deadline_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("case", sa.Column("owner_name", sa.Text(), nullable=True))
    op.drop_column("case_history", "seq")
    op.drop_column("child_history", "seq")
    op.execute(
        f"""UPDATE "case" SET owner_name = regexp_replace(owner, '{SUB_AND_NAME}', '\\2'),
        owner = regexp_replace(owner, '{SUB_AND_NAME}', '\\1') WHERE owner ~ '{SUB_AND_NAME}'"""
    )
    op.execute('UPDATE "case" SET owner_name = owner WHERE owner IS NOT NULL AND owner_name IS NULL')
    for table, columns in PEOPLE.items():
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = regexp_replace({column}, '{SUB_AND_NAME}', '\\2') "
                f"WHERE {column} ~ '{SUB_AND_NAME}'"
            )
    for table, columns in JSON_PEOPLE.items():
        for column in columns:
            op.execute(
                f'UPDATE "{table}" SET {column} = '
                f"regexp_replace({column}::text, '{IN_JSON}', '\"\\1\": \"\\3\"', 'g')::jsonb "
                f"WHERE {column}::text ~ '{IN_JSON}'"
            )


def downgrade() -> None:
    # The histories' order is their ids' order: the sequence numbers are rebuilt from it.
    for table, parent in (("child_history", "child_id"), ("case_history", "case_id")):
        op.add_column(table, sa.Column("seq", sa.INTEGER(), autoincrement=False, nullable=True))
        op.execute(
            f"UPDATE {table} h SET seq = n.seq FROM (SELECT id, row_number() OVER "
            f"(PARTITION BY {parent} ORDER BY id) - 1 AS seq FROM {table}) n WHERE n.id = h.id"
        )
        op.alter_column(table, "seq", nullable=False)
    # The owner as the earlier version wrote (and matched) it; names in histories stay names.
    op.execute(
        """UPDATE "case" SET owner = owner || '（' || owner_name || '）'
        WHERE owner IS NOT NULL AND owner_name IS NOT NULL AND owner_name <> owner"""
    )
    op.drop_column("case", "owner_name")
    op.drop_column("case", "hotline_deadline_at")
