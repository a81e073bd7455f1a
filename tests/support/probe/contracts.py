"""The probe's only event."""

from __future__ import annotations

import uuid

from shared.contracts import Contract

TOPIC = "probe.item.v1"


class ItemCreated(Contract):
    """A probe item was created."""

    EVENT_TYPE = "probe.item.created"
    SCHEMA_VERSION = 1
    TOPIC = TOPIC

    item_id: uuid.UUID
    name: str
    poison: bool = False
