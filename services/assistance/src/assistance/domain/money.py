"""Money and dates for the rules: Decimal yuan rounded to the fen, and calendar months."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
FEN = Decimal("0.01")


def to_fen(amount: Decimal) -> Decimal:
    """Round to the fen, half up (四舍五入)."""
    # The seeds give no rounding rule; half-up to the fen is how a caseworker rounds by hand. Every amount
    # shown on an explanation line is rounded before the next line uses it, so each line can be
    # recomputed from the lines above it with pen and paper.
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(amount: Decimal) -> str:
    """An amount as a caseworker reads it: ¥1,234.50."""
    return f"¥{to_fen(amount):,.2f}"


def percent(ratio: Decimal) -> str:
    """A fraction as a percentage without trailing zeros: 0.30 → 30%, 0.125 → 12.5%."""
    text = f"{ratio * 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def plain(number: Decimal) -> str:
    """A multiple or a count without trailing zeros: 1.30 → 1.3, 6 → 6."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def add_months(start: date, months: int) -> date:
    """The same day `months` later; a day the month lacks becomes its last day (08-31 + 6 → 02-28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
