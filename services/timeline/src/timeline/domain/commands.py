"""What the timeline is asked to do: project events (the consumer, a batch), correct person links (people)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.envelope import CloudEvent
from shared.kit.commands import Command
from timeline.domain.viewer import Viewer


@dataclass(frozen=True, kw_only=True)
class ProjectEvent(Command):
    """Project one event: its entry and the person links it declares (idempotent by event id)."""

    event: CloudEvent
    topic: str | None = None
    # The trace of the record that carried it, used when the event has no `ce_traceparent` of its own.
    trace_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ProjectBatch(Command):
    """Project a partition's fetched events in one transaction (no inbox: entries are keyed by event id)."""

    events: tuple[ProjectEvent, ...]


@dataclass(frozen=True, kw_only=True)
class CorrectLink(Command):
    """A caseworker's correction of two person keys, with who made it, why, and what they may see."""

    one: str
    other: str
    reason: str
    actor: str
    viewer: Viewer


@dataclass(frozen=True, kw_only=True)
class LinkPersons(CorrectLink):
    """Record that two person keys denote the same person (their timelines merge)."""


@dataclass(frozen=True, kw_only=True)
class UnlinkPersons(CorrectLink):
    """Record that two linked person keys are not the same person (their timelines split again)."""
