"""Column declarations every service's SQLModel tables use (JSONB with a default, server times, ids)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field


def serial_id() -> Any:
    """A `bigserial` primary key filled by the database."""
    return Field(default=None, sa_column=Column(BigInteger, primary_key=True, autoincrement=True))


def jsonb(default: str | None = "{}") -> Any:
    """A JSONB column: `'{}'` or `'[]'` by default (not null), or nullable with `default=None`."""
    if default is None:
        return Field(default=None, sa_column=Column(JSONB, nullable=True))
    return Field(
        default_factory=list if default == "[]" else dict,
        sa_column=Column(JSONB, nullable=False, server_default=text(f"'{default}'::jsonb")),
    )


def server_now() -> Any:
    """A timestamp the database sets when the row is written."""
    return Field(default=None, nullable=False, sa_column_kwargs={"server_default": func.now()})


def text_default(default: str = "") -> Any:
    """A text column with a server default (so rows written by older code still read)."""
    return Field(default=default, sa_column_kwargs={"server_default": default})


def flag(default: bool = False) -> Any:
    """A boolean column with a server default."""
    return Field(default=default, sa_column_kwargs={"server_default": text("true" if default else "false")})
