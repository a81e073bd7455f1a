"""structlog JSON logging to stdout, with stdlib logging routed through the same pipeline."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import orjson
import structlog
from opentelemetry import trace
from structlog.types import EventDict, Processor, WrappedLogger

from shared.masking import mask_value

# Libraries whose own handlers would bypass masking and print a second, non-JSON line.
_ADOPTED_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "aiokafka", "sqlalchemy")


class _StdoutHandler(logging.Handler):
    """Write formatted records to whatever `sys.stdout` is at emit time."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write one line."""
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:
            self.handleError(record)


class _FileHandler(logging.FileHandler):
    """The same masked lines appended to a file (CASEWORK_LOG_FILE), for hosts without a log collector."""


def add_otel_ids(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Add the current span's trace_id and span_id as lower-case hex."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = trace.format_trace_id(context.trace_id)
        event_dict["span_id"] = trace.format_span_id(context.span_id)
    return event_dict


def mask_pii(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Mask ID numbers, phone numbers and names in every field of the event."""
    return {key: mask_value(key, value) for key, value in event_dict.items()}


def _json_line(event: EventDict, **_: object) -> str:
    """One JSON line through orjson (UTF-8 as it is; a value it cannot encode is written as its str)."""
    return orjson.dumps(event, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def _add_service(service_name: str) -> Processor:
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service_name)
        return event_dict

    return add_service


def configure_logging(service_name: str, level: str = "INFO", *, json: bool = True) -> None:
    """Send structlog and stdlib logs to stdout as masked JSON lines (console lines if not json), and
    append the same lines to CASEWORK_LOG_FILE when it is set."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_otel_ids,
        _add_service(service_name),
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_json_line) if json else structlog.dev.ConsoleRenderer()
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            mask_pii,
            renderer,
        ],
    )
    handlers: list[logging.Handler] = [_StdoutHandler()]
    if file := os.environ.get("CASEWORK_LOG_FILE"):
        target = Path(file)
        target.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(_FileHandler(target, encoding="utf-8"))

    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StdoutHandler | _FileHandler)]:
        root.removeHandler(old)
        old.close()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(level.upper())
    for name in _ADOPTED_LOGGERS:
        adopted = logging.getLogger(name)
        adopted.handlers.clear()
        adopted.propagate = True
        # The service's LOG_LEVEL governs them too (uvicorn sets its own when it starts a server).
        adopted.setLevel(logging.NOTSET)
    # SQLAlchemy logs every statement at INFO when its logger inherits INFO; `echo` is the way to see SQL.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Loggers created at import time must pick up a later reconfiguration (tests, reloads).
        cache_logger_on_first_use=False,
    )
