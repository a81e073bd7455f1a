"""The work-order state machine: every status pair, satisfaction, urge/supplement, and the events emitted."""

from __future__ import annotations

import copy
import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from intake.domain import events as ev
from intake.domain.errors import InvalidTransition
from intake.domain.model import ALLOWED, OPEN, Status, Subject, WorkOrder
from intake.domain.routing import RoutingDecision

S = Status
AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ALL_PAIRS = list(itertools.product(Status, Status))


def new_order(status: Status = S.RECEIVED) -> WorkOrder:
    return WorkOrder(
        id=uuid.uuid4(),
        order_no="GD-UNIT-1",
        received_at=AT,
        channel="phone",
        category_code="MZ-CP-02",
        category_name=None,
        urgency="normal",
        region_code="500154",
        content="邻居反映：一名儿童无人照看。",
        payload={},
        status=status,
    )


def snapshot(wo: WorkOrder) -> WorkOrder:
    return copy.deepcopy(wo)


# One public command per target status; RECEIVED has none (nothing moves back to it).
COMMANDS: dict[Status, Callable[[WorkOrder], None]] = {
    S.ROUTED: lambda wo: wo.route("assistance", "500154", LATER, "desk"),
    S.TRIAGE: lambda wo: wo.require_triage(("unknown_category",), LATER, "auto"),
    S.ACCEPTED: lambda wo: wo.accept(LATER, "child_protection/CP-1", "child_protection"),
    S.IN_PROGRESS: lambda wo: wo.mark_in_progress(LATER, "child_protection"),
    S.REPLIED: lambda wo: wo.reply(LATER, "已上门核实并安排临时照料。", "child_protection"),
    S.CLOSED: lambda wo: wo.record_satisfaction(LATER, 5, "满意"),
    S.REOPENED: lambda wo: wo.reopen(LATER, "案件重启", "child_protection"),
    S.REVOKED: lambda wo: wo.revoke(LATER, "来电人已自行解决"),
}
EVENT_OF: dict[Status, type[ev.Event]] = {
    S.ROUTED: ev.Routed,
    S.TRIAGE: ev.TriageRequired,
    S.ACCEPTED: ev.Accepted,
    S.IN_PROGRESS: ev.InProgress,
    S.REPLIED: ev.Replied,
    S.CLOSED: ev.Closed,
    S.REOPENED: ev.Reopened,
    S.REVOKED: ev.Revoked,
}
COMMAND_PAIRS = [(frm, to) for frm, to in ALL_PAIRS if to in COMMANDS]


def test_the_table_covers_every_status_and_never_leads_back_to_received() -> None:
    assert set(ALLOWED) == set(Status)
    assert all(S.RECEIVED not in targets for targets in ALLOWED.values())
    assert ALLOWED[S.REVOKED] == frozenset()
    assert frozenset(Status) - {S.CLOSED, S.REVOKED} == OPEN


@pytest.mark.parametrize(("frm", "to"), ALL_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in ALL_PAIRS])
def test_transition_gate_allows_exactly_the_table(frm: Status, to: Status) -> None:
    wo = new_order(frm)
    if to in ALLOWED[frm]:
        wo._move(to, "moved", LATER, "tester")
        assert wo.status == to
        assert [(h.status, h.action, h.at) for h in wo.history] == [(to, "moved", LATER)]
    else:
        with pytest.raises(InvalidTransition) as refused:
            wo._move(to, "moved", LATER, "tester")
        assert refused.value.message
        assert wo.status == frm and wo.history == []


@pytest.mark.parametrize(
    ("frm", "to"), COMMAND_PAIRS, ids=[f"{a.value}->{b.value}" for a, b in COMMAND_PAIRS]
)
def test_every_command_follows_the_table(frm: Status, to: Status) -> None:
    wo = new_order(frm)
    before = snapshot(wo)
    if to in ALLOWED[frm]:
        COMMANDS[to](wo)
        assert wo.status == to
        assert wo.history[-1].status == to and wo.history[-1].at == LATER
        assert isinstance(wo.events[-1], EVENT_OF[to])
        assert wo.events[-1].status == to.value
        assert all(e.status for e in wo.events)
        return
    lenient = (
        # Redelivered "accepted" is idempotent; "in progress" only ever moves forward; a second
        # good satisfaction score on a closed order is recorded without moving it.
        (to == S.ACCEPTED and frm == S.ACCEPTED)
        or to == S.IN_PROGRESS
        or (to == S.CLOSED and frm == S.CLOSED)
    )
    if lenient:
        COMMANDS[to](wo)
        assert wo.status == frm
        assert [type(e) for e in wo.events] in ([], [ev.SatisfactionRecorded])
        assert all(e.status == frm.value for e in wo.events)
        return
    with pytest.raises(InvalidTransition):
        COMMANDS[to](wo)
    # A refused command leaves the work order exactly as it was.
    assert wo == before


def test_route_refuses_a_target_that_is_not_a_service() -> None:
    wo = new_order(S.TRIAGE)
    with pytest.raises(InvalidTransition):
        wo.route("triage", "500154", AT, "desk")
    assert wo.status == S.TRIAGE and wo.events == []


def test_accept_again_only_updates_the_case_reference() -> None:
    wo = new_order(S.ROUTED)
    wo.accept(AT, "child_protection/CP-1", "child_protection")
    wo.accept(LATER, "child_protection/CP-2", "child_protection")
    assert wo.status == S.ACCEPTED and wo.case_ref == "child_protection/CP-2"
    assert [type(e) for e in wo.events] == [ev.Accepted]
    assert len(wo.history) == 1


@pytest.mark.parametrize("score", [1, 2])
@pytest.mark.parametrize("frm", [S.REPLIED, S.CLOSED])
def test_low_satisfaction_reopens(frm: Status, score: int) -> None:
    wo = new_order(frm)
    wo.record_satisfaction(LATER, score, "没人联系我")
    assert wo.status == S.REOPENED
    assert [(type(e), e.status) for e in wo.events] == [
        (ev.SatisfactionRecorded, frm.value),
        (ev.Reopened, "reopened"),
    ]
    recorded = wo.events[0]
    assert isinstance(recorded, ev.SatisfactionRecorded)
    assert (recorded.score, recorded.comment) == (score, "没人联系我")
    assert [h.action for h in wo.history] == ["satisfaction_recorded", "reopened"]
    assert [h.status for h in wo.history] == [frm, S.REOPENED]


@pytest.mark.parametrize("score", [3, 4, 5])
def test_satisfaction_of_three_or_more_closes(score: int) -> None:
    wo = new_order(S.REPLIED)
    wo.record_satisfaction(LATER, score, None)
    assert wo.status == S.CLOSED
    assert [(type(e), e.status) for e in wo.events] == [
        (ev.SatisfactionRecorded, "replied"),
        (ev.Closed, "closed"),
    ]
    assert [h.status for h in wo.history] == [S.REPLIED, S.CLOSED]


@pytest.mark.parametrize("score", [3, 5])
def test_good_satisfaction_on_a_closed_order_is_recorded_and_it_stays_closed(score: int) -> None:
    wo = new_order(S.CLOSED)
    wo.record_satisfaction(LATER, score, None)
    assert wo.status == S.CLOSED
    assert [(type(e), e.status) for e in wo.events] == [(ev.SatisfactionRecorded, "closed")]


@pytest.mark.parametrize("frm", [s for s in Status if s not in (S.REPLIED, S.CLOSED)])
@pytest.mark.parametrize("score", [1, 5])
def test_satisfaction_before_reply_is_refused(frm: Status, score: int) -> None:
    wo = new_order(frm)
    with pytest.raises(InvalidTransition):
        wo.record_satisfaction(LATER, score, None)
    assert wo.status == frm and wo.events == [] and wo.history == []


@pytest.mark.parametrize("frm", sorted(OPEN))
def test_urge_on_an_open_order_counts_without_moving(frm: Status) -> None:
    wo = new_order(frm)
    wo.urge(AT, "请尽快处理")
    wo.urge(LATER, None)
    assert wo.status == frm and wo.urge_count == 2
    assert [(type(e), e.status) for e in wo.events] == [(ev.Urged, frm.value)] * 2
    assert [(h.action, h.status, h.detail["urge_count"]) for h in wo.history] == [
        ("urged", frm, 1),
        ("urged", frm, 2),
    ]


@pytest.mark.parametrize("frm", sorted(OPEN))
def test_supplement_on_an_open_order_adds_text_and_people(frm: Status) -> None:
    wo = new_order(frm)
    added = Subject(personkey="pp_" + "0" * 32, name="李四", age=9, is_minor=True)
    wo.supplement(AT, "补充：孩子的奶奶住在附近。", [added], "EV-1")
    assert wo.status == frm
    assert wo.subjects == [added]
    assert wo.supplements == [
        {
            "event_id": "EV-1",
            "at": AT.isoformat(),
            "content": "补充：孩子的奶奶住在附近。",
            "subject_count": 1,
        }
    ]
    [event] = wo.events
    assert isinstance(event, ev.Supplemented)
    assert (event.content, event.subject_count, event.status) == ("补充：孩子的奶奶住在附近。", 1, frm.value)


@pytest.mark.parametrize("frm", [S.CLOSED, S.REVOKED])
def test_urge_and_supplement_are_refused_on_closed_and_revoked(frm: Status) -> None:
    wo = new_order(frm)
    before = snapshot(wo)
    with pytest.raises(InvalidTransition):
        wo.urge(AT, "请尽快处理")
    with pytest.raises(InvalidTransition):
        wo.supplement(AT, "补充", [Subject(personkey="pp_" + "1" * 32)], "EV-2")
    assert wo == before


def test_revoked_is_final() -> None:
    wo = new_order(S.ROUTED)
    wo.revoke(AT, "重复工单")
    for to, command in COMMANDS.items():
        if to == S.IN_PROGRESS:
            command(wo)  # "in progress" never moves a finished order; it is ignored, not refused
            continue
        with pytest.raises(InvalidTransition):
            command(wo)
    assert wo.status == S.REVOKED and wo.case_ref is None and wo.reply_text is None
    assert [type(e) for e in wo.events] == [ev.Revoked]


def test_automatic_routing_emits_received_then_routed() -> None:
    wo = new_order()
    wo.mark_received(AT)
    wo.apply_routing(RoutingDecision("child_protection", "500154", ()), AT, "auto")
    assert wo.status == S.ROUTED
    assert (wo.routed_to, wo.responsible_region) == ("child_protection", "500154")
    assert [(type(e), e.status) for e in wo.events] == [(ev.Received, "received"), (ev.Routed, "routed")]
    routed = wo.events[1]
    assert isinstance(routed, ev.Routed) and routed.by == "auto"
    assert [(h.action, h.status) for h in wo.history] == [("received", S.RECEIVED), ("routed", S.ROUTED)]
    assert wo.history[1].detail == {"routed_to": "child_protection", "responsible_region": "500154"}


def test_uncertain_routing_goes_to_triage_with_its_reasons() -> None:
    wo = new_order()
    wo.mark_received(AT)
    wo.apply_routing(RoutingDecision("triage", None, ("unknown_category", "region_needs_county")), AT, "auto")
    assert wo.status == S.TRIAGE and wo.routed_to == "triage" and wo.responsible_region is None
    assert [(type(e), e.status) for e in wo.events] == [
        (ev.Received, "received"),
        (ev.TriageRequired, "triage"),
    ]
    triage = wo.events[1]
    assert isinstance(triage, ev.TriageRequired)
    assert triage.reasons == ("unknown_category", "region_needs_county")


def test_decline_sends_the_order_back_to_triage() -> None:
    wo = new_order(S.ACCEPTED)
    wo.routed_to = "child_protection"
    wo.decline(AT, "不属于本部门职责", "child_protection")
    assert wo.status == S.TRIAGE and wo.routed_to == "triage"
    [event] = wo.events
    assert isinstance(event, ev.TriageRequired)
    assert event.reasons == ("declined_by_service",) and event.status == "triage"
    assert wo.history[-1].action == "declined"
    assert wo.history[-1].detail == {"reason": "不属于本部门职责"}


def test_whole_life_each_event_carries_the_status_right_after_it() -> None:
    wo = new_order()
    wo.mark_received(AT)
    wo.apply_routing(RoutingDecision("child_protection", "500154", ()), AT, "auto")
    wo.urge(AT, None)
    wo.accept(AT, "child_protection/CP-9", "child_protection")
    wo.mark_in_progress(AT, "child_protection")
    wo.supplement(AT, "补充说明", [], "EV-9")
    wo.reply(AT, "已安排临时监护。", "child_protection")
    wo.record_satisfaction(AT, 2, "不满意")
    wo.route("child_protection", "500154", AT, "desk")
    wo.reply(LATER, "已再次回访并落实照料。", "child_protection")
    wo.record_satisfaction(LATER, 4, None)
    assert [(type(e).__name__, e.status) for e in wo.events] == [
        ("Received", "received"),
        ("Routed", "routed"),
        ("Urged", "routed"),
        ("Accepted", "accepted"),
        ("InProgress", "in_progress"),
        ("Supplemented", "in_progress"),
        ("Replied", "replied"),
        ("SatisfactionRecorded", "replied"),
        ("Reopened", "reopened"),
        ("Routed", "routed"),
        ("Replied", "replied"),
        ("SatisfactionRecorded", "replied"),
        ("Closed", "closed"),
    ]
    assert [h.status.value for h in wo.history] == [
        "received",
        "routed",
        "routed",
        "accepted",
        "in_progress",
        "in_progress",
        "replied",
        "replied",
        "reopened",
        "routed",
        "replied",
        "replied",
        "closed",
    ]
    assert wo.case_ref == "child_protection/CP-9"
    assert wo.reply_text == "已再次回访并落实照料。"
    assert not wo.is_open
