"""JSON-Schema snapshots: a contract change fails here until its snapshot is deliberately updated."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import create_model

from probe.contracts import ItemCreated
from shared.contracts.base import Contract
from shared.contracts.catalog import load_all
from shared.contracts.registry import schema_snapshot, snapshot_path

PLATFORM_SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "src" / "shared" / "contracts" / "schemas"
TEST_SCHEMAS = Path(__file__).resolve().parent / "schemas"
UPDATE = os.environ.get("CASEWORK_UPDATE_SNAPSHOTS") == "1"


def _check(directory: Path, cls: type[Contract]) -> None:
    path = snapshot_path(directory, cls)
    current = schema_snapshot(cls)
    if UPDATE:
        path.write_text(current)
    assert path.exists(), f"no snapshot for {cls.EVENT_TYPE}; run CASEWORK_UPDATE_SNAPSHOTS=1 make test-unit"
    assert path.read_text() == current, (
        f"contract {cls.EVENT_TYPE} v{cls.SCHEMA_VERSION} changed; if deliberate (additive only within a "
        "version), update the snapshot with CASEWORK_UPDATE_SNAPSHOTS=1"
    )


def test_platform_contracts_and_snapshots_match_one_to_one() -> None:
    contracts = load_all()
    for cls in contracts.values():
        _check(PLATFORM_SCHEMAS, cls)
    registered = {snapshot_path(PLATFORM_SCHEMAS, cls).name for cls in contracts.values()}
    on_disk = {p.name for p in PLATFORM_SCHEMAS.glob("*.json")}
    assert on_disk == registered, "a snapshot without a contract, or a contract without a snapshot"


def test_probe_contract_matches_its_snapshot() -> None:
    _check(TEST_SCHEMAS, ItemCreated)


def test_a_changed_contract_no_longer_matches_its_snapshot() -> None:
    changed = create_model("ItemCreated", __base__=ItemCreated, extra_field=(str, ...))
    changed.EVENT_TYPE = ItemCreated.EVENT_TYPE
    assert schema_snapshot(changed) != snapshot_path(TEST_SCHEMAS, ItemCreated).read_text()


def test_every_topic_named_by_a_contract_is_declared() -> None:
    from shared.contracts.topics import DOMAIN_TOPICS

    declared = {t.name for t in DOMAIN_TOPICS}
    assert {cls.TOPIC for cls in load_all().values()} <= declared
