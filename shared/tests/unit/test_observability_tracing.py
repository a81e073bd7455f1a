"""Tracer provider setup, instrumentation and trace context through Kafka headers."""

from __future__ import annotations

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import create_async_engine
from stdnum.cn import ric

from shared.observability import tracing
from shared.observability.tracing import (
    configure_tracing,
    current_trace_id,
    extract_context,
    get_tracer,
    inject_headers,
    instrument_aiokafka,
    instrument_fastapi,
    instrument_sqlalchemy,
    safe_attributes,
)

BASE = "11010519491231002"


def test_configure_twice_keeps_one_provider_and_both_exporters_see_spans() -> None:
    first, second = InMemorySpanExporter(), InMemorySpanExporter()

    provider = configure_tracing("intake", None, exporter=first)
    again = configure_tracing("cases", None, exporter=second)
    with get_tracer(__name__).start_as_current_span("work"):
        pass

    assert again is provider
    assert isinstance(trace.get_tracer_provider(), TracerProvider)
    assert [span.name for span in second.get_finished_spans()] == ["work"]
    assert "work" in [span.name for span in first.get_finished_spans()]


def test_same_exporter_twice_exports_each_span_once() -> None:
    exporter = InMemorySpanExporter()
    configure_tracing("intake", None, exporter=exporter)
    configure_tracing("intake", None, exporter=exporter)

    with get_tracer(__name__).start_as_current_span("once"):
        pass

    assert [span.name for span in exporter.get_finished_spans()] == ["once"]


def test_otlp_endpoint_gets_the_traces_path_and_is_attached_once(monkeypatch: pytest.MonkeyPatch) -> None:
    endpoints: list[str] = []

    class RecordingExporter(InMemorySpanExporter):
        def __init__(self, endpoint: str) -> None:
            super().__init__()
            endpoints.append(endpoint)

    monkeypatch.setattr(tracing, "OTLPSpanExporter", RecordingExporter)

    configure_tracing("intake", "http://collector:4318/")
    configure_tracing("intake", "http://collector:4318/")
    configure_tracing("intake", "http://other:4318/v1/traces")

    assert endpoints == ["http://collector:4318/v1/traces", "http://other:4318/v1/traces"]


def test_round_trip_through_a_stored_dict_and_record_headers() -> None:
    exporter = InMemorySpanExporter()
    configure_tracing("intake", None, exporter=exporter)
    tracer = get_tracer(__name__)

    with tracer.start_as_current_span("http") as parent:
        stored = inject_headers()
        trace_id = current_trace_id()
    record_headers = [("event_type", b"case.created"), *((k, v.encode()) for k, v in stored.items())]

    assert set(stored) == {"traceparent"}
    assert trace_id == f"{parent.get_span_context().trace_id:032x}"
    for headers in (stored, record_headers):
        with tracer.start_as_current_span("process", context=extract_context(headers)):
            assert current_trace_id() == trace_id
    processed = [span for span in exporter.get_finished_spans() if span.name == "process"]
    assert len(processed) == 2
    for span in processed:
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id


def test_no_span_means_no_headers_and_no_trace_id() -> None:
    assert inject_headers() == {}
    assert current_trace_id() is None
    context = extract_context([])
    assert not trace.get_current_span(context).get_span_context().is_valid


def test_safe_attributes_mask_personal_data() -> None:
    number = BASE + ric.calc_check_digit(BASE + "0")

    attributes = safe_attributes(
        subject_id_number=number, caller_name="张三", note=f"证件{number}", attempts=2, region_name="朝阳区"
    )

    assert attributes == {
        "subject_id_number": number[:3] + "*" * 11 + number[-4:],
        "caller_name": "张*",
        "note": "证件" + number[:3] + "*" * 11 + number[-4:],
        "attempts": 2,
        "region_name": "朝阳区",
    }


async def test_fastapi_requests_are_traced_except_probes() -> None:
    exporter = InMemorySpanExporter()
    configure_tracing("intake", None, exporter=exporter)
    app = FastAPI()

    @app.get("/cases/{case_id}")
    async def read_case(case_id: int) -> dict[str, int]:
        return {"case_id": case_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    instrument_fastapi(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/cases/7")).status_code == 200
        assert (await client.get("/healthz")).status_code == 200

    names = {span.name for span in exporter.get_finished_spans()}
    assert "GET /cases/{case_id}" in names
    assert not any("healthz" in name for name in names)


async def test_sqlalchemy_engines_are_instrumented_once_each() -> None:
    first = create_async_engine("postgresql+asyncpg://casework@127.0.0.1:1/first")
    second = create_async_engine("postgresql+asyncpg://casework@127.0.0.1:1/second")
    try:
        instrument_sqlalchemy(first)
        instrument_sqlalchemy(second)
        instrument_sqlalchemy(first)

        for engine in (first, second):
            assert len(engine.sync_engine.dispatch.before_cursor_execute) == 1
    finally:
        await first.dispose()
        await second.dispose()


def test_instrument_aiokafka_wraps_send_and_getone_exactly_once() -> None:
    instrument_aiokafka()
    instrument_aiokafka()

    send, getone = AIOKafkaProducer.send, AIOKafkaConsumer.getone
    assert AIOKafkaInstrumentor().is_instrumented_by_opentelemetry
    # One wrapper each: a second instrument() call would have wrapped the wrapper.
    assert hasattr(send, "__wrapped__") and not hasattr(send.__wrapped__, "__wrapped__")
    assert hasattr(getone, "__wrapped__") and not hasattr(getone.__wrapped__, "__wrapped__")
