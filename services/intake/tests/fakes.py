"""In-memory intake: fake repositories and unit of work for handler tests (no database, no broker)."""

from __future__ import annotations

import uuid
from typing import Any

from intake.adapters.repository import (
    AbstractHotlineRepository,
    AbstractWorkOrderRepository,
    routing_table_of,
)
from intake.bootstrap import IntakeRuntime, bootstrap
from intake.domain.model import WorkOrder
from intake.domain.routing import RoutingTable
from intake.service_layer.outgoing import to_message
from intake.service_layer.unit_of_work import IntakeUnitOfWork
from intake.settings import IntakeSettings
from shared.kit.clock import FixedClock
from shared.kit.testing import FakeUnitOfWork, bus_uow_factory
from shared.kit.unit_of_work import Tracker


class FakeWorkOrderRepository(AbstractWorkOrderRepository):
    def __init__(self, tracker: Tracker) -> None:
        super().__init__(tracker)
        self.items: dict[uuid.UUID, WorkOrder] = {}
        self.receipts: dict[uuid.UUID, tuple[str, dict[str, Any]]] = {}
        self.saved_history: dict[uuid.UUID, list[Any]] = {}

    async def _get(self, work_order_id: uuid.UUID | None, order_no: str | None) -> WorkOrder | None:
        if work_order_id is not None:
            return self.items.get(work_order_id)
        return next((w for w in self.items.values() if w.order_no == order_no), None)

    async def _add(self, wo: WorkOrder, body_sha256: str, receipt: dict[str, Any]) -> bool:
        if any(w.order_no == wo.order_no for w in self.items.values()):
            return False
        wo.version = 1
        self.items[wo.id] = wo
        self.receipts[wo.id] = (body_sha256, receipt)
        self._keep_history(wo)
        return True

    async def save(self, wo: WorkOrder) -> None:
        wo.version += 1
        self._keep_history(wo)

    def _keep_history(self, wo: WorkOrder) -> None:
        self.saved_history.setdefault(wo.id, []).extend(wo.history)
        wo.history.clear()

    async def receipt(self, order_no: str) -> tuple[str, dict[str, Any]]:
        return next(self.receipts[w.id] for w in self.items.values() if w.order_no == order_no)


class FakeHotlineRepository(AbstractHotlineRepository):
    def __init__(self) -> None:
        self.events: dict[str, tuple[str, dict[str, Any]]] = {}
        self.nonces: set[tuple[str, str]] = set()
        self.versions: list[tuple[int, list[dict[str, str]], str, str | None]] = []

    async def event_receipt(self, event_id: str) -> tuple[str, dict[str, Any]] | None:
        return self.events.get(event_id)

    async def add_event(
        self, event_id: str, work_order_id: uuid.UUID, body_sha256: str, receipt: dict[str, Any]
    ) -> None:
        self.events[event_id] = (body_sha256, receipt)

    async def claim_nonce(self, key_id: str, nonce: str, *, window_s: int) -> bool:
        if (key_id, nonce) in self.nonces:
            return False
        self.nonces.add((key_id, nonce))
        return True

    async def routing_table(self, seed: dict[str, Any]) -> RoutingTable:
        if not self.versions:
            return routing_table_of(seed["version"], seed["rules"])
        version, rules, _, _ = self.versions[-1]
        return routing_table_of(version, rules)

    async def add_routing_version(
        self, version: int, rules: list[dict[str, str]], *, changed_by: str, comment: str | None
    ) -> None:
        self.versions.append((version, rules, changed_by, comment))


class FakeIntakeUnitOfWork(FakeUnitOfWork, IntakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__(to_message)
        self.work_orders = FakeWorkOrderRepository(self.tracker)
        self.hotline = FakeHotlineRepository()


def fake_runtime(
    clock: FixedClock, settings: IntakeSettings | None = None
) -> tuple[IntakeRuntime, FakeIntakeUnitOfWork]:
    """Intake's real bus and handlers on the fake unit of work."""
    uow = FakeIntakeUnitOfWork()
    runtime = bootstrap(settings or IntakeSettings(), None, uow_factory=bus_uow_factory(uow), clock=clock)  # type: ignore[arg-type]
    return runtime, uow
