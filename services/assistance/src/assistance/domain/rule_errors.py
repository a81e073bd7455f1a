"""Refusals of the benefit rules and their standards; `message` is shown to people (Simplified Chinese)."""

from __future__ import annotations

from shared.kit import errors


class NoStandardInForce(errors.MissingPrerequisite):
    """No value of the standard is in force for the region (or its city or province) on the date asked."""


class InvalidStandards(errors.InvalidInput):
    """The standards data is malformed: an unknown name, a duplicate date, a value that is not positive…"""


class InvalidBenefitInput(errors.InvalidInput):
    """A fact given to a calculation is not acceptable (a negative income, no members, 0 months…)."""
