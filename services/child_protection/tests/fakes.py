"""In-memory child_protection: fake repositories and unit of work for handler tests (no database, no
broker), and the real bus and handlers on them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from child_protection.adapters.case_repository import AbstractCaseRepository
from child_protection.adapters.child_repository import AbstractChildRepository
from child_protection.bootstrap import ChildProtectionRuntime, bootstrap
from child_protection.domain.case_model import Case
from child_protection.domain.child_model import ChildFile
from child_protection.service_layer.outgoing import to_message
from child_protection.service_layer.unit_of_work import ChildProtectionUnitOfWork
from child_protection.settings import ChildProtectionSettings
from shared.kit.clock import FixedClock
from shared.kit.testing import FakeUnitOfWork, bus_uow_factory
from shared.kit.unit_of_work import Tracker


class FakeCaseRepository(AbstractCaseRepository):
    """Cases in a dict; the history lines each save appends are kept in `saved_history`."""

    def __init__(self, tracker: Tracker) -> None:
        super().__init__(tracker)
        self.items: dict[uuid.UUID, Case] = {}
        self.saved_history: dict[uuid.UUID, list[Any]] = {}
        self._numbers = 0

    async def next_case_ref(self, region_code: str, year: int) -> str:
        self._numbers += 1
        return f"CP-{region_code[:6]}-{year}-{self._numbers:06d}"

    def _newest(self, *matches: Any) -> Case | None:
        found = [c for c in self.items.values() if all(m(c) for m in matches)]
        return max(found, key=lambda c: c.opened_at) if found else None

    async def _get(self, case_id: uuid.UUID) -> Case | None:
        return self.items.get(case_id)

    async def _open_for_child(self, personkey: str, since: datetime, within: str) -> Case | None:
        return self._newest(
            lambda c: c.child.personkey == personkey,
            lambda c: c.is_open,
            lambda c: c.opened_at >= since,
            lambda c: c.region_code.startswith(within),
        )

    async def _open_for_file(self, child_id: uuid.UUID, since: datetime, within: str) -> Case | None:
        return self._newest(
            lambda c: c.child.child_id == child_id,
            lambda c: c.is_open,
            lambda c: c.opened_at >= since,
            lambda c: c.region_code.startswith(within),
        )

    async def open_elsewhere(self, personkey: str, since: datetime, outside: str) -> uuid.UUID | None:
        found = [
            c
            for c in self.items.values()
            if c.child.personkey == personkey
            and c.is_open
            and c.opened_at >= since
            and not c.region_code.startswith(outside)
        ]
        return max(found, key=lambda c: c.opened_at).id if found else None

    async def _for_work_order(self, work_order_id: uuid.UUID) -> Case | None:
        return self._newest(lambda c: c.work_order_id == work_order_id)

    async def _add(self, new: Case) -> None:
        new.version = 1
        self.items[new.id] = new
        self._keep_history(new)

    async def save(self, changed: Case) -> None:
        changed.version += 1
        self._keep_history(changed)

    def _keep_history(self, c: Case) -> None:
        self.saved_history.setdefault(c.id, []).extend(c.history)
        c.history.clear()

    def actions(self, case_id: uuid.UUID) -> list[str]:
        """The history lines of a case, as the SQL repository would have appended them."""
        return [h.action for h in self.saved_history.get(case_id, [])]


class FakeChildRepository(AbstractChildRepository):
    """Register files in a dict; the history lines each save appends are kept in `saved_history`."""

    def __init__(self, tracker: Tracker) -> None:
        super().__init__(tracker)
        self.items: dict[uuid.UUID, ChildFile] = {}
        self.saved_history: dict[uuid.UUID, list[Any]] = {}

    async def find_by_personkey(self, personkey: str, county: str) -> tuple[uuid.UUID, str] | None:
        found = next(
            (c for c in self.items.values() if c.personkey == personkey and c.region_code.startswith(county)),
            None,
        )
        return (found.id, found.region_code) if found is not None else None

    async def _get(self, child_id: uuid.UUID) -> ChildFile | None:
        return self.items.get(child_id)

    async def _add(self, new: ChildFile) -> None:
        new.version = 1
        self.items[new.id] = new
        self._keep_history(new)

    async def save(self, changed: ChildFile) -> None:
        changed.version += 1
        self._keep_history(changed)

    def _keep_history(self, c: ChildFile) -> None:
        self.saved_history.setdefault(c.id, []).extend(c.history)
        c.history.clear()

    def actions(self, child_id: uuid.UUID) -> list[str]:
        return [h.action for h in self.saved_history.get(child_id, [])]


class FakeChildProtectionUnitOfWork(FakeUnitOfWork, ChildProtectionUnitOfWork):
    def __init__(self) -> None:
        super().__init__(to_message, source="/services/child_protection")
        self.cases = FakeCaseRepository(self.tracker)
        self.children = FakeChildRepository(self.tracker)


def fake_runtime(
    clock: FixedClock, settings: ChildProtectionSettings | None = None
) -> tuple[ChildProtectionRuntime, FakeChildProtectionUnitOfWork]:
    """child_protection's real bus and handlers on the fake unit of work."""
    uow = FakeChildProtectionUnitOfWork()
    runtime = bootstrap(
        settings or ChildProtectionSettings(),
        None,  # type: ignore[arg-type]  # no database: the fake unit of work holds everything
        uow_factory=bus_uow_factory(uow),
        clock=clock,
    )
    return runtime, uow
