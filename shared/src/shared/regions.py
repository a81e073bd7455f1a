"""GB/T 2260 administrative division codes and region-scope checks."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path

NATIONAL_SCOPES = frozenset({"86", "000000"})
_CODE = re.compile(r"[0-9]{6}(?:[0-9]{3}){0,2}")


def is_region_code(code: str) -> bool:
    """Whether `code` is a 6 (county), 9 (township) or 12 (village) digit code."""
    return _CODE.fullmatch(code) is not None


def is_scope(code: str) -> bool:
    """Whether `code` can be a user's scope: a region code or the national scope."""
    return code in NATIONAL_SCOPES or is_region_code(code)


def region_prefix(code: str) -> str:
    """Significant prefix of a code ("510000"→"51", "520200"→"5202"); "" means the whole country."""
    if code in NATIONAL_SCOPES:
        return ""
    if not is_region_code(code):
        raise ValueError(f"not a GB/T 2260 region code: {code!r}")
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) == 6 and code.endswith("00"):
        code = code[:4]
    if len(code) == 4 and code.endswith("00"):
        code = code[:2]
    if code == "00":
        return ""
    return code


def in_scope(case_region: str, user_region: str) -> bool:
    """Whether a case in `case_region` is visible to a user scoped to `user_region`; fails closed."""
    if not is_scope(user_region) or not is_region_code(case_region):
        return False
    return case_region.startswith(region_prefix(user_region))


def parent_codes(code: str) -> list[str]:
    """Enclosing divisions, nearest first: township (9 digits), then county, city, province (6 digits)."""
    prefix = region_prefix(code)
    parents: list[str] = []
    if len(prefix) == 12:
        parents.append(prefix[:9])
    if len(prefix) >= 9:
        parents.append(prefix[:6])
    if len(prefix) >= 6:
        parents.append(prefix[:4] + "00")
    if len(prefix) >= 4:
        parents.append(prefix[:2] + "0000")
    return parents


@cache
def _names() -> dict[str, str]:
    data = json.loads(resources.files("shared").joinpath("data/regions.json").read_text(encoding="utf-8"))
    extra = os.environ.get("CASEWORK_REGIONS_FILE")
    if extra:
        data.update(json.loads(Path(extra).read_text(encoding="utf-8")))
    return {k: v for k, v in data.items() if is_region_code(k)}


def _own_name(code: str) -> str | None:
    return _names().get(code)


def region_name(code: str | None) -> str:
    """A division as people read it, e.g. 500154 → 重庆市开州区; a township missing from the table keeps its
    county's name with its own code (重庆市开州区 500154101); an unknown code is shown as it is."""
    if not code:
        return ""
    if code in NATIONAL_SCOPES:
        return "全国"
    if not is_region_code(code):
        return code
    chain = [*reversed(parent_codes(code)), code] if len(code) > 6 else _county_chain(code)
    names = [n for c in dict.fromkeys(chain) if (n := _own_name(c)) and n != "市辖区"]
    if not names:
        return code
    return "".join(names) if _own_name(code) else f"{''.join(names)} {code}"


def _county_chain(code: str) -> list[str]:
    return [code[:2] + "0000", code[:4] + "00", code]


def region_label(code: str | None) -> str:
    """The name with the code beside it, for tables and forms: 重庆市开州区（500154）."""
    if not code:
        return ""
    name = region_name(code)
    if name == code or code in NATIONAL_SCOPES:
        return name
    return name if name.endswith(code) else f"{name}（{code}）"
