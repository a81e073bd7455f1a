"""CloudEvents 1.0 envelope in Kafka binary content mode: attributes as `ce_*` headers, data as the value."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from shared.contracts.base import Contract

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
# Extension attribute names: lower-case alphanumerics only, as the CloudEvents spec requires.
EXTENSIONS = (
    "correlationid",
    "causationid",
    "personkey",
    "regioncode",
    "schemaversion",
    "traceparent",
    "tracestate",
)


class EnvelopeError(ValueError):
    """A Kafka record that is not a valid binary-mode CloudEvent."""


@dataclass(frozen=True)
class CloudEvent:
    """One event as it travels on Kafka."""

    type: str
    source: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    schemaversion: int = 1
    correlationid: str | None = None
    causationid: str | None = None
    personkey: str | None = None
    regioncode: str | None = None
    traceparent: str | None = None
    tracestate: str | None = None

    def attribute_headers(self) -> dict[str, str]:
        """The `ce_*` and `content-type` headers for binary content mode."""
        headers = {
            "ce_specversion": SPEC_VERSION,
            "ce_id": self.id,
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "content-type": CONTENT_TYPE,
        }
        if self.subject is not None:
            headers["ce_subject"] = self.subject
        for name in EXTENSIONS:
            value = getattr(self, name)
            if value is not None:
                headers[f"ce_{name}"] = str(value)
        return headers

    def value(self) -> bytes:
        return orjson.dumps(self.data)

    @classmethod
    def from_kafka(
        cls, headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...], value: bytes | None
    ) -> CloudEvent:
        """Decode a binary-mode record; raises EnvelopeError when it is not one."""
        attrs: dict[str, str] = {}
        for key, raw in headers:
            try:
                attrs[key.lower()] = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise EnvelopeError(f"header {key} is not UTF-8") from exc
        missing = [a for a in ("ce_specversion", "ce_id", "ce_source", "ce_type") if a not in attrs]
        if missing:
            raise EnvelopeError(f"missing CloudEvents headers: {', '.join(missing)}")
        if attrs["ce_specversion"] != SPEC_VERSION:
            raise EnvelopeError(f"unsupported specversion {attrs['ce_specversion']}")
        if not attrs.get("content-type", CONTENT_TYPE).startswith(CONTENT_TYPE):
            raise EnvelopeError(f"unsupported content-type {attrs.get('content-type')}")
        try:
            data = orjson.loads(value or b"")
        except orjson.JSONDecodeError as exc:
            raise EnvelopeError(f"data is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise EnvelopeError("data must be a JSON object")
        try:
            time = datetime.fromisoformat(attrs["ce_time"]) if "ce_time" in attrs else datetime.now(UTC)
            schemaversion = int(attrs.get("ce_schemaversion", "1"))
        except ValueError as exc:
            raise EnvelopeError(f"bad attribute: {exc}") from exc
        ext = {name: attrs.get(f"ce_{name}") for name in EXTENSIONS if name != "schemaversion"}
        return cls(
            type=attrs["ce_type"],
            source=attrs["ce_source"],
            data=data,
            id=attrs["ce_id"],
            time=time,
            subject=attrs.get("ce_subject"),
            schemaversion=schemaversion,
            **ext,
        )


def make_event(
    contract: Contract,
    *,
    source: str,
    subject: str,
    correlationid: str | None = None,
    causationid: str | None = None,
    personkey: str | None = None,
    regioncode: str | None = None,
) -> CloudEvent:
    """A CloudEvent for a contract; the trace context is attached when it is written to the outbox."""
    return CloudEvent(
        type=contract.EVENT_TYPE,
        source=source,
        data=contract.model_dump(mode="json"),
        subject=subject,
        schemaversion=contract.SCHEMA_VERSION,
        correlationid=correlationid,
        causationid=causationid,
        personkey=personkey,
        regioncode=regioncode,
    )
