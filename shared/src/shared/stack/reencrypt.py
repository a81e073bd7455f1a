"""Key rotation: rewrite every stored encrypted field of a service's database under its current key.

It finds the values itself: every text and JSONB column of every table holding `enc:` values (inside
JSONB too, at any depth), so a service needs to declare nothing. Each table is rewritten in its own
transaction; values already under the current key are left alone, so a run can be repeated safely.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson

from shared.crypto import PREFIX, FieldCipher
from shared.stack.postgres import asyncpg_dsn

_SKIP = frozenset({"outbox_message", "inbox_message", "alembic_version"})
_COLUMNS = """
SELECT table_name, column_name, data_type FROM information_schema.columns
WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb')
ORDER BY table_name, ordinal_position
"""


def _rotate(value: Any, cipher: FieldCipher) -> tuple[Any, int]:
    """The value with every encrypted string not under the current key re-encrypted; how many changed."""
    if isinstance(value, str):
        if value.startswith(PREFIX) and not cipher.is_current(value):
            return cipher.reencrypt(value), 1
        return value, 0
    if isinstance(value, dict):
        changed = 0
        out = {}
        for key, item in value.items():
            out[key], n = _rotate(item, cipher)
            changed += n
        return out, changed
    if isinstance(value, list):
        items = [_rotate(item, cipher) for item in value]
        return [v for v, _ in items], sum(n for _, n in items)
    return value, 0


async def reencrypt(database_url: str, cipher: FieldCipher) -> dict[str, int]:
    """`{"table.column": values rewritten}` for every column that held a value under an older key."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    rewritten: dict[str, int] = {}
    try:
        for table, column, kind in [tuple(r) for r in await conn.fetch(_COLUMNS)]:
            if table in _SKIP:
                continue
            count = await _rotate_column(conn, cipher, table, column, jsonb=kind == "jsonb")
            if count:
                rewritten[f"{table}.{column}"] = count
    finally:
        await conn.close()
    return rewritten


async def _rotate_column(
    conn: asyncpg.Connection, cipher: FieldCipher, table: str, column: str, *, jsonb: bool
) -> int:
    # Identifiers come from the database's own catalogue, quoted; values are bound parameters.
    t, c = f'"{table}"', f'"{column}"'
    marker = f'%"{PREFIX}%' if jsonb else f"{PREFIX}%"
    total = 0
    async with conn.transaction():
        rows = await conn.fetch(
            f"SELECT ctid, {c}::text AS v FROM {t} WHERE {c}::text LIKE $1 FOR UPDATE", marker
        )
        for row in rows:
            value = orjson.loads(row["v"]) if jsonb else row["v"]
            rotated, changed = _rotate(value, cipher)
            if changed:
                new = orjson.dumps(rotated).decode() if jsonb else rotated
                cast = "::jsonb" if jsonb else ""
                await conn.execute(f"UPDATE {t} SET {c} = $1{cast} WHERE ctid = $2", new, row["ctid"])
                total += changed
    return total
