"""身份证号 (PRC resident ID) parsing, person keys and masking of personal data."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Literal

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

_SHAPE_18 = re.compile(r"[0-9]{17}[0-9X]")
_SHAPE_15 = re.compile(r"[0-9]{15}")
_PROVISIONAL = re.compile(r"pp_[0-9a-f]{32}")
_PERSONKEY_PREFIX = "pk_"
_PROVISIONAL_PREFIX = "pp_"

Sex = Literal["male", "female"]


@dataclass(frozen=True)
class IdNumberInfo:
    """What could be read from a reported ID number; `problems` holds machine codes."""

    raw: str
    normalized: str | None
    valid: bool
    upgraded_from_15: bool
    birth_date: date | None
    sex: Sex | None
    region_code: str | None
    problems: tuple[str, ...]


def _clean(raw: str) -> str:
    # NFKC folds full-width digits and "Ｘ" typed with a Chinese input method.
    folded = unicodedata.normalize("NFKC", raw)
    return "".join(folded.split()).upper()


def _upgrade_15(number: str) -> str:
    # Legacy numbers carry a two-digit 19xx year and no check digit; stdnum's
    # calc_check_digit skips the last character, hence the "0" placeholder.
    base = number[:6] + "19" + number[6:]
    return base + ric.calc_check_digit(base + "0")


def _birth_date(number: str) -> date | None:
    try:
        born = ric.get_birth_date(number)
    except ValidationError:
        return None
    return born if born <= date.today() else None


def _unusable(raw: str, problem: str) -> IdNumberInfo:
    return IdNumberInfo(raw, None, False, False, None, None, None, (problem,))


def parse_id_number(raw: str) -> IdNumberInfo:
    """Parse a reported 身份证号; a bad number is flagged, never corrected."""
    number = _clean(raw)
    upgraded = False
    if _SHAPE_15.fullmatch(number):
        number = _upgrade_15(number)
        upgraded = True
    if len(number) not in (15, 18):
        return _unusable(raw, "length")
    if not _SHAPE_18.fullmatch(number):
        return _unusable(raw, "format")

    problems: list[str] = []
    if number[-1] != ric.calc_check_digit(number):
        problems.append("checksum")
    born = _birth_date(number)
    if born is None:
        problems.append("birth_date")
    sex: Sex = "male" if int(number[16]) % 2 else "female"
    return IdNumberInfo(
        raw=raw,
        normalized=number,
        valid=not problems,
        upgraded_from_15=upgraded,
        birth_date=born,
        sex=sex,
        region_code=number[:6],
        problems=tuple(problems),
    )


def personkey(normalized_id: str, secret: str | bytes) -> str:
    """Stable pseudonymous key for a person; a different secret yields entirely different keys."""
    if not _SHAPE_18.fullmatch(normalized_id):
        raise ValueError("personkey needs the normalized 18-character ID number")
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, normalized_id.encode("ascii"), hashlib.sha256).hexdigest()
    return _PERSONKEY_PREFIX + digest


def provisional_personkey() -> str:
    """Random key for a person whose ID number is not (yet) known."""
    return _PROVISIONAL_PREFIX + secrets.token_hex(16)


def is_provisional(key: str) -> bool:
    """Whether the key came from `provisional_personkey`."""
    return _PROVISIONAL.fullmatch(key) is not None


def _mask_middle(value: str, keep_head: int, keep_tail: int) -> str:
    hidden = len(value) - keep_head - keep_tail
    if hidden <= 0:
        return "*" * len(value)
    return value[:keep_head] + "*" * hidden + value[len(value) - keep_tail :]


def mask_id_number(value: str) -> str:
    """Mask an ID number keeping the first 3 and last 4 characters."""
    return _mask_middle(value.strip(), 3, 4)


def mask_phone(value: str) -> str:
    """Mask a phone number keeping the first 3 and last 4 characters (`138****5678`)."""
    cleaned = value.strip()
    if len(cleaned) < 8:
        return "*" * len(cleaned)
    return _mask_middle(cleaned, 3, 4)


def _is_cjk(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK ")


def mask_name(value: str) -> str:
    """Mask a name: Chinese keeps the first character (`张*`), Latin the first letter (`J***`)."""
    name = value.strip()
    if not name:
        return ""
    if _is_cjk(name[0]):
        return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"
    return name[0] + "***"


def key_of_id_number(raw: str | None, secret: str | bytes) -> tuple[str | None, IdNumberInfo | None]:
    """The personkey of a reported ID number (None when absent or invalid) and what was read from it."""
    if not raw:
        return None, None
    info = parse_id_number(raw)
    if not info.valid or info.normalized is None:
        return None, info
    return personkey(info.normalized, secret), info
