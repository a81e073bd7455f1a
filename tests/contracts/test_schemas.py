"""Contract compatibility: every published schema (the snapshots) stays readable by today's contract.

A snapshot is the schema a contract version was published with. Today's contract may add optional fields
(an additive change); it may not remove or retype a field, make a field required that was not, or narrow
an enumeration. Samples built from each published schema, with every optional field filled, must still
validate against today's model: old events on the topics keep being read.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from pydantic import ValidationError

from probe.contracts import ItemCreated
from shared.contracts.base import Contract
from shared.contracts.catalog import load_all
from shared.contracts.registry import schema_snapshot, snapshot_path

PLATFORM_SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "src" / "shared" / "contracts" / "schemas"
TEST_SCHEMAS = Path(__file__).resolve().parent / "schemas"
UPDATE = os.environ.get("CASEWORK_UPDATE_SNAPSHOTS") == "1"
SAMPLE_STRINGS = {"uuid": "6f1c2b4e-8d3a-4c5b-9e7f-0a1b2c3d4e5f", "date-time": "2026-11-23T09:30:00+08:00"}


def sample(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """One instance of `schema` with every property present (the first alternative of each choice)."""
    if "$ref" in schema:
        return sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][-1]
    if "anyOf" in schema:
        return sample(next(s for s in schema["anyOf"] if s.get("type") != "null"), defs)
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        if not props and isinstance(schema.get("additionalProperties"), dict):
            return {"key": sample(schema["additionalProperties"], defs)}
        return {name: sample(prop, defs) for name, prop in props.items()}
    if kind == "array":
        return [sample(schema.get("items", {"type": "string"}), defs)]
    if kind == "string":
        return {"date": "2026-11-23", **SAMPLE_STRINGS}.get(schema.get("format", ""), "示例")
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    return None


def breaking_changes(published: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What today's top-level schema breaks of the published one (empty: compatible)."""
    problems: list[str] = []
    old_props, new_props = published.get("properties", {}), current.get("properties", {})
    for name in old_props:
        if name not in new_props:
            problems.append(f"field {name} removed")
    for name in set(current.get("required", [])) - set(published.get("required", [])):
        problems.append(f"field {name} became required")
    for name, old in old_props.items():
        new = new_props.get(name)
        if new is None:
            continue
        if _types(old) - _types(new):
            problems.append(f"field {name} changed type {sorted(_types(old))} → {sorted(_types(new))}")
        old_values, new_values = _values(old), _values(new)
        if old_values is not None and new_values is not None and old_values - new_values:
            problems.append(f"field {name} lost enumeration values")
        if old_values is None and new_values is not None:
            problems.append(f"field {name} became an enumeration")
    return problems


def _values(prop: dict[str, Any]) -> set[Any] | None:
    """The values an enumeration (or a constant) allows; None for an open field."""
    if "anyOf" in prop:
        found = [v for p in prop["anyOf"] if (v := _values(p)) is not None]
        return set().union(*found) if found else None
    if "enum" in prop:
        return set(prop["enum"])
    return {prop["const"]} if "const" in prop else None


def _types(prop: dict[str, Any]) -> set[str]:
    if "anyOf" in prop:
        return set().union(*(_types(p) for p in prop["anyOf"]))
    if "$ref" in prop:
        return {"object"}
    return {prop.get("type", "any")}


def _published(directory: Path, cls: type[Contract]) -> dict[str, Any]:
    path = snapshot_path(directory, cls)
    if UPDATE:
        path.write_text(schema_snapshot(cls))
    assert path.exists(), f"no snapshot for {cls.EVENT_TYPE}; run CASEWORK_UPDATE_SNAPSHOTS=1 make test-unit"
    snapshot: dict[str, Any] = json.loads(path.read_text())
    assert (snapshot["event_type"], snapshot["schema_version"], snapshot["topic"]) == (
        cls.EVENT_TYPE,
        cls.SCHEMA_VERSION,
        cls.TOPIC,
    )
    return snapshot


def check_compatible(directory: Path, cls: type[Contract]) -> None:
    published = _published(directory, cls)["schema"]
    assert breaking_changes(published, cls.model_json_schema()) == [], cls.EVENT_TYPE
    old_event = sample(published, published.get("$defs", {}))
    cls.model_validate(old_event)


CONTRACTS = sorted(load_all().values(), key=lambda c: c.EVENT_TYPE)


@pytest.mark.parametrize("cls", CONTRACTS, ids=[c.EVENT_TYPE for c in CONTRACTS])
def test_each_published_schema_is_still_read_by_todays_contract(cls: type[Contract]) -> None:
    check_compatible(PLATFORM_SCHEMAS, cls)


def test_every_contract_has_exactly_one_published_schema() -> None:
    registered = {snapshot_path(PLATFORM_SCHEMAS, cls).name for cls in CONTRACTS}
    on_disk = {p.name for p in PLATFORM_SCHEMAS.glob("*.json")}
    assert on_disk == registered, "a snapshot without a contract, or a contract without a snapshot"


def test_probe_contract_is_compatible_with_its_snapshot() -> None:
    check_compatible(TEST_SCHEMAS, ItemCreated)


class _Additive(ItemCreated):
    """The probe's contract with a new optional field: an additive change."""

    EVENT_TYPE: ClassVar[str] = ItemCreated.EVENT_TYPE
    note: str | None = None


class _NewRequired(ItemCreated):
    EVENT_TYPE: ClassVar[str] = ItemCreated.EVENT_TYPE
    owner: str


class _Narrowed(Contract):
    EVENT_TYPE: ClassVar[str] = "probe.thing.changed"
    TOPIC: ClassVar[str] = "probe.item.v1"
    status: Literal["open"]


class _Wide(Contract):
    EVENT_TYPE: ClassVar[str] = "probe.thing.changed"
    TOPIC: ClassVar[str] = "probe.item.v1"
    status: Literal["open", "closed"]
    at: datetime | None = None


def test_an_additive_change_is_compatible_and_reads_old_events() -> None:
    published = json.loads(snapshot_path(TEST_SCHEMAS, ItemCreated).read_text())["schema"]
    assert breaking_changes(published, _Additive.model_json_schema()) == []
    assert _Additive.model_validate(sample(published, {})).note is None


def test_a_new_required_field_a_removed_field_and_a_narrowed_enum_are_breaking() -> None:
    published = json.loads(snapshot_path(TEST_SCHEMAS, ItemCreated).read_text())["schema"]
    assert breaking_changes(published, _NewRequired.model_json_schema()) == ["field owner became required"]
    with pytest.raises(ValidationError):
        _NewRequired.model_validate(sample(published, {}))
    wide, narrow = _Wide.model_json_schema(), _Narrowed.model_json_schema()
    assert breaking_changes(wide, narrow) == ["field at removed", "field status lost enumeration values"]
    assert breaking_changes(narrow, wide) == []


def test_every_topic_named_by_a_contract_is_declared() -> None:
    from shared.contracts.topics import DOMAIN_TOPICS

    declared = {t.name for t in DOMAIN_TOPICS}
    assert {cls.TOPIC for cls in CONTRACTS} <= declared
