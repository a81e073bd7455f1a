"""Deadline breaches (exactly one event per overdue step) and 12345 events consumed from intake."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from stdnum.cn import ric

from child_protection.entrypoints.consumer import make_handlers
from child_protection.service_layer.handlers import scan_deadlines
from child_protection.service_layer.unit_of_work import unit_of_work
from child_protection.settings import ChildProtectionSettings
from infra import Database
from shared.contracts import intake as ic
from shared.contracts.common import SubjectRef
from shared.crypto import FieldCipher
from shared.db import make_engine, make_session_factory
from shared.messaging.outbox import make_event

pytestmark = pytest.mark.integration
SETTINGS = ChildProtectionSettings()
CIPHER = FieldCipher(SETTINGS.data_key.get_secret_value())
SYNTHETIC_ID = "11010120100101123" + ric.calc_check_digit("11010120100101123" + "0")


def routed(work_order_id: uuid.UUID, **overrides: Any) -> ic.WorkOrderRouted:
    now = datetime.now(UTC)
    fields: dict[str, Any] = dict(  # noqa: C408 - reads like the contract's keyword arguments
        work_order_id=work_order_id,
        order_no=f"GD-{work_order_id.hex[:6]}",
        status="routed",
        occurred_at=now,
        channel="phone",
        category_code="MZ-CP-02",
        urgency="critical",
        region_code="500154",
        content=f"儿童无人照看，身份证号 {SYNTHETIC_ID} 疑似",
        received_at=now,
        routed_to="child_protection",
        responsible_region="500154",
        routed_by="auto",
        subjects=[
            SubjectRef(
                personkey="pp_" + uuid.uuid4().hex, masked_name="小*", gender="male", age=8, is_minor=True
            )
        ],
    )
    fields.update(overrides)
    return ic.WorkOrderRouted(**fields)


async def consume(db: Database, contract: Any) -> str:
    """Run the worker's handler for one intake event inside a transaction, as the consumer loop does."""
    event = make_event(contract, source="/services/intake", subject=str(contract.work_order_id))
    handler = make_handlers(CIPHER, SETTINGS)[contract.EVENT_TYPE]
    engine = make_engine(db.url, pool_size=1)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            await handler(event, session)
    finally:
        await engine.dispose()
    return event.id


async def test_an_overdue_step_produces_exactly_one_breach_event(cp_db: Database) -> None:
    await consume(cp_db, routed(uuid.uuid4()))
    due = await cp_db.fetchval('SELECT step_due_at FROM "case"')
    assert isinstance(due, datetime)
    engine = make_engine(cp_db.url, pool_size=2)
    sessions = make_session_factory(engine)
    try:
        for minutes in (-5, 61, 62, 120):
            async with unit_of_work(sessions, CIPHER) as uow:
                await scan_deadlines(uow, due + timedelta(minutes=minutes))
    finally:
        await engine.dispose()
    breaches = await cp_db.fetchcol(
        "SELECT payload FROM outbox_message WHERE type = 'child_protection.case.deadline_breached'"
    )
    assert len(breaches) == 1
    assert await cp_db.fetchval('SELECT step_breached_at IS NOT NULL FROM "case"')


async def test_routed_work_order_opens_a_critical_case_due_within_the_hour(cp_db: Database) -> None:
    work_order_id = uuid.uuid4()
    event_id = await consume(cp_db, routed(work_order_id))
    row = await cp_db.fetchval(
        "SELECT json_build_object('stage', stage, 'urgency', urgency, 'due', "
        "extract(epoch from step_due_at - opened_at), 'wo', work_order_id::text) FROM \"case\""
    )
    assert isinstance(row, str) and '"stage" : "reported"' in row and '"urgency" : "critical"' in row
    assert '"due" : 3600' in row and str(work_order_id) in row
    outbox = await cp_db.fetchcol("SELECT headers::text || payload::text FROM outbox_message")
    assert len(outbox) == 1 and event_id in outbox[0]  # causation id = the intake event
    assert SYNTHETIC_ID not in outbox[0]


async def test_revoke_before_acceptance_declines_and_later_events_are_kept_as_notes(cp_db: Database) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    await consume(cp_db, routed(first))
    await consume(cp_db, routed(second))
    now = datetime.now(UTC)
    common = {"status": "routed", "occurred_at": now, "routed_to": "child_protection"}
    await consume(
        cp_db, ic.WorkOrderRevoked(work_order_id=first, order_no="x", reason="来电人撤回", **common)
    )
    await consume(
        cp_db,
        ic.WorkOrderUrged(work_order_id=second, order_no="y", note="请尽快处理", urge_count=1, **common),
    )
    await consume(
        cp_db, ic.WorkOrderSupplemented(work_order_id=second, order_no="y", content="补充：孩子8岁", **common)
    )
    stages = await cp_db.fetchcol('SELECT stage FROM "case" ORDER BY work_order_id = $1 DESC', first)
    assert stages == ["declined", "reported"]
    actions = await cp_db.fetchcol(
        'SELECT action FROM case_history h JOIN "case" c ON c.id = h.case_id WHERE c.work_order_id = $1 '
        "ORDER BY seq",
        second,
    )
    assert actions == ["reported", "hotline_urged", "hotline_supplemented"]


async def test_work_orders_for_other_services_are_ignored(cp_db: Database) -> None:
    await consume(cp_db, routed(uuid.uuid4(), routed_to="assistance"))
    assert await cp_db.fetchval('SELECT count(*) FROM "case"') == 0
