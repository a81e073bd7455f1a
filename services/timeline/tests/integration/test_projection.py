"""The projection handler on a real database: idempotent, delivery-order invariant, every type projected."""

from __future__ import annotations

import random
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from infra import Database
from records import record_of
from shared.auth.principal import Principal, Program, Role
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import DLQ_PARTITIONS, dlq_spec, dlq_topic
from shared.db import make_engine, make_session_factory
from shared.messaging.admin import ensure_topics
from shared.messaging.consumer import ConsumerLoop
from timeline.bootstrap import bootstrap
from timeline.domain.viewer import Viewer
from timeline.entrypoints.consumer import projection_consumer
from timeline.service_layer import case_views, person_views
from timeline.settings import TimelineSettings

pytestmark = pytest.mark.integration

VIEWERS = {
    "cp": Principal(
        "cp", "社工", frozenset({Role.caseworker}), "500154", frozenset({Program.child_protection})
    ),
    "agent": Principal("agent", "话务", frozenset({Role.intake_agent}), "500154", frozenset()),
    "auditor": Principal("aud", "审计", frozenset({Role.auditor}), "500000", frozenset()),
    "elsewhere": Principal(
        "x", "外区", frozenset({Role.caseworker}), "510104", frozenset({Program.child_protection})
    ),
}


async def snapshot(db: Database) -> list[object]:
    return await db.fetchcol(
        "SELECT row(event_id, event_time, source, type, topic, case_ref, order_no, personkeys, regioncode, "
        "correlation_id, causation_id, trace_id, sensitivity, summary, excerpt)::text "
        "FROM timeline_entry ORDER BY event_id"
    )


async def query(session: Any, kind: str, s: Any, viewer: Viewer, cursor: str | None, limit: int) -> Any:
    if kind == "case":
        return await case_views.case_timeline(
            session, "child_protection", str(s.case_id), viewer, cursor=cursor, limit=limit
        )
    if kind == "reference":
        return await case_views.case_timeline(
            session, "child_protection", s.case_no, viewer, cursor=cursor, limit=limit
        )
    if kind == "wo":
        return await case_views.work_order_timeline(session, s.order_no, viewer, cursor=cursor, limit=limit)
    return await person_views.person_timeline(session, s.child_key, viewer, cursor=cursor, limit=limit)


async def every_query(db: Database, stories: list[Any], page_size: int = 3) -> dict[str, Any]:
    """Every query of every story for every viewer, paged through, without recorded times."""
    engine = make_engine(db.url, pool_size=1)
    out: dict[str, Any] = {}
    try:
        async with make_session_factory(engine)() as session:
            for s in stories:
                for name, p in VIEWERS.items():
                    viewer = Viewer.from_principal(p)
                    for kind in ("case", "reference", "wo", "person"):
                        entries, cursor = [], None
                        while True:
                            page = await query(session, kind, s, viewer, cursor, page_size)
                            entries += [
                                (e.event_id, e.summary, e.sensitivity, e.trace_id) for e in page.entries
                            ]
                            if (cursor := page.next_cursor) is None:
                                break
                        out[f"{s.order_no}/{name}/{kind}"] = entries
    finally:
        await engine.dispose()
    return out


async def test_each_event_is_one_entry_however_often_it_is_delivered(
    tl_db: Database, story: Any, project: Any
) -> None:
    s = story().full()
    await project(tl_db, s.events)
    first = await snapshot(tl_db)
    await project(tl_db, s.events)
    await project(tl_db, reversed(s.events))
    assert await snapshot(tl_db) == first
    assert await tl_db.fetchval("SELECT count(*) FROM timeline_entry") == len(s.events)


async def test_shuffled_delivery_gives_the_same_answers(tl_db: Database, story: Any, project: Any) -> None:
    stories = [story().full(), story(minor=False).intake_only(), story(region="510104").full()]
    events: list[CloudEvent] = [e for s in stories for e in s.events]
    await project(tl_db, events)
    expected = await every_query(tl_db, stories)
    # The story's own causal order is visible to the child-protection caseworker of the region.
    wo = [summary for _, summary, _, _ in expected[f"{stories[0].order_no}/cp/wo"]]
    assert (
        wo.index(next(x for x in wo if "已签收" in x)) == wo.index(next(x for x in wo if "已受理" in x)) + 1
    )
    assert wo[-2:] == [
        f"案件 {stories[0].case_no}已结案，已向报告人反馈",
        f"工单 {stories[0].order_no}已办结，办结回复已生成",
    ]
    # A case found by its reference is the case found by its id.
    assert expected[f"{stories[0].order_no}/cp/reference"] == expected[f"{stories[0].order_no}/cp/case"] != []
    rng = random.Random(20261123)
    for _ in range(3):
        await tl_db.execute("TRUNCATE timeline_entry, person_link")
        rng.shuffle(events)
        await project(tl_db, events)
        assert await every_query(tl_db, stories) == expected


async def _close_dead_letters(loop: ConsumerLoop) -> None:
    # The loop starts its dead-letter producer on first use and stops it when `run` ends; here it never ran.
    await loop.close()


async def test_a_fetched_batch_is_projected_in_one_go_and_a_malformed_one_record_by_record(
    tl_db: Database, stack: Any, story: Any
) -> None:
    settings = TimelineSettings(
        database_url=tl_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap, consumer_group="tl-batch"
    )
    await ensure_topics(stack.kafka.bootstrap, [dlq_spec("tl-batch")])
    engine = make_engine(tl_db.url, pool_size=2)
    loop = projection_consumer(bootstrap(settings, make_session_factory(engine)))
    s = story().full()
    clean = [record_of(e, "intake.work_order.v1", i) for i, e in enumerate(s.events)]
    try:
        assert await loop.handle_records(clean) == len(clean) - 1
        assert await loop.handle_records(clean) == len(clean) - 1  # redelivered: still one entry each
        assert await tl_db.fetchval("SELECT count(*) FROM timeline_entry") == len(clean)
        # The batch needs no inbox: the entry's primary key is the event id.
        assert await tl_db.fetchval("SELECT count(*) FROM inbox_message") == 0

        other = story().full().events[:2]
        mixed = [record_of(other[0], "t.v1", 0), record_of(None, "t.v1", 1), record_of(other[1], "t.v1", 2)]
        assert await loop.handle_records(mixed) == 2
    finally:
        await _close_dead_letters(loop)
        await engine.dispose()
    assert await tl_db.fetchval("SELECT count(*) FROM timeline_entry") == len(clean) + 2
    # Record by record: the two good ones through the inbox, the malformed one to the dead-letter topic.
    assert await tl_db.fetchval("SELECT count(*) FROM inbox_message WHERE consumer = 'tl-batch'") == 2
    probe = AIOKafkaConsumer(bootstrap_servers=stack.kafka.bootstrap)
    await probe.start()
    try:
        ends = await probe.end_offsets(
            [TopicPartition(dlq_topic("tl-batch"), p) for p in range(DLQ_PARTITIONS)]
        )
    finally:
        await probe.stop()
    assert sum(ends.values()) == 1


async def test_unknown_types_are_projected_through_the_consumer_loop(tl_db: Database, stack: Any) -> None:
    settings = TimelineSettings(database_url=tl_db.url, kafka_bootstrap_servers=stack.kafka.bootstrap)
    engine = make_engine(tl_db.url, pool_size=2)
    loop = projection_consumer(bootstrap(settings, make_session_factory(engine)))
    event = CloudEvent(
        type="newservice.case.opened",
        source="/services/newservice",
        data={"case_id": "n-1", "case_ref": "NS-7", "region_code": "500154"},
        regioncode="500154",
    )
    record = record_of(event, "newservice.case.v1", 7)
    try:
        assert await loop.process(record) == "handled"
        assert await loop.process(record) == "duplicate"
    finally:
        await engine.dispose()
    row = await tl_db.fetchval(
        "SELECT row(source, topic, case_ref, reference, summary, sensitivity)::text FROM timeline_entry "
        "WHERE event_id = $1",
        event.id,
    )
    assert row == "(newservice,newservice.case.v1,newservice/n-1,NS-7,其他业务：有一条新的办理记录,normal)"
    assert await tl_db.fetchval("SELECT count(*) FROM inbox_message WHERE consumer = 'timeline'") == 1
