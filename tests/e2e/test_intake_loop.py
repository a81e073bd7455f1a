"""intake as real processes through Kafka: a 12345 work order is routed, and case events close the loop."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from hotline_client import HotlineClient, work_order
from infra import recreate_database, wait_until
from shared.contracts import child_protection as cp
from shared.contracts.topics import CHILD_PROTECTION_CASE_V1, INTAKE_WORK_ORDER_V1
from shared.messaging.admin import ensure_topics
from shared.messaging.outbox import make_event
from shared.messaging.producer import make_producer
from shared.stack.services import SERVICES
from shared.stack.stack import Stack

pytestmark = pytest.mark.integration
PORT_OFFSET = 20000
INTAKE = next(s for s in SERVICES if s.name == "intake")


@pytest.fixture
def intake_stack(stack: Stack) -> Iterator[Stack]:
    """The test stack with intake's API and worker started as real processes."""
    s = Stack(
        stack.paths, stack.kafka_port, stack.kafka_controller_port, services=[INTAKE], port_offset=PORT_OFFSET
    )
    asyncio.run(recreate_database(s, "intake"))
    asyncio.run(ensure_topics(s.kafka.bootstrap, s.topics()))
    s.start_service(INTAKE)
    try:
        assert s.wait_ready(INTAKE, timeout_s=60), f"intake not ready; see {s.paths.logs}"
        yield s
    finally:
        s.down_services()


async def publish_case_event(bootstrap: str, contract: cp.CaseEvent) -> str:
    event = make_event(
        contract,
        source="/services/child_protection",
        subject=str(contract.case_id),
        correlationid=str(contract.work_order_id),
    )
    producer = make_producer(bootstrap, client_id="e2e-child-protection")
    await producer.start()
    try:
        headers = [(k, v.encode()) for k, v in event.attribute_headers().items()]
        await producer.send_and_wait(
            CHILD_PROTECTION_CASE_V1, event.value(), key=str(contract.case_id).encode(), headers=headers
        )
    finally:
        await producer.stop()
    return event.id


async def test_work_order_is_routed_then_accepted_then_replied(intake_stack: Stack) -> None:
    url = f"http://127.0.0.1:{intake_stack.api_port(INTAKE)}"
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        hotline = HotlineClient(http)
        order_no = f"E2E-{uuid.uuid4().hex[:8]}"
        first = await hotline.post_work_order(work_order(order_no, category_code="MZ-CP-01"))
        assert first.status_code == 202, first.text
        work_order_id = uuid.UUID(first.json()["intake_id"])
        assert (await hotline.get_work_order(order_no)).json()["status"] == "routed"

        case_id = uuid.uuid4()
        common = {
            "case_id": case_id,
            "case_ref": "CP-2026-0001",
            "region_code": "500154",
            "occurred_at": datetime.now(UTC),
            "work_order_id": work_order_id,
            "order_no": order_no,
        }
        accepted_id = await publish_case_event(intake_stack.kafka.bootstrap, cp.CaseAccepted(**common))

        async def status_is(expected: str) -> bool:
            return bool((await hotline.get_work_order(order_no)).json()["status"] == expected)

        assert await wait_until(lambda: status_is("accepted"), timeout_s=30)
        detail = (await hotline.get_work_order(order_no)).json()
        assert detail["case_ref"] == "child_protection/CP-2026-0001"

        await publish_case_event(
            intake_stack.kafka.bootstrap,
            cp.CaseClosed(**common, feedback="已上门核实，儿童由祖母照料，已落实监护。"),
        )
        assert await wait_until(lambda: status_is("replied"), timeout_s=30)
        detail = (await hotline.get_work_order(order_no)).json()
        assert detail["reply_text"] == "已上门核实，儿童由祖母照料，已落实监护。"
        assert [h["status"] for h in detail["history"]] == ["received", "routed", "accepted", "replied"]

    types, causes = await _intake_events(intake_stack.kafka.bootstrap, str(work_order_id))
    assert types == [
        "intake.work_order.received",
        "intake.work_order.routed",
        "intake.work_order.accepted",
        "intake.work_order.replied",
    ]
    assert causes["intake.work_order.accepted"] == accepted_id


async def _intake_events(bootstrap: str, key: str) -> tuple[list[str], dict[str, str]]:
    consumer = AIOKafkaConsumer(
        INTAKE_WORK_ORDER_V1,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"e2e-{uuid.uuid4().hex[:8]}",
    )
    await consumer.start()
    types: list[str] = []
    causes: dict[str, str] = {}
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while len(types) < 4 and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                for r in records:
                    if r.key == key.encode():
                        headers = {k: v.decode() for k, v in r.headers}
                        types.append(headers["ce_type"])
                        causes[headers["ce_type"]] = headers.get("ce_causationid", "")
    finally:
        await consumer.stop()
    return types, causes
