"""The timeline's handlers on fakes, through the real bus: projection (one event, a batch), the links events
declare, caseworkers' corrections with their refusals, and the consumer's route and batch handler."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from records import record_of
from services.timeline.tests.fakes import FakeTimelineUnitOfWork, fake_runtime
from shared.auth.principal import Principal, Program, Role
from shared.contracts import child_protection as cpc
from shared.contracts import intake as ic
from shared.contracts.envelope import CloudEvent, make_event
from shared.kit.clock import FixedClock
from shared.kit.unit_of_work import DuplicateDelivery, Inbound
from timeline.bootstrap import TimelineRuntime
from timeline.domain.commands import LinkPersons, ProjectBatch, ProjectEvent, UnlinkPersons
from timeline.domain.errors import AlreadyLinked, NotLinked, PersonNotFound, SamePerson
from timeline.domain.links import LinkRow
from timeline.domain.viewer import Viewer
from timeline.entrypoints.consumer import MalformedBatch, batch_projection, to_project_event

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
CASE_ID = uuid.UUID("5f0c2f5e-8d51-4a3c-9a56-0b7f4f9d2a11")
WORK_ORDER_ID = uuid.UUID("0d6a2b9e-3f41-4c1a-8e55-7a9b1c2d3e4f")
CHILD = "pp_0123456789abcdef0123456789abcdef"
OTHER_CHILD = "pk_" + "ab" * 32
FAR_CHILD = "pp_" + "fe" * 16


def viewer(
    region: str = "500154", programs: frozenset[Program] = frozenset({Program.child_protection})
) -> Viewer:
    return Viewer.from_principal(
        Principal("u-zhang", "张社工", frozenset({Role.caseworker}), region, programs)
    )


def reported(case_id: uuid.UUID = CASE_ID, child: str = CHILD, region: str = "500154") -> CloudEvent:
    contract = cpc.CaseReported(
        case_id=case_id,
        case_ref="CP-500154-2026-000005",
        region_code=region,
        occurred_at=AT,
        stage="reported",
        work_order_id=WORK_ORDER_ID,
        child_personkey=child,
        actor="dev:张三（张三）",
        source="12345",
        urgency="urgent",
    )
    return make_event(contract, source="/services/child_protection", subject=str(case_id), regioncode=region)


def urged() -> CloudEvent:
    contract = ic.WorkOrderUrged(
        work_order_id=WORK_ORDER_ID,
        order_no="GD-20261123-0001",
        status="routed",
        occurred_at=AT,
        urge_count=2,
    )
    return make_event(contract, source="/services/intake", subject=str(WORK_ORDER_ID), regioncode="500154")


class Timeline:
    """The bus on fake storage."""

    def __init__(self) -> None:
        self.clock = FixedClock(AT + timedelta(days=1))
        self.runtime: TimelineRuntime
        self.runtime, self.uow = fake_runtime(self.clock)

    async def project(self, *events: CloudEvent) -> None:
        for event in events:
            await self.runtime.bus.handle(ProjectEvent(event=event))

    async def link(self, one: str, other: str, who: Viewer | None = None, reason: str = "同一儿童") -> Any:
        command = LinkPersons(one=one, other=other, reason=reason, actor="张社工", viewer=who or viewer())
        return await self.runtime.bus.handle(command)

    async def unlink(self, one: str, other: str, reason: str = "核实后并非同一人") -> Any:
        command = UnlinkPersons(one=one, other=other, reason=reason, actor="张社工", viewer=viewer())
        return await self.runtime.bus.handle(command)


@pytest.fixture
def tl() -> Timeline:
    return Timeline()


def stored(uow: FakeTimelineUnitOfWork) -> list[tuple[str, str, str | None, str, str]]:
    return [(e.type, e.case_ref, e.reference, e.sensitivity, e.summary) for e in uow.entries.items.values()]


async def test_an_event_becomes_one_entry_and_a_redelivery_is_a_duplicate(tl: Timeline) -> None:
    event = reported()
    inbound = Inbound(consumer="timeline", event_id=event.id, event_type=event.type)
    command = ProjectEvent(event=event, topic="child_protection.case.v1", trace_id="ab" * 16)
    await tl.runtime.bus.handle(command, inbound=inbound)
    assert stored(tl.uow) == [
        (
            "child_protection.case.reported",
            f"child_protection/{CASE_ID}",
            "CP-500154-2026-000005",
            "sensitive",
            "登记发现报告（来源：12345 热线，紧急），案件 CP-500154-2026-000005",
        )
    ]
    entry = tl.uow.entries.items[event.id]
    assert (entry.topic, entry.trace_id, entry.personkeys) == (
        "child_protection.case.v1",
        "ab" * 16,
        (CHILD,),
    )
    with pytest.raises(DuplicateDelivery):
        await tl.runtime.bus.handle(command, inbound=inbound)
    assert tl.uow.inbox == {("timeline", event.id)} and tl.uow.commits == 1
    # The timeline publishes nothing.
    assert tl.uow.outbox == [] and tl.uow.sent == []


async def test_a_batch_is_one_commit_without_inbox_and_idempotent_by_event_id(tl: Timeline) -> None:
    events = [reported(), urged(), reported(uuid.uuid4(), OTHER_CHILD)]
    batch = ProjectBatch(events=tuple(ProjectEvent(event=e) for e in [*events, events[0]]))
    assert await tl.runtime.bus.handle(batch) == 4
    assert await tl.runtime.bus.handle(batch) == 4
    assert tl.uow.commits == 2 and tl.uow.inbox == set()
    assert [(t, ref, s) for t, _, ref, _, s in stored(tl.uow)] == [
        (
            "child_protection.case.reported",
            "CP-500154-2026-000005",
            "登记发现报告（来源：12345 热线，紧急），案件 CP-500154-2026-000005",
        ),
        ("intake.work_order.urged", "GD-20261123-0001", "12345催办工单 GD-20261123-0001（第 2 次）"),
        (
            "child_protection.case.reported",
            "CP-500154-2026-000005",
            "登记发现报告（来源：12345 热线，紧急），案件 CP-500154-2026-000005",
        ),
    ]


async def test_links_an_event_declares_are_rows_with_its_actor_and_reason(tl: Timeline) -> None:
    event = CloudEvent(
        type="vagrant_rescue.person.identity_confirmed",
        source="/services/vagrant_rescue",
        data={
            "linked_personkeys": [CHILD, OTHER_CHILD],
            "region_code": "500154",
            "actor": "寻亲组",
            "reason": "DNA比对确认",
        },
        time=AT,
        regioncode="500154",
    )
    await tl.project(event, event)
    assert tl.uow.links.rows == [
        LinkRow(OTHER_CHILD, CHILD, "link", AT, event.id, 1, actor="寻亲组", reason="DNA比对确认")
    ]
    assert stored(tl.uow) == [
        (event.type, f"vagrant_rescue/{event.id}", None, "normal", "流浪乞讨人员救助：有一条新的办理记录")
    ]


async def test_a_caseworker_links_and_unlinks_two_keys_under_their_name(tl: Timeline) -> None:
    await tl.project(reported(), reported(uuid.uuid4(), OTHER_CHILD))
    row = await tl.link(CHILD, OTHER_CHILD)
    now = AT + timedelta(days=1)
    assert row == LinkRow(OTHER_CHILD, CHILD, "link", now, None, 0, "张社工", "同一儿童", now)
    with pytest.raises(AlreadyLinked, match="已经关联"):
        await tl.link(OTHER_CHILD, CHILD)
    tl.clock.advance(timedelta(minutes=5))
    undone = await tl.unlink(OTHER_CHILD, CHILD)
    assert (undone.action, undone.at, undone.reason) == (
        "unlink",
        now + timedelta(minutes=5),
        "核实后并非同一人",
    )
    with pytest.raises(NotLinked, match="无需解除"):
        await tl.unlink(CHILD, OTHER_CHILD)
    assert [(r.action, r.actor, r.event_id) for r in tl.uow.links.rows] == [
        ("link", "张社工", None),
        ("unlink", "张社工", None),
    ]


async def test_corrections_are_refused_for_one_key_or_keys_the_caller_cannot_see(tl: Timeline) -> None:
    await tl.project(reported(), reported(uuid.uuid4(), FAR_CHILD, region="510104"))
    with pytest.raises(SamePerson) as same:
        await tl.link(CHILD, CHILD)
    assert same.value.status == 422
    with pytest.raises(PersonNotFound) as far:
        await tl.link(CHILD, FAR_CHILD)
    assert far.value.status == 404
    # The child's entries are sensitive: staff of another programme cannot find the key to link it.
    with pytest.raises(PersonNotFound):
        await tl.link(CHILD, FAR_CHILD, viewer("510104", frozenset({Program.assistance})))
    with pytest.raises(PersonNotFound):
        await tl.link(CHILD, "pp_nobody")
    assert tl.uow.links.rows == []


async def test_the_route_projects_every_type_and_the_batch_handler_refuses_a_malformed_record(
    tl: Timeline,
) -> None:
    unknown = CloudEvent(
        type="newservice.case.opened", source="/services/newservice", data={"case_id": "n-1"}
    )
    assert to_project_event(unknown) == ProjectEvent(event=unknown)
    handle = batch_projection(tl.runtime)
    good = [
        record_of(reported(), "child_protection.case.v1", 0),
        record_of(urged(), "intake.work_order.v1", 1),
    ]
    await handle(good)
    assert [e.topic for e in tl.uow.entries.items.values()] == [
        "child_protection.case.v1",
        "intake.work_order.v1",
    ]
    with pytest.raises(MalformedBatch):
        await handle([record_of(unknown, "newservice.case.v1", 2), record_of(None, "newservice.case.v1", 3)])
    # Nothing of the refused batch is kept: the kit sends it record by record instead.
    assert len(tl.uow.entries.items) == 2 and tl.uow.commits == 1
