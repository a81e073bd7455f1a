"""Tests for 身份证号 parsing, person keys and masking."""

from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from shared.identity import (
    is_provisional,
    mask_id_number,
    mask_name,
    mask_phone,
    parse_id_number,
    personkey,
    provisional_personkey,
)


def synthetic_id(region: str = "500154", born: str = "19900307", seq: str = "123") -> str:
    """A made-up number with a correct check digit."""
    base = region + born + seq
    return base + ric.calc_check_digit(base + "0")


def synthetic_id_ending_in_x() -> str:
    """A made-up number whose check digit is X."""
    for n in range(1000):
        number = synthetic_id(seq=f"{n:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def test_valid_number() -> None:
    number = synthetic_id()
    info = parse_id_number(number)
    assert info.valid
    assert info.problems == ()
    assert info.normalized == number
    assert info.birth_date == date(1990, 3, 7)
    assert info.sex == "male"
    assert info.region_code == "500154"
    assert not info.upgraded_from_15


def test_even_order_code_is_female() -> None:
    assert parse_id_number(synthetic_id(seq="124")).sex == "female"


def test_spaces_lowercase_x_and_full_width_are_accepted() -> None:
    number = synthetic_id_ending_in_x()
    raw = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    info = parse_id_number(raw)
    assert info.valid
    assert info.normalized == number
    assert info.raw == raw
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert parse_id_number(full_width).normalized == number


def test_wrong_check_digit_is_flagged_not_corrected() -> None:
    good = synthetic_id()
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    info = parse_id_number(bad)
    assert not info.valid
    assert info.problems == ("checksum",)
    assert info.normalized == bad
    assert info.birth_date == date(1990, 3, 7)


def test_impossible_birth_date() -> None:
    info = parse_id_number(synthetic_id(born="19901332"))
    assert not info.valid
    assert info.problems == ("birth_date",)
    assert info.birth_date is None
    assert info.normalized is not None


def test_future_birth_date() -> None:
    info = parse_id_number(synthetic_id(born=f"{date.today().year + 1}0101"))
    assert info.problems == ("birth_date",)


def test_legacy_15_digit_number_is_upgraded() -> None:
    legacy = "500154" + "900307" + "123"
    info = parse_id_number(legacy)
    assert info.upgraded_from_15
    assert info.valid
    assert info.normalized == synthetic_id()
    assert info.birth_date == date(1990, 3, 7)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "length"),
        ("12345", "length"),
        ("5001541990030712", "length"),
        ("50015419900307A12X", "format"),
        ("50015490030712A", "format"),
    ],
)
def test_unusable_numbers(raw: str, problem: str) -> None:
    info = parse_id_number(raw)
    assert info.problems == (problem,)
    assert info.normalized is None
    assert not info.valid
    assert info.birth_date is None and info.sex is None and info.region_code is None


def test_personkey_is_stable_and_secret_dependent() -> None:
    number = synthetic_id()
    key = personkey(number, "secret-a")
    assert key == personkey(number, b"secret-a")
    assert key.startswith("pk_") and len(key) == 3 + 64
    assert key != personkey(number, "secret-b")
    assert key != personkey(synthetic_id(seq="125"), "secret-a")
    assert not is_provisional(key)


def test_personkey_rejects_unnormalized_input() -> None:
    with pytest.raises(ValueError):
        personkey(synthetic_id().lower()[:-1] + "x", "s")
    with pytest.raises(ValueError):
        personkey("500154900307123", "s")


def test_provisional_personkey() -> None:
    first, second = provisional_personkey(), provisional_personkey()
    assert first != second
    assert first.startswith("pp_") and len(first) == 3 + 32
    assert is_provisional(first)
    assert not is_provisional("pp_xyz")


def test_masks() -> None:
    number = synthetic_id()
    masked = mask_id_number(number)
    assert masked == number[:3] + "*" * 11 + number[-4:]
    assert mask_id_number("12345") == "*****"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("110") == "***"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("张") == "*"
    assert mask_name("John Smith") == "J***"
    assert mask_name("") == ""
