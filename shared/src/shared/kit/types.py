"""Field types every API schema uses so that no value reaches the database it cannot hold.

- `Moment`: a point in time from 1900 to 2200; a time without an offset is read as China time (UTC+8),
  as caseworkers write it;
- `Int64`: an integer PostgreSQL's `bigint` holds;
- `PageOffset`, `PageLimit`: bounded paging values.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator, Field

CHINA_TIME = timezone(timedelta(hours=8), "CST")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _moment(value: datetime) -> datetime:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=CHINA_TIME)
    try:
        in_utc = aware.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ValueError("时间超出可表示的范围") from exc
    if not EARLIEST <= in_utc < LATEST:
        raise ValueError("时间须在 1900 年至 2200 年之间")
    return aware


Moment = Annotated[datetime, AfterValidator(_moment)]
Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
PageOffset = Annotated[int, Field(ge=0, le=1_000_000)]
PageLimit = Annotated[int, Field(ge=1, le=500)]
