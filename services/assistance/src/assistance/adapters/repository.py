"""Applications and household files: the ports the handlers use (the PostgreSQL adapters come later; they
never commit, the unit of work does)."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Iterable

from assistance.domain.application_model import Application
from assistance.domain.household import Household
from assistance.domain.programmes import Coverage
from shared.kit.unit_of_work import Tracker


class AbstractApplicationRepository(abc.ABC):
    """Applications and leads by id, reference or source; what it hands out is tracked for the outbox."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def _tracked(self, found: Application | None) -> Application | None:
        if found is not None:
            self.tracker.track(found)
        return found

    async def get(self, application_id: uuid.UUID) -> Application | None:
        return self._tracked(await self._get(application_id))

    async def get_by_case_ref(self, case_ref: str) -> Application | None:
        return self._tracked(await self._get_by_case_ref(case_ref))

    async def get_by_lead_ref(self, lead_ref: str) -> Application | None:
        """The newest lead opened from this 12345 work order or child-protection case."""
        return self._tracked(await self._get_by_lead_ref(lead_ref))

    async def add(self, new: Application) -> None:
        self.tracker.track(new)
        await self._add(new)

    @abc.abstractmethod
    async def save(self, changed: Application) -> None:
        """Write back a loaded application (optimistic version check) and append its new history lines."""

    @abc.abstractmethod
    async def next_case_ref(self, region_code: str, year: int) -> str:
        """A readable, unique reference such as SA-500154-2026-000042."""

    @abc.abstractmethod
    async def active_for_personkeys(self, personkeys: Iterable[str]) -> list[Coverage]:
        """The coverage of every application (any county) naming one of these people, for the
        cross-programme checks (not loaded: only what `programmes.check_*` reads)."""

    @abc.abstractmethod
    async def temporary_grants(self, household_id: uuid.UUID, year: int) -> list[Coverage]:
        """The household's 临时救助 applications approved in `year` (the yearly limit)."""

    @abc.abstractmethod
    async def _get(self, application_id: uuid.UUID) -> Application | None: ...

    @abc.abstractmethod
    async def _get_by_case_ref(self, case_ref: str) -> Application | None: ...

    @abc.abstractmethod
    async def _get_by_lead_ref(self, lead_ref: str) -> Application | None: ...

    @abc.abstractmethod
    async def _add(self, new: Application) -> None: ...


class AbstractHouseholdRepository(abc.ABC):
    """Household files by id.

    Not tracked: `Household` records `changes`, not `events`, and the unit of work reads `events` of
    everything tracked; the handlers turn the changes into application steps and clear them.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    @abc.abstractmethod
    async def get(self, household_id: uuid.UUID) -> Household | None: ...

    @abc.abstractmethod
    async def add(self, new: Household) -> None: ...

    @abc.abstractmethod
    async def save(self, changed: Household) -> None:
        """Write back a loaded household file (optimistic version check)."""
