"""The working-day calendar: mainland China's official holidays and make-up working days."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def is_workday(day: date) -> bool:
    """Official working day (调休 included); beyond the years the library knows, Monday to Friday."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5
