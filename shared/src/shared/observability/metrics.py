"""Prometheus metrics of one service: instruments, the HTTP timing middleware and `/metrics`."""

from __future__ import annotations

import hmac
import time
from functools import cache
from typing import Literal

from fastapi import FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.process_collector import ProcessCollector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ConsumeOutcome = Literal["handled", "duplicate", "dead_lettered", "ignored", "rejected"]
UNMATCHED_ROUTE = "unmatched"


class Metrics:
    """The instruments of one service, in a registry of their own."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        reg = self.registry
        ProcessCollector(registry=reg)
        GCCollector(registry=reg)
        self.http_request_duration_seconds = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route template.",
            ["service", "method", "route", "status"],
            registry=reg,
        )
        self.outbox_backlog = Gauge(
            "outbox_backlog",
            "Outbox rows not yet published.",
            ["service"],
            registry=reg,
        )
        self.outbox_oldest_age_seconds = Gauge(
            "outbox_oldest_age_seconds",
            "Age of the oldest unpublished outbox row.",
            ["service"],
            registry=reg,
        )
        self.outbox_published_total = Counter(
            "outbox_published_total",
            "Outbox rows published to Kafka.",
            ["service"],
            registry=reg,
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Messages behind the partition end.",
            ["service", "topic", "partition", "group"],
            registry=reg,
        )
        self.handler_duration_seconds = Histogram(
            "handler_duration_seconds",
            "Event handler latency.",
            ["service", "event_type", "outcome"],
            registry=reg,
        )
        self.events_consumed_total = Counter(
            "events_consumed_total",
            "Events consumed by outcome.",
            ["service", "event_type", "outcome"],
            registry=reg,
        )
        self.dlq_messages_total = Counter(
            "dlq_messages_total",
            "Messages sent to a dead-letter topic.",
            ["service", "group", "topic"],
            registry=reg,
        )
        self.deadline_breaches_total = Counter(
            "deadline_breaches_total",
            "Statutory deadlines missed, by case step.",
            ["service", "step"],
            registry=reg,
        )
        # Unlabelled-but-for-service series exist from the start, so dashboards show 0 rather than nothing.
        for metric in (self.outbox_backlog, self.outbox_oldest_age_seconds, self.outbox_published_total):
            metric.labels(service=service)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one HTTP request."""
        self.http_request_duration_seconds.labels(self.service, method, route, str(status)).observe(seconds)

    def set_outbox_state(self, backlog: int, oldest_age_seconds: float) -> None:
        """Record the outbox backlog and the age of its oldest row."""
        self.outbox_backlog.labels(self.service).set(backlog)
        self.outbox_oldest_age_seconds.labels(self.service).set(oldest_age_seconds)

    def count_published(self, count: int = 1) -> None:
        """Count outbox rows published."""
        self.outbox_published_total.labels(self.service).inc(count)

    def set_consumer_lag(self, topic: str, partition: int, group: str, lag: int) -> None:
        """Record how far a consumer group is behind on one partition."""
        self.consumer_lag.labels(self.service, topic, str(partition), group).set(lag)

    def observe_handler(self, event_type: str, outcome: str, seconds: float) -> None:
        """Record one handler run."""
        self.handler_duration_seconds.labels(self.service, event_type, outcome).observe(seconds)

    def count_consumed(self, event_type: str, outcome: ConsumeOutcome) -> None:
        """Count one consumed event."""
        self.events_consumed_total.labels(self.service, event_type, outcome).inc()

    def count_dead_lettered(self, group: str, topic: str) -> None:
        """Count one message sent to a dead-letter topic."""
        self.dlq_messages_total.labels(self.service, group, topic).inc()

    def count_deadline_breach(self, step: str) -> None:
        """Count one missed deadline."""
        self.deadline_breaches_total.labels(self.service, step).inc()

    def render(self) -> bytes:
        """The registry in Prometheus text format."""
        return generate_latest(self.registry)


@cache
def get_metrics(service: str) -> Metrics:
    """The process-wide metrics of a service, created on first use."""
    return Metrics(service)


class _RequestTimer:
    """ASGI middleware timing requests under their route template, not the raw path."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_and_record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record_status)
        finally:
            # The router writes the matched route into the scope it was given, which is this one.
            route = getattr(scope.get("route"), "path", None) or UNMATCHED_ROUTE
            self.metrics.observe_request(scope["method"], route, status, time.perf_counter() - started)


def install_metrics(app: FastAPI, metrics: Metrics, *, token: str | None = None) -> None:
    """Time every request of the app and serve the registry on `GET /metrics`; with `token`, only to a
    scraper sending `Authorization: Bearer <token>` (the figures hold no personal data, only volumes)."""

    async def metrics_endpoint(request: Request) -> Response:
        if token is not None and not hmac.compare_digest(
            request.headers.get("authorization", ""), f"Bearer {token}"
        ):
            return Response(status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(_RequestTimer, metrics=metrics)
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)


def start_metrics_server(metrics: Metrics, port: int) -> None:
    """Serve the registry on 127.0.0.1:`port` from a background thread (for worker processes)."""
    start_http_server(port, addr="127.0.0.1", registry=metrics.registry)
