"""Prometheus instruments, request timing by route template, and the /metrics endpoints."""

from __future__ import annotations

import socket

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from shared.observability.metrics import (
    UNMATCHED_ROUTE,
    Metrics,
    get_metrics,
    install_metrics,
    start_metrics_server,
)

METRIC_NAMES = (
    "http_request_duration_seconds",
    "outbox_backlog",
    "outbox_oldest_age_seconds",
    "outbox_published_total",
    "consumer_lag",
    "handler_duration_seconds",
    "events_consumed_total",
    "dlq_messages_total",
    "deadline_breaches_total",
)


def sample_value(text: str, name: str, labels: dict[str, str]) -> float | None:
    """The value of the sample `name` whose labels include `labels`."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                return sample.value
    return None


def make_app(metrics: Metrics) -> FastAPI:
    app = FastAPI()

    @app.get("/cases/{case_id}")
    async def read_case(case_id: int) -> dict[str, int]:
        return {"case_id": case_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    install_metrics(app, metrics)
    return app


def test_get_metrics_caches_one_instance_per_service() -> None:
    assert get_metrics("metrics-test-a") is get_metrics("metrics-test-a")
    assert get_metrics("metrics-test-a").registry is not get_metrics("metrics-test-b").registry


def test_every_instrument_is_exposed_with_the_service_label() -> None:
    metrics = Metrics("cases")
    metrics.observe_request("GET", "/cases/{case_id}", 200, 0.01)
    metrics.set_outbox_state(3, 1.5)
    metrics.count_published(2)
    metrics.set_consumer_lag("cases.case", 0, "timeline", 4)
    metrics.observe_handler("case.created", "handled", 0.02)
    metrics.count_consumed("case.created", "duplicate")
    metrics.count_dead_lettered("timeline", "cases.case")
    metrics.count_deadline_breach("first_visit")

    text = metrics.render().decode()

    for name in METRIC_NAMES:
        assert f"# TYPE {name}" in text
    assert sample_value(text, "outbox_backlog", {"service": "cases"}) == 3
    assert sample_value(text, "outbox_published_total", {"service": "cases"}) == 2
    assert sample_value(text, "consumer_lag", {"partition": "0", "group": "timeline"}) == 4
    assert sample_value(text, "events_consumed_total", {"outcome": "duplicate"}) == 1


def test_outbox_series_exist_before_anything_is_recorded() -> None:
    text = Metrics("cases").render().decode()
    assert sample_value(text, "outbox_backlog", {"service": "cases"}) == 0
    assert sample_value(text, "outbox_published_total", {"service": "cases"}) == 0


async def test_requests_are_labelled_by_route_template() -> None:
    metrics = Metrics("intake")
    app = make_app(metrics)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)

    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for case_id in (1, 2, 3):
            assert (await client.get(f"/cases/{case_id}")).status_code == 200
        assert (await client.get("/nowhere/42")).status_code == 404
        assert (await client.get("/boom")).status_code == 500
        response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    count = "http_request_duration_seconds_count"
    assert sample_value(text, count, {"service": "intake", "route": "/cases/{case_id}", "status": "200"}) == 3
    assert sample_value(text, count, {"route": UNMATCHED_ROUTE, "status": "404"}) == 1
    assert sample_value(text, count, {"route": "/boom", "status": "500"}) == 1
    assert "/cases/1" not in text
    assert "/nowhere" not in text


def test_start_metrics_server_serves_the_registry_on_loopback() -> None:
    metrics = Metrics("worker")
    metrics.count_deadline_breach("first_visit")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    start_metrics_server(metrics, port)

    response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert response.status_code == 200
    assert sample_value(response.text, "deadline_breaches_total", {"step": "first_visit"}) == 1


async def test_with_a_token_metrics_answer_only_the_scraper_that_sends_it() -> None:
    import httpx
    from fastapi import FastAPI

    from shared.observability.metrics import Metrics, install_metrics

    app = FastAPI()
    install_metrics(app, Metrics("metrics-token-test"), token="s3cret-scrape")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        ok = await http.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
    assert ok.status_code == 200 and "http_request" in ok.text
