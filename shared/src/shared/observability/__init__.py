"""Logs, traces, metrics and health endpoints shared by every service."""

from shared.observability.health import Check, database_check, health_router, kafka_check
from shared.observability.logging import configure_logging, mask_pii
from shared.observability.masking import mask_text, mask_value
from shared.observability.metrics import Metrics, get_metrics, install_metrics, start_metrics_server
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

__all__ = [
    "Check",
    "Metrics",
    "configure_logging",
    "configure_tracing",
    "current_trace_id",
    "database_check",
    "extract_context",
    "get_metrics",
    "get_tracer",
    "health_router",
    "inject_headers",
    "install_metrics",
    "instrument_aiokafka",
    "instrument_fastapi",
    "instrument_sqlalchemy",
    "kafka_check",
    "mask_pii",
    "mask_text",
    "mask_value",
    "safe_attributes",
    "start_metrics_server",
]
