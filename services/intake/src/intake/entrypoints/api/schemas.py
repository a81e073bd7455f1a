"""The 12345 integration contract: request and response bodies, validated exactly as published."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

_ORDER_NO = r"^[A-Za-z0-9_-]{1,64}$"
# ASCII digits only: `\d` would also take full-width and other Unicode digits.
_REGION = re.compile(r"^([0-9]{6}|[0-9]{9}|[0-9]{12})$")


def _rfc3339(value: Any) -> Any:
    """Only RFC 3339 strings with an offset: no Unix numbers, no naive times, no bare dates."""
    if not isinstance(value, str):
        raise ValueError("必须是带时区偏移的 RFC 3339 时间字符串")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value):
        raise ValueError("必须是带时区偏移的 RFC 3339 时间，例如 2026-11-23T08:30:00+08:00")
    return value


def _representable(value: datetime) -> datetime:
    """An instant whose UTC time lies in years 1–9999 (what Python and the database driver can hold)."""
    try:
        value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("时间超出可表示的范围（换算为 UTC 后须在 0001–9999 年之间）") from exc
    return value


def _region(value: str) -> str:
    if not _REGION.fullmatch(value):
        raise ValueError("行政区划代码必须是 6、9 或 12 位数字")
    return value


Rfc3339 = Annotated[datetime, BeforeValidator(_rfc3339), AfterValidator(_representable)]
RegionCode = Annotated[str, AfterValidator(_region)]


class Strict(BaseModel):
    """Unknown fields are ignored; strings are never coerced from numbers."""

    model_config = ConfigDict(extra="ignore", strict=False, str_strip_whitespace=False)


class CallerIn(Strict):
    name: str | None = Field(default=None, max_length=50)
    phone: str | None = Field(default=None, max_length=32)
    anonymous: bool = False


class SubjectIn(Strict):
    name: str | None = Field(default=None, max_length=50)
    id_number: str | None = Field(default=None, max_length=32)
    gender: Literal["male", "female", "unknown"] = "unknown"
    age: int | None = Field(default=None, ge=0, le=150)
    is_minor: bool = False
    description: str | None = Field(default=None, max_length=2000)


class AttachmentIn(Strict):
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=2000)
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$")


class WorkOrderIn(Strict):
    """POST /api/v1/hotline/work-orders."""

    order_no: str = Field(pattern=_ORDER_NO)
    received_at: Rfc3339
    channel: Literal["phone", "web", "app", "wechat", "sms", "other"] = "phone"
    category_code: str = Field(min_length=1, max_length=32)
    category_name: str | None = Field(default=None, max_length=100)
    urgency: Literal["normal", "urgent", "critical"] = "normal"
    region_code: RegionCode
    address: str | None = Field(default=None, max_length=500)
    content: str = Field(min_length=1, max_length=20000)
    caller: CallerIn | None = None
    subjects: list[SubjectIn] = Field(default_factory=list, max_length=20)
    deadline_at: Rfc3339 | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=10)


class HotlineEventIn(Strict):
    """POST /api/v1/hotline/work-orders/{order_no}/events: a later action from 12345."""

    event_id: str = Field(pattern=_ORDER_NO)
    type: Literal["supplement", "urge", "revoke", "satisfaction"]
    occurred_at: Rfc3339 | None = None
    content: str | None = Field(default=None, max_length=20000)
    subjects: list[SubjectIn] = Field(default_factory=list, max_length=20)
    note: str | None = Field(default=None, max_length=2000)
    reason: str | None = Field(default=None, max_length=2000)
    score: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _fields_for_type(self) -> HotlineEventIn:
        if self.type == "supplement" and not self.content and not self.subjects:
            raise ValueError("supplement 需要 content 或 subjects")
        if self.type == "revoke" and not self.reason:
            raise ValueError("revoke 需要 reason（撤单原因）")
        if self.type == "satisfaction" and self.score is None:
            raise ValueError("satisfaction 需要 score（1–5）")
        return self


class ReceiptOut(BaseModel):
    intake_id: str
    order_no: str
    status: str
    routed_to: str
    region_code: str
    flags: list[str]


class EventReceiptOut(BaseModel):
    event_id: str
    order_no: str
    type: str
    status: str


def unstorable_strings(value: Any, path: tuple[str | int, ...] = ("body",)) -> list[dict[str, str]]:
    """Strings PostgreSQL cannot store (NUL, lone surrogates), as problem+json errors naming each field."""
    found: list[dict[str, str]] = []
    if isinstance(value, str):
        if "\x00" in value:
            found.append({"field": _dotted(path), "message": "不能包含 NUL 字符"})
        elif any("\ud800" <= ch <= "\udfff" for ch in value):
            found.append({"field": _dotted(path), "message": "包含无效的 UTF-16 代理字符"})
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unstorable_strings(key, (*path, "<key>"))
            found += unstorable_strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += unstorable_strings(item, (*path, index))
    return found


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


class HistoryLineOut(BaseModel):
    at: str
    action: str
    status: str
    actor: str
    detail: dict[str, Any]


class WorkOrderDetailOut(BaseModel):
    """GET /api/v1/hotline/work-orders/{order_no}: the work order as received and where it stands."""

    intake_id: str
    order_no: str
    status: str
    routed_to: str | None
    region_code: str
    responsible_region: str | None
    case_ref: str | None
    reply_text: str | None
    flags: list[str]
    urge_count: int
    work_order: dict[str, Any]
    supplements: list[dict[str, Any]]
    subjects: list[dict[str, Any]]
    history: list[HistoryLineOut]
