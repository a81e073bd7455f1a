"""timeline test fixtures: a migrated database, the app in-process, tokens, and realistic event stories."""

from __future__ import annotations

import asyncio
import itertools
import random
import string
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from infra import Database, recreate_database
from shared.auth.tokens import issue_dev_token
from shared.contracts import child_protection as cpc
from shared.contracts import intake as ic
from shared.contracts.base import Contract
from shared.contracts.common import SubjectRef
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import TopicSpec, dlq_spec
from shared.db import make_engine, make_session_factory, upgrade_to_head
from shared.messaging.admin import ensure_topics
from shared.messaging.outbox import make_event
from shared.messaging.producer import make_producer
from shared.stack.stack import Stack
from timeline.bootstrap import bootstrap
from timeline.domain.commands import ProjectEvent
from timeline.entrypoints.api.app import create_app
from timeline.entrypoints.consumer import projection_consumer
from timeline.settings import TimelineSettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
Login = Callable[..., dict[str, str]]
T0 = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
# Every story's case has a reference of its own, as child protection numbers them.
_CASE_NUMBERS = itertools.count(1)


async def migrated_database(stack: Stack, name: str) -> Database:
    db = await recreate_database(stack, name)
    await asyncio.to_thread(upgrade_to_head, ALEMBIC_INI, db.url)
    return db


@pytest_asyncio.fixture
async def tl_db(stack: Stack) -> Database:
    return await migrated_database(stack, "timeline_test")


def tl_settings(db: Database, stack: Stack, **overrides: Any) -> TimelineSettings:
    return TimelineSettings(database_url=db.url, kafka_bootstrap_servers=stack.kafka.bootstrap, **overrides)


@pytest_asyncio.fixture
async def tl_app(tl_db: Database, stack: Stack) -> AsyncIterator[FastAPI]:
    """The timeline app in-process, lifespan started (engine, lag monitor)."""
    app = create_app(tl_settings(tl_db, stack))
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture
async def tl_http(tl_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the in-process app."""
    transport = httpx.ASGITransport(app=tl_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://timeline.test") as client:
        yield client


@pytest.fixture
def login() -> Login:
    """`login(role, region, programs=[…], name=…)` → headers with a development bearer token."""
    settings = TimelineSettings()

    def headers(
        role: str,
        region: str = "500154",
        *,
        programs: list[str] | None = None,
        name: str = "李社工",
        sub: str | None = None,
    ) -> dict[str, str]:
        token = issue_dev_token(
            settings,
            sub=sub or f"test:{role}:{region}",
            name=name,
            roles=[role],
            region=region,
            programs=programs if programs is not None else ["child_protection"],
        )
        return {"Authorization": f"Bearer {token}"}

    return headers


async def project_all(db: Database, events: Iterable[CloudEvent]) -> None:
    """Project each event through the bus in its own unit of work, as the consumer's record path does."""
    engine = make_engine(db.url, pool_size=1)
    try:
        runtime = bootstrap(TimelineSettings(database_url=db.url), make_session_factory(engine))
        for event in events:
            await runtime.bus.handle(ProjectEvent(event=event))
    finally:
        await engine.dispose()


async def run_projection(settings: TimelineSettings, stop: asyncio.Event) -> None:
    """The worker's projection consumer on its own engine until `stop` (its dead-letter topic made first)."""
    await ensure_topics(settings.kafka_bootstrap_servers, [dlq_spec(settings.consumer_group)])
    engine = make_engine(settings.database_url, pool_size=4)
    try:
        await projection_consumer(bootstrap(settings, make_session_factory(engine))).run(stop)
    finally:
        await engine.dispose()


@dataclass
class Story:
    """A 12345 work order about a child, carried through child protection to the reply, with the
    clock skew and ties between services a real deployment shows."""

    order_no: str = field(default_factory=lambda: f"GD-{uuid.uuid4().hex[:10]}")
    work_order_id: uuid.UUID = field(default_factory=uuid.uuid4)
    case_id: uuid.UUID = field(default_factory=uuid.uuid4)
    child_key: str = field(default_factory=lambda: "pp_" + uuid.uuid4().hex)
    # The case's human reference, as child protection numbers its cases.
    case_no: str = field(default_factory=lambda: f"CP-500154-2026-{next(_CASE_NUMBERS):06d}")
    region: str = "500154"
    minor: bool = True
    start: datetime = T0
    events: list[CloudEvent] = field(default_factory=list)

    def _event(
        self,
        contract: Contract,
        *,
        seconds: float,
        service: str,
        causation: CloudEvent | None = None,
        personkey: str | None = None,
        traceparent: str | None = None,
    ) -> CloudEvent:
        subject = str(self.case_id if service == "child_protection" else self.work_order_id)
        event = make_event(
            contract,
            source=f"/services/{service}",
            subject=subject,
            correlationid=str(self.work_order_id),
            causationid=causation.id if causation else None,
            personkey=personkey or self.child_key,
            regioncode=self.region,
        )
        event = replace(event, time=self.start + timedelta(seconds=seconds), traceparent=traceparent)
        self.events.append(event)
        return event

    def _wo(self, status: str, seconds: float) -> dict[str, Any]:
        return {
            "work_order_id": self.work_order_id,
            "order_no": self.order_no,
            "status": status,
            "occurred_at": self.start + timedelta(seconds=seconds),
        }

    def _details(self) -> dict[str, Any]:
        return {
            "channel": "phone",
            "category_code": "MZ-CP-02" if self.minor else "MZ-SA-01",
            "urgency": "urgent",
            "region_code": self.region,
            "content": "邻居反映：电话 13800138000，一名儿童连续多日无人照看。",
            "received_at": self.start,
            "subjects": [
                SubjectRef(
                    personkey=self.child_key,
                    masked_name="小*",
                    gender="male",
                    age=8 if self.minor else 40,
                    is_minor=self.minor,
                )
            ],
            "caller_masked_name": "王**",
            "flags": ["minor_involved"] if self.minor else [],
        }

    def _case(self, seconds: float, stage: str) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "case_ref": self.case_no,
            "region_code": self.region,
            "occurred_at": self.start + timedelta(seconds=seconds),
            "stage": stage,
            "work_order_id": self.work_order_id,
            "order_no": self.order_no,
            "child_personkey": self.child_key,
            "actor": "test:caseworker（李社工）",
        }

    def intake_only(self) -> Story:
        """Received and routed (to assistance): an adult's work order, nothing sensitive."""
        self._event(
            ic.WorkOrderReceived(**self._wo("received", 0), **self._details()), seconds=0, service="intake"
        )
        self._event(
            ic.WorkOrderRouted(
                **self._wo("routed", 0.001),
                **self._details(),
                routed_to="assistance",
                responsible_region=self.region,
                routed_by="auto",
            ),
            seconds=0.001,
            service="intake",
        )
        return self

    def full(self, *, trace: str | None = None) -> Story:
        """The whole loop; `intake.accepted` carries an earlier clock than the case event that caused it,
        and `intake.replied` the same instant as the closure that caused it."""
        tp = f"00-{trace}-{'1' * 16}-01" if trace else None
        self._event(
            ic.WorkOrderReceived(**self._wo("received", 0), **self._details()),
            seconds=0,
            service="intake",
            traceparent=tp,
        )
        routed = self._event(
            ic.WorkOrderRouted(
                **self._wo("routed", 0.001),
                **self._details(),
                routed_to="child_protection",
                responsible_region=self.region,
                routed_by="auto",
            ),
            seconds=0.001,
            service="intake",
            traceparent=tp,
        )
        reported = self._event(
            cpc.CaseReported(**self._case(2, "reported"), source="12345", urgency="urgent"),
            seconds=2,
            service="child_protection",
            causation=routed,
        )
        accepted = self._event(
            cpc.CaseAccepted(**self._case(60, "accepted")),
            seconds=60,
            service="child_protection",
            causation=reported,
        )
        self._event(
            ic.WorkOrderAccepted(**self._wo("accepted", 59), case_ref=f"child_protection/{self.case_no}"),
            seconds=59,
            service="intake",
            causation=accepted,
        )
        self._event(
            cpc.CaseEmergencyResponded(**self._case(120, "accepted"), action="on_site_visit", note="到场"),
            seconds=120,
            service="child_protection",
        )
        self._event(
            cpc.CaseStageChanged(**self._case(121, "emergency_response"), previous="accepted"),
            seconds=121,
            service="child_protection",
        )
        self._event(
            cpc.CaseAssessed(
                **self._case(200, "assessment"),
                risk_colour="yellow",
                guardianship_capacity="弱",
                hardship=True,
            ),
            seconds=200,
            service="child_protection",
        )
        closed = self._event(
            cpc.CaseClosed(**self._case(300, "closed"), feedback="儿童已由姑姑照护，联系电话 13900139000"),
            seconds=300,
            service="child_protection",
        )
        self._event(
            ic.WorkOrderReplied(
                **self._wo("replied", 300), case_ref=f"child_protection/{self.case_no}", reply_text="已处理"
            ),
            seconds=300,
            service="intake",
            causation=closed,
        )
        return self


@pytest.fixture
def story() -> Callable[..., Story]:
    """`story(region=…, minor=…)` → a Story; call `.full()` or `.intake_only()` to fill its events."""
    return Story


@pytest.fixture
def project() -> Callable[[Database, Iterable[CloudEvent]], Any]:
    return project_all


@pytest.fixture
def projection() -> Callable[[TimelineSettings, asyncio.Event], Any]:
    """`projection(settings, stop)`: the worker's consumer, to run as a task until `stop`."""
    return run_projection


def topic_of(event: CloudEvent, prefix: str) -> str:
    """`<prefix>_<service>.<aggregate>.v1` for a type `<service>.<aggregate>.<what>`."""
    service, aggregate, _ = event.type.split(".", 2)
    return f"{prefix}_{service}.{aggregate}.v1"


@dataclass
class Bus:
    """Private topics for one test (`<prefix>_<service>.<aggregate>.v1`) and the settings to read them."""

    stack: Stack
    db: Database
    prefix: str = field(
        default_factory=lambda: "tl" + "".join(random.choice(string.ascii_lowercase) for _ in range(8))
    )

    @property
    def pattern(self) -> str:
        return rf"^{self.prefix}_[a-z_]+\.[a-z_]+\.v1$"

    def settings(self, **overrides: Any) -> TimelineSettings:
        return tl_settings(
            self.db,
            self.stack,
            consumer_group=f"{self.prefix}-timeline",
            topic_pattern=self.pattern,
            **overrides,
        )

    async def topics(self, *names: str) -> None:
        await ensure_topics(self.stack.kafka.bootstrap, [TopicSpec(f"{self.prefix}_{n}", 3) for n in names])

    async def publish(self, events: Iterable[CloudEvent], *, traceparent: str | None = None) -> int:
        """Send binary-mode CloudEvents as the relay does (key = subject, a `traceparent` header)."""
        producer = make_producer(self.stack.kafka.bootstrap, client_id=f"{self.prefix}-test")
        await producer.start()
        count = 0
        try:
            for event in events:
                headers = [(k, v.encode()) for k, v in event.attribute_headers().items()]
                if traceparent:
                    headers.append(("traceparent", traceparent.encode()))
                key = (event.subject or event.id).encode()
                await producer.send(topic_of(event, self.prefix), event.value(), key=key, headers=headers)
                count += 1
            await producer.flush()
        finally:
            await producer.stop()
        return count

    async def publish_raw(self, topic: str, value: bytes) -> None:
        producer = make_producer(self.stack.kafka.bootstrap, client_id=f"{self.prefix}-test")
        await producer.start()
        try:
            await producer.send_and_wait(f"{self.prefix}_{topic}", value, key=b"raw")
        finally:
            await producer.stop()


@pytest.fixture
def bus(stack: Stack, tl_db: Database) -> Bus:
    return Bus(stack, tl_db)
