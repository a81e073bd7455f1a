"""Load and save cases; never commits (the unit of work does)."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from child_protection.adapters.tables import case, case_history, case_ref_seq
from child_protection.domain.errors import InvalidTransition
from child_protection.domain.model import Case, Child, HistoryEntry, PlanItem, Record, Report, SkipRequest
from child_protection.domain.stages import TERMINAL, Stage
from shared.crypto import FieldCipher


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _report(data: dict[str, Any]) -> Report:
    return Report(**{**data, "received_at": _dt(data["received_at"])})


def _record(data: dict[str, Any]) -> Record:
    return Record(kind=data["kind"], at=_dt(data["at"]), by=data["by"], data=data.get("data") or {})


def _skip(data: dict[str, Any] | None) -> SkipRequest | None:
    if not data:
        return None
    return SkipRequest(Stage(data["target"]), data["reason"], data["requested_by"], _dt(data["requested_at"]))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class CaseRepository:
    """SQL repository of the case aggregate; remembers what it loaded for the unit of work."""

    def __init__(self, session: AsyncSession, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher
        self.seen: list[Case] = []
        self._history_loaded: dict[uuid.UUID, int] = {}

    async def next_case_ref(self, region_code: str, year: int) -> str:
        """A readable, unique reference such as CP-500154-2026-000042."""
        number = await self.session.scalar(select(case_ref_seq.next_value()))
        return f"CP-{region_code[:6]}-{year}-{number:06d}"

    async def get(self, case_id: uuid.UUID, *, lock: bool = True) -> Case | None:
        query = select(case).where(case.c.id == case_id)
        return await self._load(query.with_for_update() if lock else query)

    async def open_case_for_child(self, personkey: str, since: datetime) -> Case | None:
        """The newest open case about this child opened since `since` (duplicate-report window)."""
        query = (
            select(case)
            .where(
                case.c.child_personkey == personkey,
                case.c.stage.not_in([s.value for s in TERMINAL]),
                case.c.opened_at >= since,
            )
            .order_by(case.c.opened_at.desc())
            .limit(1)
            .with_for_update()
        )
        return await self._load(query)

    async def _load(self, query: Any) -> Case | None:
        row = (await self.session.execute(query)).mappings().first()
        if row is None:
            return None
        history = (
            await self.session.execute(
                select(case_history).where(case_history.c.case_id == row["id"]).order_by(case_history.c.seq)
            )
        ).mappings()
        child = dict(row["child"])
        c = Case(
            id=row["id"],
            case_ref=row["case_ref"],
            region_code=row["region_code"],
            urgency=row["urgency"],
            child=Child(**{**child, "id_number": self.cipher.decrypt(child.get("id_number"))}),
            opened_at=row["opened_at"],
            stage=Stage(row["stage"]),
            stage_entered_at=row["stage_entered_at"],
            owner=row["owner"],
            risk_colour=row["risk_colour"],
            reports=[_report(r) for r in row["reports"]],
            records=[_record(r) for r in row["records"]],
            plan=[PlanItem(**p) for p in row["plan"]],
            skip_request=_skip(row["skip_request"]),
            temporary_guardianship=row["temporary_guardianship"],
            feedback=row["feedback"],
            closed_at=row["closed_at"],
            step_due_at=row["step_due_at"],
            step_breached_at=row["step_breached_at"],
            history=[
                HistoryEntry(h["at"], h["action"], Stage(h["stage"]), h["actor"], h["detail"])
                for h in history
            ],
            version=row["version"],
        )
        self._history_loaded[c.id] = len(c.history)
        self.seen.append(c)
        return c

    def _values(self, c: Case) -> dict[str, Any]:
        child = asdict(c.child)
        child["id_number"] = self.cipher.encrypt(c.child.id_number)
        wo = c.work_order_id
        return {
            "region_code": c.region_code,
            "urgency": c.urgency,
            "stage": c.stage.value,
            "stage_entered_at": c.stage_entered_at,
            "step_due_at": c.step_due_at,
            "step_breached_at": c.step_breached_at,
            "owner": c.owner,
            "risk_colour": c.risk_colour,
            "child_personkey": c.child.personkey,
            "child_id": uuid.UUID(c.child.child_id) if c.child.child_id else None,
            "child": child,
            "reports": _jsonable([asdict(r) for r in c.reports]),
            "records": _jsonable([asdict(r) for r in c.records]),
            "plan": [asdict(p) for p in c.plan],
            "skip_request": _jsonable(asdict(c.skip_request)) if c.skip_request else None,
            "temporary_guardianship": c.temporary_guardianship,
            "feedback": c.feedback,
            "work_order_id": uuid.UUID(wo) if wo else None,
            "order_no": c.order_no,
            "closed_at": c.closed_at,
            "updated_at": func.now(),
        }

    async def add(self, c: Case) -> None:
        c.version = 1
        await self.session.execute(
            insert(case).values(
                id=c.id, case_ref=c.case_ref, opened_at=c.opened_at, version=1, **self._values(c)
            )
        )
        self._history_loaded[c.id] = 0
        await self._append_history(c)
        self.seen.append(c)

    async def save(self, c: Case) -> None:
        """Write back a loaded case, checking nobody changed it since (optimistic version)."""
        result = await self.session.execute(
            update(case)
            .where(case.c.id == c.id, case.c.version == c.version)
            .values(version=c.version + 1, **self._values(c))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise InvalidTransition("案件已被其他人修改，请刷新后重试")
        c.version += 1
        await self._append_history(c)

    async def _append_history(self, c: Case) -> None:
        start = self._history_loaded.get(c.id, 0)
        new = c.history[start:]
        if new:
            await self.session.execute(
                insert(case_history),
                [
                    {
                        "case_id": c.id,
                        "seq": start + i,
                        "at": h.at,
                        "action": h.action,
                        "stage": h.stage.value,
                        "actor": h.actor,
                        "detail": _jsonable(h.detail),
                    }
                    for i, h in enumerate(new)
                ],
            )
        self._history_loaded[c.id] = len(c.history)
