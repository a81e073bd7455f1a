"""What the timeline worker consumes: every domain topic (by pattern), every event type.

Each event becomes a `ProjectEvent`; a fetched partition batch is first tried as one `ProjectBatch` in a
single transaction without inbox rows (an entry's primary key is its event id, so a redelivery changes
nothing). A batch holding a record that is not a CloudEvent, or one that fails, goes record by record
through the kit's consumer loop instead: inbox, retries, the dead-letter topic for the malformed record.
"""

from __future__ import annotations

from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.trace import Link, SpanContext, SpanKind

from shared.contracts.envelope import CloudEvent
from shared.kit.runtime import Runtime
from shared.kit.worker import Subscription, consumer_loop
from shared.messaging.consumer import BatchHandler, ConsumerLoop
from shared.messaging.records import Record
from shared.observability.tracing import extract_context, get_tracer
from timeline.domain.commands import ProjectBatch, ProjectEvent
from timeline.service_layer.projection import command_of_record
from timeline.settings import TimelineSettings

log = structlog.get_logger(__name__)


class MalformedBatch(ValueError):
    """A fetched batch holds a record that is not a CloudEvent: it goes record by record instead."""


def current_trace_id() -> str | None:
    """The trace of the record being handled (its `traceparent` header): the parent of the span the
    consumer opened for it. A record without the header gets no trace id (not the fresh root trace the
    consumer started), so a rebuild, which reads the header itself, projects the same value."""
    span = trace.get_current_span()
    if hasattr(span, "parent"):
        parent = getattr(span, "parent", None)
        if isinstance(parent, SpanContext) and parent.is_valid:
            return trace.format_trace_id(parent.trace_id)
        return None
    # Tracing not configured: the current span is the extracted parent itself.
    context = span.get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None


def current_topic() -> str | None:
    """The topic of the record being handled, as the kit's consumer loop binds it for logging."""
    topic = structlog.contextvars.get_contextvars().get("topic")
    return str(topic) if topic else None


def to_project_event(event: CloudEvent) -> ProjectEvent:
    """The route of every type: an unknown type is projected too (generic line), never dead-lettered."""
    return ProjectEvent(event=event, topic=current_topic(), trace_id=current_trace_id())


def subscription(settings: TimelineSettings) -> Subscription:
    """Every topic matching the pattern (a new service's topic needs no change here), every type."""
    return Subscription(
        pattern=settings.topic_pattern, default_route=to_project_event, group=settings.consumer_group
    )


def _span_context(record: Record) -> SpanContext | None:
    context = trace.get_current_span(extract_context(list(record.headers))).get_span_context()
    return context if context.is_valid else None


def batch_projection(runtime: Runtime[Any]) -> BatchHandler:
    """A partition's fetched records projected in one transaction (one span linked to each record's trace)."""
    tracer = get_tracer("timeline.projection")
    group = runtime.settings.consumer_group

    async def project(records: list[Record]) -> None:
        commands = [command_of_record(r) for r in records]
        events = tuple(c for c in commands if c is not None)
        if len(events) < len(records):
            raise MalformedBatch(f"{len(records) - len(events)} record(s) are not CloudEvents")
        links = [Link(ctx) for r in records if (ctx := _span_context(r)) is not None]
        with tracer.start_as_current_span(
            f"{records[0].topic} process",
            kind=SpanKind.CONSUMER,
            links=links,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": records[0].topic,
                "messaging.consumer.group.name": group,
                "messaging.batch.message_count": len(records),
            },
        ):
            await runtime.bus.handle(ProjectBatch(events=events))
        log.info(
            "events_projected",
            topic=records[0].topic,
            partition=records[0].partition,
            first_offset=records[0].offset,
            last_offset=records[-1].offset,
            count=len(records),
        )

    return project


def projection_consumer(runtime: Runtime[Any]) -> ConsumerLoop:
    """The worker's consumer on a runtime (the worker's own, or a test's)."""
    return consumer_loop(runtime, subscription(runtime.settings), batch_projection(runtime))
