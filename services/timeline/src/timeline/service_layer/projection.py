"""From a Kafka record to what the timeline keeps of it: the same path for the live batch and a rebuild."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from shared.contracts.envelope import CloudEvent, EnvelopeError
from timeline.domain.commands import ProjectEvent
from timeline.domain.entry import ProjectedEntry, project, trace_id_of


def command_of_record(record: ConsumerRecord[bytes, bytes]) -> ProjectEvent | None:
    """The command projecting a fetched record; None when it is not a CloudEvent (dead-lettered by the
    live consumer, skipped by a rebuild). The trace id comes from the record's own `traceparent` header."""
    try:
        event = CloudEvent.from_kafka(list(record.headers), record.value)
    except EnvelopeError:
        return None
    header = next((v.decode("utf-8", "replace") for k, v in record.headers if k == "traceparent"), None)
    return ProjectEvent(event=event, topic=record.topic, trace_id=trace_id_of(header))


def entry_of(cmd: ProjectEvent) -> ProjectedEntry:
    """The entry of the command's event (the pure projection, identical live and in a rebuild)."""
    return project(cmd.event, topic=cmd.topic, trace_id=cmd.trace_id)
