"""Benchmarks of the platform and of the raw parts it is built on (see bench/README.md)."""

import sys
from pathlib import Path

# The signed 12345 client lives with the test support code; the benchmarks drive intake through it too.
_SUPPORT = str(Path(__file__).resolve().parents[1] / "tests" / "support")
if _SUPPORT not in sys.path:
    sys.path.insert(0, _SUPPORT)
