"""The packaged standards data, read from the package and validated by the domain's loader."""

from __future__ import annotations

import json
from importlib import resources

from assistance.domain.standards import Standards, load_standards

SEED_STANDARDS = "standards.v1.json"


def load_seed_standards(file_name: str = SEED_STANDARDS) -> Standards:
    """The development standards shipped with the package (region 500154 and its city and province)."""
    text = resources.files("assistance.data").joinpath(file_name).read_text(encoding="utf-8")
    return load_standards(json.loads(text))
