"""What intake is asked to do: by 12345 (signed HTTP), by the intake desk, by the domain services' events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.kit.commands import Command


@dataclass(frozen=True, kw_only=True)
class SignedCall(Command):
    """A command from the 12345 platform: its key and nonce are claimed in the command's transaction."""

    key_id: str
    nonce: str


@dataclass(frozen=True, kw_only=True)
class ReceiveWorkOrder(SignedCall):
    """受理: a 12345 work order, as validated by the API (idempotent on order_no)."""

    data: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class RecordHotlineEvent(SignedCall):
    """A later action from 12345 (补充, 催办, 撤单, 回访), idempotent on its event_id."""

    order_no: str
    data: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class ClaimNonce(SignedCall):
    """A signed call that changes nothing (a read): only its nonce is claimed."""


@dataclass(frozen=True, kw_only=True)
class RouteFromTriage(Command):
    """The intake desk routes a work order from the triage queue to a service and a county."""

    work_order_id: uuid.UUID
    target: str
    county: str
    actor: str


@dataclass(frozen=True, kw_only=True)
class SaveRoutingTable(Command):
    """An admin saves a new version of the routing table (every version is kept)."""

    rules: list[dict[str, Any]]
    actor: str
    comment: str | None = None
    # The version the editor started from: saving over a newer one is refused.
    base_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class ApplyCaseEvent(Command):
    """A domain service's case moved: move the work order it came from (闭环)."""

    work_order_id: uuid.UUID
    service: str
    kind: str
    case_ref: str
    reason: str | None = None
    feedback: str | None = None
    referred_to: str | None = None
    occurred_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
