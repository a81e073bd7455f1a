"""In-memory timeline: fake repositories and unit of work for handler tests (no database, no broker)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from shared.kit.clock import FixedClock
from shared.kit.testing import FakeUnitOfWork, bus_uow_factory
from timeline.adapters.repository import AbstractEntryRepository, AbstractLinkRepository
from timeline.bootstrap import TimelineRuntime, bootstrap
from timeline.domain.entry import ProjectedEntry
from timeline.domain.links import LinkRow
from timeline.domain.viewer import Viewer
from timeline.service_layer.unit_of_work import TimelineUnitOfWork, to_message
from timeline.settings import TimelineSettings


class FakeEntryRepository(AbstractEntryRepository):
    """Entries by event id; visibility by the same rules as the SQL conditions (region, sensitive cases)."""

    def __init__(self) -> None:
        self.items: dict[str, ProjectedEntry] = {}

    async def add(self, entries: Sequence[ProjectedEntry]) -> None:
        for entry in entries:
            self.items.setdefault(entry.event_id, entry)

    async def visible_to(self, key: str, viewer: Viewer) -> bool:
        sensitive_cases = {e.case_ref for e in self.items.values() if e.sensitivity == "sensitive"}
        return any(
            key in e.personkeys
            and e.source in viewer.sources
            and viewer.can_see_region(e.regioncode)
            and (viewer.can_see_sensitive or e.case_ref not in sensitive_cases)
            for e in self.items.values()
        )


class FakeLinkRepository(AbstractLinkRepository):
    """Link rows in the order they were added; an event's row is kept once per pair."""

    def __init__(self) -> None:
        self.rows: list[LinkRow] = []

    async def add(self, rows: Sequence[LinkRow]) -> None:
        for row in rows:
            seen = {(r.event_id, r.key_a, r.key_b) for r in self.rows if r.event_id is not None}
            if (row.event_id, row.key_a, row.key_b) not in seen:
                self.rows.append(replace(row, row_id=len(self.rows) + 1))

    async def touching(self, keys: Sequence[str]) -> list[LinkRow]:
        wanted = set(keys)
        found = [r for r in self.rows if r.key_a in wanted or r.key_b in wanted]
        return sorted(found, key=lambda r: (r.at, r.row_id))


class FakeTimelineUnitOfWork(FakeUnitOfWork, TimelineUnitOfWork):
    def __init__(self) -> None:
        super().__init__(to_message)
        self.entries: FakeEntryRepository = FakeEntryRepository()
        self.links: FakeLinkRepository = FakeLinkRepository()


def fake_runtime(
    clock: FixedClock, settings: TimelineSettings | None = None
) -> tuple[TimelineRuntime, FakeTimelineUnitOfWork]:
    """The timeline's real bus and handlers on the fake unit of work."""
    uow = FakeTimelineUnitOfWork()
    runtime = bootstrap(
        settings or TimelineSettings(),
        None,  # type: ignore[arg-type]
        uow_factory=bus_uow_factory(uow),
        clock=clock,
    )
    return runtime, uow
