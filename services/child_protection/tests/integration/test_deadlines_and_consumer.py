"""12345 events consumed from intake through the real consumer loop and bus on PostgreSQL, and the
deadline scan (exactly one breach event, and one count, per overdue step)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from stdnum.cn import ric

from child_protection.bootstrap import ChildProtectionRuntime, bootstrap
from child_protection.domain import commands as c
from child_protection.domain.stages import Stage
from child_protection.entrypoints.consumer import SUBSCRIPTION
from child_protection.entrypoints.worker import scan_deadlines
from child_protection.settings import ChildProtectionSettings
from infra import Database
from records import record_of
from shared.contracts import intake as ic
from shared.contracts.common import SubjectRef
from shared.contracts.envelope import make_event
from shared.contracts.topics import INTAKE_WORK_ORDER_V1
from shared.db import make_engine, make_session_factory
from shared.kit.clock import FixedClock
from shared.kit.worker import consumer_loop
from shared.messaging.consumer import ConsumerLoop
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration
SYNTHETIC_ID = "11010120100101123" + ric.calc_check_digit("11010120100101123" + "0")
NOW = datetime.now(UTC).replace(microsecond=0)
WORKER = c.Actor(sub="test:li", name="李社工")


@pytest_asyncio.fixture
async def runtime(cp_db: Database, stack: Stack) -> AsyncIterator[ChildProtectionRuntime]:
    """The service's runtime on the test database, its clock fixed (the scans read it)."""
    settings = ChildProtectionSettings(
        database_url=cp_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap, service_name="cp-it-consumer"
    )
    engine = make_engine(cp_db.url, pool_size=2)
    try:
        yield bootstrap(settings, make_session_factory(engine), clock=FixedClock(NOW))
    finally:
        await engine.dispose()


@pytest.fixture
def consumer(runtime: ChildProtectionRuntime) -> ConsumerLoop:
    return consumer_loop(runtime, SUBSCRIPTION)


def routed(work_order_id: uuid.UUID, **overrides: Any) -> ic.WorkOrderRouted:
    fields: dict[str, Any] = {
        "work_order_id": work_order_id,
        "order_no": f"GD-{work_order_id.hex[:6]}",
        "status": "routed",
        "occurred_at": NOW,
        "channel": "phone",
        "category_code": "MZ-CP-02",
        "urgency": "critical",
        "region_code": "500154",
        "content": f"儿童无人照看，身份证号 {SYNTHETIC_ID} 疑似",
        "received_at": NOW,
        "routed_to": "child_protection",
        "responsible_region": "500154",
        "routed_by": "auto",
        "subjects": [
            SubjectRef(
                personkey="pp_" + uuid.uuid4().hex, masked_name="小*", gender="male", age=8, is_minor=True
            )
        ],
    }
    return ic.WorkOrderRouted(**{**fields, **overrides})


async def consume(consumer: ConsumerLoop, contract: Any, event_id: str | None = None) -> tuple[str, str]:
    """One intake event through the consumer loop: its id and the outcome."""
    event = make_event(contract, source="/services/intake", subject=str(contract.work_order_id))
    if event_id is not None:
        event = dataclasses.replace(event, id=event_id)
    return event.id, await consumer.process(record_of(event, INTAKE_WORK_ORDER_V1))


async def outbox(db: Database, event_type: str) -> list[dict[str, Any]]:
    rows = await db.fetchcol(
        "SELECT payload::text FROM outbox_message WHERE type = $1 ORDER BY id", event_type
    )
    return [json.loads(str(r)) for r in rows]


async def test_an_overdue_step_produces_exactly_one_breach_event_and_count(
    cp_db: Database, runtime: ChildProtectionRuntime, consumer: ConsumerLoop
) -> None:
    await consume(consumer, routed(uuid.uuid4()))
    due = await cp_db.fetchval('SELECT step_due_at FROM "case"')
    assert due == NOW + timedelta(hours=1)
    clock = runtime.clock
    assert isinstance(clock, FixedClock)
    counts = []
    for minutes in (-5, 61, 62, 120):
        clock.now = NOW + timedelta(minutes=minutes)
        counts.append(await scan_deadlines(runtime))
    assert counts == [0, 1, 0, 0]
    (breach,) = await outbox(cp_db, "child_protection.case.deadline_breached")
    assert breach["step"] == "reported" and breach["actor"] == "system"
    assert await cp_db.fetchval('SELECT step_breached_at IS NOT NULL FROM "case"')
    assert runtime.metrics is not None
    samples = {"service": "cp-it-consumer", "step": "reported"}
    assert runtime.metrics.registry.get_sample_value("deadline_breaches_total", samples) == 1.0


async def test_routed_work_order_opens_a_critical_case_due_within_the_hour(
    cp_db: Database, consumer: ConsumerLoop
) -> None:
    work_order_id = uuid.uuid4()
    event_id, outcome = await consume(consumer, routed(work_order_id))
    assert outcome == "handled"
    row = await cp_db.fetchval(
        "SELECT json_build_object('stage', stage, 'urgency', urgency, 'due', "
        "extract(epoch from step_due_at - opened_at), 'wo', work_order_id::text) FROM \"case\""
    )
    assert isinstance(row, str) and '"stage" : "reported"' in row and '"urgency" : "critical"' in row
    assert '"due" : 3600' in row and str(work_order_id) in row
    outbox_rows = await cp_db.fetchcol("SELECT headers::text || payload::text FROM outbox_message")
    assert len(outbox_rows) == 1 and event_id in outbox_rows[0]  # causation id = the intake event
    assert SYNTHETIC_ID not in outbox_rows[0]


async def test_the_12345_deadline_is_stored_and_bounds_the_step(
    cp_db: Database, consumer: ConsumerLoop
) -> None:
    deadline = NOW + timedelta(minutes=20)
    await consume(consumer, routed(uuid.uuid4(), urgency="normal", deadline_at=deadline))
    stored = await cp_db.fetchval(
        "SELECT json_build_object('h', hotline_deadline_at, 's', step_due_at)::text FROM \"case\""
    )
    values = json.loads(str(stored))
    assert datetime.fromisoformat(values["h"]) == deadline == datetime.fromisoformat(values["s"])


async def test_a_redelivered_work_order_is_a_duplicate(cp_db: Database, consumer: ConsumerLoop) -> None:
    contract = routed(uuid.uuid4())
    event_id, first = await consume(consumer, contract)
    _, second = await consume(consumer, contract, event_id=event_id)
    assert (first, second) == ("handled", "duplicate")
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 1


async def test_revoke_before_acceptance_declines_and_later_events_are_kept_as_notes(
    cp_db: Database, consumer: ConsumerLoop
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    await consume(consumer, routed(first))
    await consume(consumer, routed(second))
    common = {"status": "routed", "occurred_at": NOW, "routed_to": "child_protection"}
    await consume(
        consumer, ic.WorkOrderRevoked(work_order_id=first, order_no="x", reason="来电人撤回", **common)
    )
    await consume(
        consumer,
        ic.WorkOrderUrged(work_order_id=second, order_no="y", note="请尽快处理", urge_count=1, **common),
    )
    await consume(
        consumer,
        ic.WorkOrderSupplemented(work_order_id=second, order_no="y", content="补充：孩子8岁", **common),
    )
    stages = await cp_db.fetchcol('SELECT stage FROM "case" ORDER BY work_order_id = $1 DESC', first)
    assert stages == ["declined", "reported"]
    actions = await cp_db.fetchcol(
        'SELECT action FROM case_history h JOIN "case" c ON c.id = h.case_id WHERE c.work_order_id = $1 '
        "ORDER BY h.id",
        second,
    )
    assert actions == ["reported", "hotline_urged", "hotline_supplemented"]


async def test_work_orders_for_other_services_are_ignored(cp_db: Database, consumer: ConsumerLoop) -> None:
    _, outcome = await consume(consumer, routed(uuid.uuid4(), routed_to="assistance"))
    assert outcome == "ignored"
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 0


async def test_a_low_satisfaction_score_reopens_the_closed_case(
    cp_db: Database, runtime: ChildProtectionRuntime, consumer: ConsumerLoop
) -> None:
    work_order_id = uuid.uuid4()
    await consume(consumer, routed(work_order_id))
    case_id = await cp_db.fetchval('SELECT id FROM "case"')
    assert isinstance(case_id, uuid.UUID)
    for command in (
        c.AcceptCase(case_id=case_id, actor=WORKER),
        c.RecordEmergency(case_id=case_id, actor=WORKER, action="on_site_visit"),
        c.RequestSkip(case_id=case_id, actor=WORKER, target=Stage.CLOSED, reason="经核实无风险"),
        c.ApproveSkip(case_id=case_id, actor=WORKER, feedback="已办结。"),
    ):
        await runtime.bus.handle(command)
    low = ic.WorkOrderSatisfactionRecorded(
        work_order_id=work_order_id,
        order_no="x",
        status="reopened",
        occurred_at=NOW,
        score=1,
        comment="没人联系",
    )
    assert (await consume(consumer, low))[1] == "handled"
    assert await cp_db.fetchval('SELECT stage FROM "case"') == "assessment"
    (reopened,) = await outbox(cp_db, "child_protection.case.reopened")
    assert reopened["reason"] == "12345 回访不满意（1分）：没人联系"
    assert reopened["work_order_id"] == str(work_order_id)
