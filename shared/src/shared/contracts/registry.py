"""Registry of event types: `ce_type` -> contract model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

from shared.contracts.base import Contract

C = TypeVar("C", bound=type[Contract])

EVENT_TYPES: dict[str, type[Contract]] = {}


def register(cls: C) -> C:
    """Class decorator adding a contract to the registry; a type may be registered once."""
    existing = EVENT_TYPES.get(cls.EVENT_TYPE)
    if existing is not None and existing is not cls:
        raise ValueError(f"event type {cls.EVENT_TYPE} registered twice")
    EVENT_TYPES[cls.EVENT_TYPE] = cls
    return cls


def contract_for(event_type: str) -> type[Contract] | None:
    return EVENT_TYPES.get(event_type)


def schema_snapshot(cls: type[Contract]) -> str:
    """The JSON-Schema text kept under version control for one contract."""
    schema = {
        "event_type": cls.EVENT_TYPE,
        "schema_version": cls.SCHEMA_VERSION,
        "topic": cls.TOPIC,
        "schema": cls.model_json_schema(),
    }
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def snapshot_path(directory: Path, cls: type[Contract]) -> Path:
    return directory / f"{cls.EVENT_TYPE}.v{cls.SCHEMA_VERSION}.json"
