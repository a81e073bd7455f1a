"""Find raw mainland ID numbers (valid check digit) and mobile numbers in text, as a leak detector."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from stdnum.cn import ric

# Our own hex identifiers (trace and span ids, hashes, UUIDs) contain digit runs that look like phones.
_HEX_IDS = re.compile(
    r"(?<![0-9A-Za-z])(?=[0-9a-f]*[a-f])(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32}|[0-9a-f]{16})(?![0-9A-Za-z])"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# Only digits bound a number, so `IDno110…` and `tel138…` are found; full-width digits are folded first.
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ＸｘＬ", "0123456789XxL")


@dataclass
class Findings:
    """What a scan found, by kind, with up to a few masked samples and where they were."""

    scanned: Counter[str] = field(default_factory=Counter)
    hits: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, where: str, text: str) -> None:
        """Scan one message or log line from `where`."""
        self.scanned[where.split(":", 1)[0]] += 1
        for kind, value in find_pii(text):
            self.hits.append((kind, where, value[:3] + "…" + value[-2:]))

    def report(self) -> str:
        """A readable list of the hits (values cut, so the report itself leaks nothing)."""
        return "\n".join(f"{kind} in {where}: {sample}" for kind, where, sample in self.hits[:50])


def _id_shaped(value: str) -> bool:
    """A real birth date in an 18-digit run: an ID number, even with a mistyped check digit."""
    body = value[:17]
    return ric.is_valid(body + ric.calc_check_digit(body + "0"))


def find_pii(text: str) -> list[tuple[str, str]]:
    """Every raw ID number (any check digit) and every mobile number in `text`."""
    folded = _HEX_IDS.sub(" ", text.translate(_FULL_WIDTH))
    found = [("id_number", m.group()) for m in _ID_NUMBER.finditer(folded) if _id_shaped(m.group())]
    found += [("mobile", m.group()) for m in _MOBILE.finditer(folded)]
    return found
