"""The access log every service keeps of who read which record: chained by hash, so an edit shows.

Each entry stores the SHA-256 of the previous entry's hash and its own canonical content; entries are
numbered in one sequence per database, written under a transaction-scoped advisory lock so the chain
never forks. `verify` recomputes the chain and names the first entry that no longer matches
(`casework audit verify <service>`). The table joins each service's migrations like the outbox.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import BigInteger, Column, Index, insert, select, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.auth.principal import Principal
from shared.db import make_metadata, table_of
from shared.observability.tracing import current_trace_id

GENESIS = "0" * 64
_LOCK = "access_log_chain"


class AuditTable(SQLModel, registry=registry(metadata=make_metadata())):
    """Base of the audit tables (their own metadata, added to the migrations of services that audit)."""


class AccessLogRow(AuditTable, table=True):
    """One read of a sensitive record (a minor's case or file, a person on the street, an ID reveal)."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_record", "record_type", "record_id"),
        Index("ix_access_log_at", "at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))
    seq: int = Field(sa_type=BigInteger, unique=True)
    at: datetime
    actor_sub: str
    actor_name: str | None = None
    actor_roles: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    record_type: str
    record_id: str
    action: str
    reason: str | None = None
    region_code: str | None = None
    trace_id: str | None = None
    prev_hash: str
    hash: str


audit_metadata = AuditTable.metadata
access_log = table_of(AccessLogRow)
_CONTENT = (
    "seq",
    "at",
    "actor_sub",
    "actor_name",
    "actor_roles",
    "record_type",
    "record_id",
    "action",
    "reason",
    "region_code",
    "trace_id",
)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """SHA-256 over the previous hash and the entry's content in a canonical JSON form."""
    content = {k: entry[k] for k in _CONTENT}
    if isinstance(content["at"], datetime):
        content["at"] = content["at"].astimezone(UTC).isoformat()
    return hashlib.sha256(prev_hash.encode() + orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def record_access(
    session: AsyncConnection,
    principal: Principal,
    *,
    record_type: str,
    record_id: str,
    action: str,
    region_code: str | None,
    reason: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one entry to the chain, in the caller's transaction."""
    await session.execute(select(text("pg_advisory_xact_lock(hashtext(:k))")).params(k=_LOCK))
    newest = select(access_log.c.seq, access_log.c.hash).order_by(access_log.c.seq.desc()).limit(1)
    last = (await session.execute(newest)).first()
    seq, prev = (last[0] + 1, last[1]) if last is not None else (1, GENESIS)
    entry: dict[str, Any] = {
        "seq": seq,
        "at": (at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0),
        "actor_sub": principal.sub,
        "actor_name": principal.name,
        "actor_roles": sorted(r.value for r in principal.roles),
        "record_type": record_type,
        "record_id": record_id,
        "action": action,
        "reason": reason,
        "region_code": region_code,
        "trace_id": current_trace_id(),
    }
    await session.execute(insert(access_log).values(**entry, prev_hash=prev, hash=entry_hash(prev, entry)))


@dataclass(frozen=True)
class ChainReport:
    """What `verify` found: how many entries it checked, and the first that does not match (if any)."""

    checked: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


async def verify(db: AsyncConnection) -> ChainReport:
    """Recompute the chain from the first entry; stop at the first entry edited, removed or reordered."""
    prev, expected_seq, checked = GENESIS, 1, 0
    rows = await db.stream(select(access_log).order_by(access_log.c.seq))
    async for row in rows.mappings():
        entry = dict(row)
        if entry["seq"] != expected_seq:
            return ChainReport(checked, entry["seq"], f"entry {expected_seq} is missing")
        if entry["prev_hash"] != prev:
            return ChainReport(checked, entry["seq"], "its link to the previous entry does not match")
        if entry_hash(prev, entry) != entry["hash"]:
            return ChainReport(checked, entry["seq"], "its content was changed after it was written")
        prev, expected_seq, checked = entry["hash"], expected_seq + 1, checked + 1
    return ChainReport(checked)
