"""HTTP bodies of the child_protection JSON API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ReporterType = Literal[
    "school",
    "hospital",
    "police",
    "village_committee",
    "family",
    "public",
    "child_director",
    "monitoring",
    "other",
]


class ChildIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, max_length=50)
    id_number: str | None = Field(default=None, max_length=32)
    gender: Literal["male", "female", "unknown"] = "unknown"
    age: int | None = Field(default=None, ge=0, le=17)
    child_id: str | None = None


class ReportIn(BaseModel):
    """A report from a mandatory reporter (强制报告) or a caseworker."""

    model_config = ConfigDict(extra="ignore")

    region_code: str = Field(pattern=r"^[0-9]{6}([0-9]{3}){0,2}$")
    urgency: Literal["normal", "urgent", "critical"] = "normal"
    reporter_type: ReporterType
    reporter_name: str | None = Field(default=None, max_length=50)
    reporter_contact: str | None = Field(default=None, max_length=64)
    content: str = Field(min_length=1, max_length=20000)
    child: ChildIn


class ReportOut(BaseModel):
    case_id: str
    case_ref: str
    stage: str
    linked: bool


class ActionIn(BaseModel):
    """Parameters of one case action (which ones depend on the action)."""

    model_config = ConfigDict(extra="allow")

    params: dict[str, Any] = {}
