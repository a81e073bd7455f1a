"""Tests for GB/T 2260 region codes and scope checks."""

from __future__ import annotations

import pytest

from shared.regions import in_scope, is_region_code, is_scope, parent_codes, region_prefix


@pytest.mark.parametrize("code", ["500154", "500154101", "500154101001"])
def test_region_codes(code: str) -> None:
    assert is_region_code(code)


@pytest.mark.parametrize("code", ["", "51", "5001", "5001541", "50015410100", "50015a", "５００１５４"])
def test_not_region_codes(code: str) -> None:
    assert not is_region_code(code)


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("510000", "51"),
        ("520200", "5202"),
        ("500154", "500154"),
        ("500154101", "500154101"),
        ("500154000", "500154"),
        ("500154101001", "500154101001"),
        ("500154101000", "500154101"),
        ("510000000000", "51"),
        ("000000", ""),
        ("86", ""),
    ],
)
def test_region_prefix(code: str, prefix: str) -> None:
    assert region_prefix(code) == prefix


def test_region_prefix_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        region_prefix("51")


def test_in_scope() -> None:
    assert in_scope("500154", "500000")
    assert in_scope("500154101001", "500154")
    assert in_scope("150207", "86")
    assert in_scope("520221", "520200")
    assert not in_scope("500152", "500154")
    assert not in_scope("520200", "520221")
    assert not in_scope("510100", "520000")
    assert not in_scope("bogus", "86")
    assert not in_scope("500154", "bogus")
    assert is_scope("86") and not is_scope("5")


def test_parent_codes() -> None:
    assert parent_codes("500154") == ["500100", "500000"]
    assert parent_codes("520200") == ["520000"]
    assert parent_codes("510000") == []
    assert parent_codes("500154101001") == ["500154101", "500154", "500100", "500000"]
    assert parent_codes("86") == []
