"""OpenTelemetry tracing: provider setup, instrumentation, and trace context in Kafka headers."""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.propagators.textmap import Getter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.masking import mask_value

_TRACES_PATH = "/v1/traces"
_UNTRACED_URLS = "healthz,readyz,metrics"

# What each provider already exports to, so repeated configure_tracing calls do not double-export.
_attached: weakref.WeakKeyDictionary[TracerProvider, set[object]] = weakref.WeakKeyDictionary()
_traced_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


class _Recording(Sampler):
    """Records nothing until a process has somewhere to send spans; then samples heads at `ratio`.

    Unrecorded spans still carry trace and span ids, so logs, the outbox and Kafka headers keep their
    trace context at almost no cost; a recording parent is followed (ParentBased).
    """

    def __init__(self) -> None:
        self.exporting = False
        self.ratio = 1.0
        self._sampled: Sampler = ParentBased(TraceIdRatioBased(1.0))

    def set_ratio(self, ratio: float) -> None:
        self.ratio = min(1.0, max(0.0, ratio))
        self._sampled = ParentBased(TraceIdRatioBased(self.ratio))

    def should_sample(self, *args: Any, **kwargs: Any) -> SamplingResult:
        if not self.exporting:
            return SamplingResult(Decision.DROP)
        return self._sampled.should_sample(*args, **kwargs)

    def get_description(self) -> str:
        return f"Recording(exporting={self.exporting}, ratio={self.ratio})"


_SAMPLER = _Recording()
_IDS = RandomIdGenerator()


class _RecordHeadersGetter(Getter[Sequence[tuple[str, bytes]]]):
    """Read W3C fields from aiokafka record headers, a list of (key, bytes) pairs."""

    def get(self, carrier: Sequence[tuple[str, bytes]], key: str) -> list[str] | None:
        """Return the first value stored under `key`."""
        for name, value in carrier:
            if name.lower() == key:
                return [value.decode("utf-8", errors="replace")]
        return None

    def keys(self, carrier: Sequence[tuple[str, bytes]]) -> list[str]:
        """Return every header name."""
        return [name for name, _ in carrier]


_record_headers_getter = _RecordHeadersGetter()


def configure_tracing(
    service_name: str,
    otlp_endpoint: str | None,
    *,
    exporter: SpanExporter | None = None,
    sampling_ratio: float = 1.0,
) -> TracerProvider:
    """Install (or extend) the global SDK tracer provider and the W3C tracecontext propagator; spans are
    recorded (at `sampling_ratio` of new traces) only once an exporter is attached."""
    propagate.set_global_textmap(TraceContextTextMapPropagator())
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        # The API refuses a second global provider, so later calls add exporters to the first one.
        provider = current
    else:
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}), sampler=_SAMPLER)
        trace.set_tracer_provider(provider)
    _SAMPLER.set_ratio(sampling_ratio)
    attached = _attached.setdefault(provider, set())
    if otlp_endpoint and otlp_endpoint not in attached:
        attached.add(otlp_endpoint)
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=_traces_url(otlp_endpoint))))
        _SAMPLER.exporting = True
    if exporter is not None and exporter not in attached:
        attached.add(exporter)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        _SAMPLER.exporting = True
    return provider


def _traces_url(endpoint: str) -> str:
    # OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; the exporter only appends the path when it reads the env.
    base = endpoint.rstrip("/")
    return base if base.endswith(_TRACES_PATH) else base + _TRACES_PATH


def instrument_fastapi(app: FastAPI) -> None:
    """Trace every request of the app except health and metrics probes; without an exporter only carry
    each request's trace context (no spans are built that nobody would read)."""
    if _SAMPLER.exporting:
        FastAPIInstrumentor.instrument_app(app, excluded_urls=_UNTRACED_URLS)
    else:
        app.add_middleware(TraceContextMiddleware)


class TraceContextMiddleware:
    """The request's trace context (the caller's `traceparent`, or a new trace) made current, so logs, the
    outbox and the access log carry a trace id, for a few microseconds instead of an instrumented span."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        carrier = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope["headers"]
            if k in (b"traceparent", b"tracestate")
        }
        parent = propagate.extract(carrier) if carrier else None
        caller = trace.get_current_span(parent).get_span_context()
        trace_id = caller.trace_id if caller.is_valid else _IDS.generate_trace_id()
        span = trace.NonRecordingSpan(
            trace.SpanContext(
                trace_id, _IDS.generate_span_id(), is_remote=False, trace_flags=caller.trace_flags
            )
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            await self.app(scope, receive, send)
        finally:
            otel_context.detach(token)


def instrument_sqlalchemy(engine: AsyncEngine) -> None:
    """Trace every statement run on the engine (only when spans are exported: a span per statement is
    most of a small request's tracing cost)."""
    if not _SAMPLER.exporting:
        return
    sync_engine = engine.sync_engine
    if sync_engine in _traced_engines:
        return
    _traced_engines.add(sync_engine)
    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        # The instrumentor is a singleton that takes its engines once, so re-instrument with all of them.
        instrumentor.uninstrument()
    # Its declared range ends before SQLAlchemy 2.1, yet the engine events it listens to are unchanged.
    instrumentor.instrument(engines=list(_traced_engines), skip_dep_check=True)


def instrument_aiokafka() -> None:
    """Trace aiokafka sends and receives, once per process."""
    instrumentor = AIOKafkaInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument()


def get_tracer(name: str) -> trace.Tracer:
    """Return a tracer from the global provider."""
    return trace.get_tracer(name)


def safe_attributes(**attrs: AttributeValue) -> dict[str, AttributeValue]:
    """Span attributes with ID numbers, phones and names masked."""
    return {key: mask_value(key, value) for key, value in attrs.items()}


def inject_headers() -> dict[str, str]:
    """The current trace context as plain headers, for storing in an outbox row."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_context(headers: Mapping[str, str] | Sequence[tuple[str, bytes]]) -> Context:
    """Trace context from stored outbox headers or raw aiokafka record headers."""
    if isinstance(headers, Mapping):
        return propagate.extract(headers)
    return propagate.extract(headers, getter=_record_headers_getter)


def current_trace_id() -> str | None:
    """The current trace id as 32 lower-case hex characters, if a span is active."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None
