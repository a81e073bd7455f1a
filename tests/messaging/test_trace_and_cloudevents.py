"""One trace from HTTP through outbox, relay, Kafka and consumer; the CloudEvents SDK reads every message."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from infra import Database, wait_until
from probe.app import create_app
from probe.bootstrap import bootstrap as probe_bootstrap
from probe.contracts import TOPIC
from probe.handlers import ROUTES
from probe.settings import ProbeSettings
from probe_harness import ProbeProcesses
from shared.contracts.topics import dlq_spec
from shared.db import make_engine, make_session_factory
from shared.kit.worker import Subscription, consumer_loop
from shared.messaging.admin import ensure_topics
from shared.messaging.producer import make_producer
from shared.messaging.relay import OutboxRelay
from shared.observability.tracing import configure_tracing, instrument_sqlalchemy
from shared.stack.postgres import asyncpg_dsn
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration
TRACE_API_PORT = 28111


async def test_one_trace_from_http_request_to_consumer_database_write(
    stack: Stack, probe_db: Database, probe_topics: str
) -> None:
    exporter = InMemorySpanExporter()
    configure_tracing("probe", None, exporter=exporter)
    settings = ProbeSettings(database_url=probe_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=TRACE_API_PORT, log_level="warning", lifespan="on"
        )
    )
    engine = make_engine(probe_db.url, pool_size=2)
    instrument_sqlalchemy(engine)
    stop = asyncio.Event()
    bootstrap = stack.kafka.bootstrap

    def producer() -> AIOKafkaProducer:
        return make_producer(bootstrap, client_id="probe-trace")

    group = f"probe-trace-{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [dlq_spec(group)])
    relay = OutboxRelay(asyncpg_dsn(probe_db.url), producer, service="probe-trace")
    runtime = probe_bootstrap(settings, make_session_factory(engine))
    consumer = consumer_loop(runtime, Subscription(topics=(TOPIC,), routes=ROUTES, group=group))
    tasks = [
        asyncio.create_task(server.serve()),
        asyncio.create_task(relay.run(stop)),
        asyncio.create_task(consumer.run(stop)),
    ]
    try:
        assert await wait_until(lambda: _started(server), timeout_s=30)
        async with httpx.AsyncClient() as client:
            r = await client.post(f"http://127.0.0.1:{TRACE_API_PORT}/items", json={"name": "traced"})
        assert r.status_code == 201
        event_id = r.json()["event_id"]

        async def handled() -> bool:
            return (
                await probe_db.fetchval("SELECT count(*) FROM probe_effect WHERE event_id=$1", event_id) == 1
            )

        assert await wait_until(handled, timeout_s=60)
    finally:
        stop.set()
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        await engine.dispose()

    spans = exporter.get_finished_spans()
    http = _one(spans, lambda s: s.kind == SpanKind.SERVER and "POST" in s.name)
    trace_id = http.context.trace_id
    in_trace = [s for s in spans if s.context.trace_id == trace_id]
    by_id = {s.context.span_id: s for s in in_trace}
    publish = _one(in_trace, lambda s: s.kind == SpanKind.PRODUCER and s.name == f"{TOPIC} publish")
    process = _one(
        in_trace,
        lambda s: (
            s.kind == SpanKind.CONSUMER
            and s.name == f"{TOPIC} process"
            and s.attributes is not None
            and s.attributes.get("messaging.message.id") == event_id
        ),
    )
    write = _one(in_trace, lambda s: "INSERT" in s.name.upper() and _statement(s).find("probe_effect") >= 0)

    assert _ancestors(publish, by_id)[-1] is http, "the relay's publish span descends from the HTTP request"
    assert process.parent is not None and process.parent.span_id == publish.context.span_id
    assert process in _ancestors(write, by_id), (
        "the consumer's database write happens inside its process span"
    )
    outbox_insert = _one(
        in_trace, lambda s: "outbox_message" in _statement(s) and "INSERT" in _statement(s).upper()
    )
    assert http in _ancestors(outbox_insert, by_id)


async def test_every_relayed_message_is_read_by_the_official_cloudevents_sdk(probe: ProbeProcesses) -> None:
    api = await probe.start_api()
    probe.start_worker()
    async with httpx.AsyncClient(base_url=api) as client:
        created = [(await client.post("/items", json={"name": f"ce-{i}"})).json() for i in range(5)]
    wanted = {c["event_id"]: c for c in created}

    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=probe.stack.kafka.bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"ce-sdk-{uuid.uuid4().hex[:8]}",
    )
    await consumer.start()
    seen = {}
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while len(seen) < len(wanted) and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for record in records:
                    headers = dict(record.headers)
                    if headers.get("ce_id", b"").decode() in wanted:
                        message = KafkaMessage(headers=headers, key=record.key, value=record.value)
                        seen[headers["ce_id"].decode()] = from_binary(message, JSONFormat())
    finally:
        await consumer.stop()

    assert set(seen) == set(wanted)
    for event_id, event in seen.items():
        assert event.get_id() == event_id
        assert event.get_type() == "probe.item.created"
        assert event.get_source() == "/probe"
        assert event.get_specversion() == "1.0"
        assert event.get_time() is not None
        assert event.get_subject() == wanted[event_id]["id"]
        assert event.get_extension("schemaversion") == "1"
        assert event.get_extension("correlationid") == wanted[event_id]["id"]
        data = event.get_data()
        assert isinstance(data, dict) and data["item_id"] == wanted[event_id]["id"]


async def _started(server: uvicorn.Server) -> bool:
    return server.started


def _one(spans: object, predicate: object) -> ReadableSpan:
    assert callable(predicate)
    found = [s for s in spans if predicate(s)]  # type: ignore[attr-defined]
    assert len(found) >= 1, f"no span matched among {[s.name for s in spans]}"  # type: ignore[attr-defined]
    return found[0]


def _statement(span: ReadableSpan) -> str:
    attrs = span.attributes or {}
    return str(attrs.get("db.statement") or attrs.get("db.query.text") or span.name)


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    """The span itself and its ancestors within the trace, innermost first."""
    chain = [span]
    while chain[-1].parent is not None and chain[-1].parent.span_id in by_id:
        chain.append(by_id[chain[-1].parent.span_id])
    return chain
