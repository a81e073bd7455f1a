"""Intake's repositories: the ports the handlers use, and their PostgreSQL adapters (never commit)."""

from __future__ import annotations

import abc
import random
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from intake.adapters.routing_cache import RoutingCache
from intake.adapters.tables import (
    HotlineEventRow,
    RoutingTableVersionRow,
    WorkOrderRow,
    hotline_nonce,
    work_order,
    work_order_history,
)
from intake.domain.model import WorkOrder
from intake.domain.routing import RoutingRule, RoutingTable
from shared.crypto import FieldCipher
from shared.kit import mapping
from shared.kit.rows import append_history, save_versioned
from shared.kit.unit_of_work import Tracker

_COLUMNS = tuple(work_order.c.keys())
# Built once, values passed at execution: a statement built per call spends more CPU on its cache key
# than the database spends on the insert.
_ADD = (
    pg_insert(work_order)
    .values(updated_at=func.now())
    .on_conflict_do_nothing(index_elements=[work_order.c.order_no])
    .returning(work_order.c.id)
)
_CLAIM_NONCE = pg_insert(hotline_nonce).on_conflict_do_nothing().returning(hotline_nonce.c.nonce)


class AbstractWorkOrderRepository(abc.ABC):
    """Work orders by id or 12345 number; what it hands out is tracked for the outbox."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    async def get(self, work_order_id: uuid.UUID) -> WorkOrder | None:
        return self._tracked(await self._get(work_order_id, None))

    async def get_by_order_no(self, order_no: str) -> WorkOrder | None:
        return self._tracked(await self._get(None, order_no))

    def _tracked(self, wo: WorkOrder | None) -> WorkOrder | None:
        if wo is not None:
            self.tracker.track(wo)
        return wo

    async def add(self, wo: WorkOrder, *, body_sha256: str, receipt: dict[str, Any]) -> bool:
        """Store a new work order with the hash of the body and the receipt answered for it; False (and
        nothing stored or staged) when its 12345 number is already stored."""
        if not await self._add(wo, body_sha256, receipt):
            return False
        self.tracker.track(wo)
        return True

    @abc.abstractmethod
    async def _get(self, work_order_id: uuid.UUID | None, order_no: str | None) -> WorkOrder | None: ...

    @abc.abstractmethod
    async def _add(self, wo: WorkOrder, body_sha256: str, receipt: dict[str, Any]) -> bool: ...

    @abc.abstractmethod
    async def save(self, wo: WorkOrder) -> None:
        """Write back a loaded work order (optimistic version check)."""

    @abc.abstractmethod
    async def receipt(self, order_no: str) -> tuple[str, dict[str, Any]]:
        """The body hash and receipt stored with a work order (an identical repeat gets the receipt)."""


class AbstractHotlineRepository(abc.ABC):
    """What 12345 sent besides work orders: later-action receipts, nonces, the routing table."""

    @abc.abstractmethod
    async def event_receipt(self, event_id: str) -> tuple[str, dict[str, Any]] | None:
        """(body hash, receipt) of a later action already recorded."""

    @abc.abstractmethod
    async def add_event(
        self, event_id: str, work_order_id: uuid.UUID, body_sha256: str, receipt: dict[str, Any]
    ) -> None: ...

    @abc.abstractmethod
    async def claim_nonce(self, key_id: str, nonce: str, *, window_s: int) -> bool:
        """Record the nonce; False when it was already used inside the window."""

    @abc.abstractmethod
    async def routing_table(self, seed: dict[str, Any]) -> RoutingTable:
        """The newest routing table, seeding `seed` as version 1 on first use."""

    @abc.abstractmethod
    async def add_routing_version(
        self, version: int, rules: list[dict[str, str]], *, changed_by: str, comment: str | None
    ) -> None: ...


def routing_table_of(version: int, rules: list[dict[str, Any]]) -> RoutingTable:
    return RoutingTable(version, {r["code"]: RoutingRule(r["code"], r["name"], r["target"]) for r in rules})


class SqlWorkOrderRepository(AbstractWorkOrderRepository):
    """Work orders in PostgreSQL; ID numbers of subjects are stored encrypted."""

    def __init__(self, tracker: Tracker, session: AsyncConnection, cipher: FieldCipher) -> None:
        super().__init__(tracker)
        self.session = session
        self.cipher = cipher

    async def _get(self, work_order_id: uuid.UUID | None, order_no: str | None) -> WorkOrder | None:
        where = work_order.c.id == work_order_id if work_order_id else work_order.c.order_no == order_no
        # Row lock: writes to one work order serialise, so its events keep their order.
        row = (
            (await self.session.execute(select(work_order).where(where).with_for_update())).mappings().first()
        )
        if row is None:
            return None
        subjects = [{**s, "id_number": self.cipher.decrypt(s.get("id_number"))} for s in row["subjects"]]
        return mapping.load(WorkOrder, {**row, "subjects": subjects})

    def _values(self, wo: WorkOrder) -> dict[str, Any]:
        subjects = [{**mapping.dump(s), "id_number": self.cipher.encrypt(s.id_number)} for s in wo.subjects]
        return mapping.values(wo, _COLUMNS, subjects=subjects)

    async def _add(self, wo: WorkOrder, body_sha256: str, receipt: dict[str, Any]) -> bool:
        wo.version = 1
        values = self._values(wo)
        values.update(
            payload=self.cipher.map_subjects(wo.payload, "encrypt"), body_sha256=body_sha256, receipt=receipt
        )
        # One statement for "new or repeat": a concurrent first receipt of the same number waits here and
        # then finds it stored (no lock taken beforehand, no unique-violation to recover from).
        stored = await self.session.scalar(_ADD, values)
        if stored is None:
            return False
        await self._append_history(wo)
        return True

    async def save(self, wo: WorkOrder) -> None:
        values = self._values(wo)
        for fixed in ("id", "order_no", "payload", "received_at", "version"):
            values.pop(fixed, None)
        await save_versioned(self.session, work_order, wo, values, conflict="工单已被其他操作修改，请重试")
        await self._append_history(wo)

    async def _append_history(self, wo: WorkOrder) -> None:
        await append_history(self.session, work_order_history, "work_order_id", wo.id, wo.history)

    async def receipt(self, order_no: str) -> tuple[str, dict[str, Any]]:
        row = (
            await self.session.execute(
                select(col(WorkOrderRow.body_sha256), col(WorkOrderRow.receipt)).where(
                    col(WorkOrderRow.order_no) == order_no
                )
            )
        ).one()
        return row[0], row[1]


class SqlHotlineRepository(AbstractHotlineRepository):
    """Later-action receipts, nonces and routing-table versions in PostgreSQL."""

    def __init__(
        self,
        session: AsyncConnection,
        cache: RoutingCache | None = None,
        after_commit: list[Callable[[], None]] | None = None,
    ) -> None:
        self.session = session
        self.cache = cache or RoutingCache(0)
        self._after_commit = after_commit if after_commit is not None else []

    async def event_receipt(self, event_id: str) -> tuple[str, dict[str, Any]] | None:
        row = (
            await self.session.execute(
                select(col(HotlineEventRow.body_sha256), col(HotlineEventRow.receipt)).where(
                    col(HotlineEventRow.event_id) == event_id
                )
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def add_event(
        self, event_id: str, work_order_id: uuid.UUID, body_sha256: str, receipt: dict[str, Any]
    ) -> None:
        await self.session.execute(
            insert(HotlineEventRow).values(
                event_id=event_id, work_order_id=work_order_id, body_sha256=body_sha256, receipt=receipt
            )
        )

    async def claim_nonce(self, key_id: str, nonce: str, *, window_s: int) -> bool:
        claimed = await self.session.scalar(_CLAIM_NONCE, {"key_id": key_id, "nonce": nonce})
        # Nonces older than twice the window can no longer be replayed (the timestamp check refuses them).
        if random.random() < 0.01:
            await self.session.execute(
                delete(hotline_nonce).where(
                    hotline_nonce.c.seen_at < func.now() - text(f"interval '{2 * window_s} seconds'")
                )
            )
        return claimed is not None

    async def routing_table(self, seed: dict[str, Any]) -> RoutingTable:
        cached = self.cache.get()
        if cached is not None:
            return cached
        table = await self._read_routing_table(seed)
        self.cache.put(table)
        return table

    async def _read_routing_table(self, seed: dict[str, Any]) -> RoutingTable:
        row = (
            await self.session.execute(
                select(col(RoutingTableVersionRow.version), col(RoutingTableVersionRow.rules))
                .order_by(col(RoutingTableVersionRow.version).desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            return routing_table_of(row[0], row[1])
        # Concurrent first requests may both seed; only one row can win.
        await self.session.execute(
            pg_insert(RoutingTableVersionRow)
            .values(
                version=seed["version"], rules=seed["rules"], changed_by="system", comment=seed.get("comment")
            )
            .on_conflict_do_nothing()
        )
        return routing_table_of(seed["version"], seed["rules"])

    async def add_routing_version(
        self, version: int, rules: list[dict[str, str]], *, changed_by: str, comment: str | None
    ) -> None:
        await self.session.execute(
            insert(RoutingTableVersionRow).values(
                version=version, rules=rules, changed_by=changed_by, comment=comment
            )
        )
        # Dropped now, for the rest of this transaction, and again once the new version is committed.
        self.cache.invalidate()
        self._after_commit.append(self.cache.invalidate)
