"""Pieces several producers' contracts share."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Gender = Literal["male", "female", "unknown"]


class SubjectRef(BaseModel):
    """A person named in a report, minimised for the bus: a key, never an ID number."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    personkey: str
    masked_name: str | None = None
    gender: Gender = "unknown"
    age: int | None = None
    is_minor: bool = False
    id_number_valid: bool | None = None
