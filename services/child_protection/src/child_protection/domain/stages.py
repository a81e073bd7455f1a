"""The response chain and its stages (MP-10..12, MP-20); their names come from the contract labels."""

from __future__ import annotations

from enum import StrEnum

from shared.contracts.labels import child_protection as labels


class Stage(StrEnum):
    """Where a case stands on the chain 发现报告 → 受理 → 应急处置 → 评估 → 帮扶 → 监护干预 → 反馈."""

    REPORTED = "reported"
    ACCEPTED = "accepted"
    EMERGENCY = "emergency_response"
    ASSESSMENT = "assessment"
    SUPPORT = "support"
    INTERVENTION = "intervention"
    CLOSED = "closed"
    DECLINED = "declined"
    REFERRED = "referred"


# The chain in order; moving forward by more than one step is a skip and needs approval.
CHAIN: tuple[Stage, ...] = (
    Stage.REPORTED,
    Stage.ACCEPTED,
    Stage.EMERGENCY,
    Stage.ASSESSMENT,
    Stage.SUPPORT,
    Stage.INTERVENTION,
    Stage.CLOSED,
)
TERMINAL = frozenset({Stage.CLOSED, Stage.DECLINED, Stage.REFERRED})
# Allowed backward moves: after an intervention the family may need more support.
BACKWARD: dict[Stage, frozenset[Stage]] = {Stage.INTERVENTION: frozenset({Stage.SUPPORT})}


def label(stage: Stage | str) -> str:
    """The stage as the case page names it, e.g. 已受理（调查核实）."""
    return labels.STAGE_DETAILS.get(str(stage), str(stage))


def position(stage: Stage) -> int:
    return CHAIN.index(stage) if stage in CHAIN else -1


def skipped_between(current: Stage, target: Stage) -> tuple[Stage, ...]:
    """The chain stages a forward move jumps over (empty for the next step)."""
    start, end = position(current), position(target)
    return CHAIN[start + 1 : end] if 0 <= start < end else ()
