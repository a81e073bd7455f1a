"""Refusals of the application state machine, the household file and the cross-programme rules; `message` is
shown to people (Simplified Chinese)."""

from __future__ import annotations

from shared.kit import errors


class ApplicationNotFound(errors.NotFound):
    """No such application or lead, or none the caller may see (out of scope looks missing)."""


class HouseholdNotFound(errors.NotFound):
    """No such household file, or none the caller may see."""


class InvalidTransition(errors.InvalidTransition):
    """The action is not allowed from the application's current stage (or for its programme)."""


class MissingPrerequisite(errors.MissingPrerequisite):
    """The step's required record or input is missing (a reason, a review opinion, the publicity period…)."""


class InvalidApplicationData(errors.InvalidInput):
    """A value given to a step is not acceptable (an unknown department, a negative amount…)."""


class InvalidHouseholdData(errors.InvalidInput):
    """A value of the household file is not acceptable (a bad region code, a disability grade of 5…)."""


class WrongReviewLevel(errors.Forbidden):
    """审核确认 is done at the level the county's devolution setting names (township or county), SA-51."""


class OutsideJurisdiction(errors.Forbidden):
    """The household may not apply here: neither 户籍地, nor 居住地 with a residence permit, nor (急难型
    临时救助) the place where the emergency happened, SA-23/24."""


class ProgrammeConflict(errors.Conflict):
    """A cross-programme rule refuses the step: 低保 and 特困 together, a duplicate open application, or the
    yearly 临时救助 limit."""

    def __init__(self, message: str, personkeys: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.personkeys = personkeys


class ConcurrentChange(errors.ConcurrentChange):
    """Someone else changed the application or the household since it was loaded."""
