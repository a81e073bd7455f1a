"""Domain dataclasses to and from table rows, without hand-written field copying.

Rows are written with the aggregate's own field values (nested dataclasses, datetimes and enums go into
JSONB through the engine's orjson serializer) and read back by validating the row against the dataclass
with pydantic, which rebuilds nested dataclasses, enums and datetimes from their JSON forms.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import TypeAdapter

T = TypeVar("T")


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter


def load(cls: type[T], data: Mapping[str, Any]) -> T:
    """An instance of dataclass `cls` from a row (columns not among its fields are ignored)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    value: T = _adapter(cls).validate_python({k: v for k, v in data.items() if k in names})
    return value


def values(obj: Any, columns: Iterable[str], **overrides: Any) -> dict[str, Any]:
    """The values of `obj`'s fields that are also `columns`, then `overrides` (computed columns)."""
    wanted = set(columns)
    row = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name in wanted}
    row.update({k: v for k, v in overrides.items() if k in wanted})
    return row


def dump(obj: Any) -> Any:
    """A dataclass (or list of them) as plain JSON-ready Python (for values compared or hashed)."""
    return _adapter(type(obj)).dump_python(obj, mode="json")
