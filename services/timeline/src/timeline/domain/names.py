"""How people and person keys are named on a timeline: an actor by name, a key by a short reference."""

from __future__ import annotations

import re

from shared.contracts.labels import common as common_labels
from shared.contracts.labels import intake as intake_labels

# Older events name their actor `<login>（<name>）` (e.g. `dev:张三（张三）`): people read the name only.
_SUB_AND_NAME = re.compile(r"^\s*(?P<sub>[^（）]+?)\s*（(?P<name>[^（）]+)）\s*$")
_KEY_KINDS = {"pk_": "身份已核验", "pp_": "临时登记，身份未核实"}
REFERENCE_LENGTH = 6


def actor_name(actor: object) -> str:
    """The name of whoever did something: a person's name, or what a system actor is called."""
    text = str(actor or "").strip()
    if not text:
        return ""
    match = _SUB_AND_NAME.match(text)
    if match is not None:
        text = match["name"].strip()
    return {**common_labels.SYSTEM_ACTORS, **intake_labels.TARGETS}.get(text, text)


def person_reference(key: str) -> str:
    """A short, non-identifying reference to one person key (its last characters), never the key."""
    tail = "".join(c for c in key.rsplit("_", 1)[-1] if c.isalnum())[-REFERENCE_LENGTH:]
    return tail.upper() or "—"


def person_key_kind(key: str) -> str:
    """Whether a key comes from a checked ID number or is provisional (no valid number yet)."""
    return next((label for prefix, label in _KEY_KINDS.items() if key.startswith(prefix)), "其他来源")
