"""Every Kafka topic of the platform and its partition count: the one place they are set."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TopicSpec:
    """A topic created explicitly at start-up (the broker never auto-creates)."""

    name: str
    partitions: int


INTAKE_WORK_ORDER_V1 = "intake.work_order.v1"
CHILD_PROTECTION_CASE_V1 = "child_protection.case.v1"
CHILD_PROTECTION_CHILD_V1 = "child_protection.child.v1"
ASSISTANCE_CASE_V1 = "assistance.case.v1"

# Three partitions: parallel enough for 2 cores, and per-case order holds through the key.
DOMAIN_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(INTAKE_WORK_ORDER_V1, 3),
    TopicSpec(CHILD_PROTECTION_CASE_V1, 3),
    TopicSpec(CHILD_PROTECTION_CHILD_V1, 3),
    TopicSpec(ASSISTANCE_CASE_V1, 3),
)
DLQ_PARTITIONS = 1


def dlq_topic(consumer_group: str) -> str:
    """The dead-letter topic of a consumer group."""
    return f"{consumer_group}.dlq"


def dlq_spec(consumer_group: str) -> TopicSpec:
    return TopicSpec(dlq_topic(consumer_group), DLQ_PARTITIONS)
