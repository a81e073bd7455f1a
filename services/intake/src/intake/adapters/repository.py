"""Load and save work orders; never commits (the unit of work does)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from intake.adapters.tables import work_order, work_order_history
from intake.domain.errors import ConflictingRequest
from intake.domain.model import HistoryEntry, Status, Subject, WorkOrder
from shared.crypto import FieldCipher


class WorkOrderRepository:
    """SQL repository of the work-order aggregate; remembers what it loaded for the unit of work."""

    def __init__(self, session: AsyncSession, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher
        self.seen: list[WorkOrder] = []
        self._history_loaded: dict[uuid.UUID, int] = {}

    async def get(self, work_order_id: uuid.UUID) -> WorkOrder | None:
        return await self._load(work_order.c.id == work_order_id)

    async def get_by_order_no(self, order_no: str) -> WorkOrder | None:
        return await self._load(work_order.c.order_no == order_no)

    async def _load(self, where: Any) -> WorkOrder | None:
        # Row lock: writes to one work order serialise, so its events keep their order.
        row = (
            (await self.session.execute(select(work_order).where(where).with_for_update())).mappings().first()
        )
        if row is None:
            return None
        history_rows = (
            await self.session.execute(
                select(work_order_history)
                .where(work_order_history.c.work_order_id == row["id"])
                .order_by(work_order_history.c.seq)
            )
        ).mappings()
        wo = WorkOrder(
            id=row["id"],
            order_no=row["order_no"],
            received_at=row["received_at"],
            channel=row["channel"],
            category_code=row["category_code"],
            category_name=row["category_name"],
            urgency=row["urgency"],
            region_code=row["region_code"],
            content=row["content"],
            payload=row["payload"],
            subjects=[self._subject(s) for s in row["subjects"]],
            deadline_at=row["deadline_at"],
            address=row["address"],
            flags=list(row["flags"]),
            status=Status(row["status"]),
            routed_to=row["routed_to"],
            responsible_region=row["responsible_region"],
            case_ref=row["case_ref"],
            reply_text=row["reply_text"],
            urge_count=row["urge_count"],
            supplements=list(row["supplements"]),
            history=[
                HistoryEntry(h["at"], h["action"], Status(h["status"]), h["actor"], h["detail"])
                for h in history_rows
            ],
            version=row["version"],
        )
        self._history_loaded[wo.id] = len(wo.history)
        self.seen.append(wo)
        return wo

    def _subject(self, data: dict[str, Any]) -> Subject:
        return Subject(**{**data, "id_number": self.cipher.decrypt(data.get("id_number"))})

    def _subjects(self, wo: WorkOrder) -> list[dict[str, Any]]:
        return [{**asdict(s), "id_number": self.cipher.encrypt(s.id_number)} for s in wo.subjects]

    async def add(self, wo: WorkOrder, *, body_sha256: str, receipt: dict[str, Any]) -> None:
        """Insert a new work order (unique order_no; a race surfaces as IntegrityError)."""
        wo.version = 1
        await self.session.execute(
            insert(work_order).values(
                id=wo.id,
                order_no=wo.order_no,
                received_at=wo.received_at,
                channel=wo.channel,
                category_code=wo.category_code,
                category_name=wo.category_name,
                urgency=wo.urgency,
                region_code=wo.region_code,
                content=wo.content,
                deadline_at=wo.deadline_at,
                payload=self.cipher.map_subjects(wo.payload, "encrypt"),
                body_sha256=body_sha256,
                receipt=receipt,
                version=1,
                **self._mutable(wo),
            )
        )
        self._history_loaded[wo.id] = 0
        await self._append_history(wo)
        self.seen.append(wo)

    async def save(self, wo: WorkOrder) -> None:
        """Write back a loaded work order, checking nobody else changed it since."""
        result = await self.session.execute(
            update(work_order)
            .where(work_order.c.id == wo.id, work_order.c.version == wo.version)
            .values(version=wo.version + 1, **self._mutable(wo))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConflictingRequest("工单已被其他操作修改，请重试")
        wo.version += 1
        await self._append_history(wo)

    def _mutable(self, wo: WorkOrder) -> dict[str, Any]:
        return {
            "status": wo.status.value,
            "routed_to": wo.routed_to,
            "responsible_region": wo.responsible_region,
            "address": wo.address,
            "subjects": self._subjects(wo),
            "flags": wo.flags,
            "supplements": wo.supplements,
            "case_ref": wo.case_ref,
            "reply_text": wo.reply_text,
            "urge_count": wo.urge_count,
            "updated_at": func.now(),
        }

    async def _append_history(self, wo: WorkOrder) -> None:
        start = self._history_loaded.get(wo.id, 0)
        new = wo.history[start:]
        if new:
            await self.session.execute(
                insert(work_order_history),
                [
                    {
                        "work_order_id": wo.id,
                        "seq": start + i,
                        "at": h.at,
                        "action": h.action,
                        "status": h.status.value,
                        "actor": h.actor,
                        "detail": h.detail,
                    }
                    for i, h in enumerate(new)
                ],
            )
        self._history_loaded[wo.id] = len(wo.history)
