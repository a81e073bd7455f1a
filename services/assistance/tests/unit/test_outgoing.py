"""Domain events -> assistance.case.v1 contracts: every event type maps to its registered contract, keyed by
the application, with exact money and no ID or phone number in the payload; the unit of work stages them."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from stdnum.cn import ric

from assistance.domain import application_events as ev
from assistance.domain.application_model import Application
from assistance.domain.application_parts import Actor, LeadSource
from assistance.domain.programmes import Programme
from assistance.service_layer.outgoing import to_message
from shared.contracts import assistance as sa
from shared.contracts.catalog import load_all
from shared.contracts.envelope import make_event
from shared.contracts.topics import ASSISTANCE_CASE_V1, DOMAIN_TOPICS
from shared.kit.testing import FakeUnitOfWork
from shared.kit.unit_of_work import Message

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HH = uuid.UUID("00000000-0000-0000-0000-0000000000aa")
CW = Actor("u-li", "李经办", "caseworker")
BASE17 = "50015419800101123"
ID_NUMBER = BASE17 + ric.calc_check_digit(BASE17 + "0")
PHONE = "13800138000"
# Typed by a caseworker into every free-text field (the domain masks it too; the contract must anyway).
RAW = f"身份证{ID_NUMBER}，电话{PHONE}"
ID_SHAPED = re.compile(r"\d{17}[\dXx]")
PHONE_SHAPED = re.compile(r"1[3-9]\d{9}")

EVENTS: tuple[ev.Event, ...] = (
    ev.LeadOpened(T0, source="hotline", source_ref=None, summary=RAW, personkeys=("pk_a",)),
    ev.Applied(
        T0,
        programme="dibao",
        temporary_kind=None,
        household_id=str(HH),
        applicant_personkey="pk_a",
        personkeys=("pk_a", "pk_b"),
    ),
    ev.Accepted(T0, review_level="township"),
    ev.Declined(T0, reason=RAW),
    ev.CoverageChanged(T0, personkeys=("pk_a",), reason=RAW),
    ev.VerificationRequested(T0, requests=(("pk_a", "housing"), ("pk_b", "finance"))),
    ev.VerificationCompleted(T0, answered=1, gaps=(("pk_b", "finance", "timed_out"),)),
    ev.HomeVisitRecorded(T0, gaps_noted=True),
    ev.AppraisalRecorded(T0, held=False, contested=False, skip_reason=RAW),
    ev.ReviewRecorded(T0, level="township", recommends_approval=True, reason=RAW),
    ev.PublicityStarted(T0, starts_at=T0, ends_at=T0 + timedelta(days=7)),
    ev.ObjectionRecorded(T0, summary=RAW, sent_back=False),
    ev.Approved(T0, programme="dibao", amount=Decimal("1234.50"), reason=RAW),
    ev.Rejected(T0, reason=RAW),
    ev.PaymentStarted(T0, amount=Decimal("1234.50"), first_month=date(2026, 12, 1)),
    ev.ManagementStarted(T0, next_review_on=date(2027, 11, 1)),
    ev.BenefitChanged(T0, previous=Decimal("1234.50"), amount=Decimal("0.10"), reason=RAW),
    ev.ReviewDue(T0, due_on=date(2027, 11, 1)),
    ev.PeriodicReviewRecorded(T0, next_review_on=date(2028, 11, 1)),
    ev.AlertRaised(T0, kind="omission", summary=RAW),
    ev.ReferralRequested(T0, agency="医疗保障", reason=RAW),
    ev.Suspended(T0, reason=RAW),
    ev.Resumed(T0, reason=RAW),
    ev.Ended(T0, reason=RAW),
    ev.Closed(T0, outcome="withdrawn", reason=RAW),
)


def application() -> Application:
    a = Application.apply(
        uuid.uuid4(), "SA-500154-2026-000123", "500154", Programme.DIBAO, HH, "pk_a", ("pk_a", "pk_b"), T0, CW
    )
    a.events.clear()
    return a


def emitted(a: Application, event: ev.Event) -> ev.Event:
    """The event as the aggregate emits it (with its id, region and stage)."""
    return dataclasses.replace(
        event, actor=CW.id, application_id=str(a.id), region_code=a.region_code, stage=a.stage.value
    )


def message(a: Application, event: ev.Event) -> Message:
    found = to_message(a, emitted(a, event))
    assert found is not None
    return found


def test_every_domain_event_type_is_listed_here() -> None:
    domain_types = {
        cls
        for cls in vars(ev).values()
        if isinstance(cls, type) and issubclass(cls, ev.Event) and cls.EVENT_TYPE
    }
    assert {type(e) for e in EVENTS} == domain_types


@pytest.mark.parametrize("event", EVENTS, ids=[e.EVENT_TYPE for e in EVENTS])
def test_each_event_maps_to_its_registered_contract(event: ev.Event) -> None:
    a = application()
    m = message(a, event)
    contract = m.contract
    assert f"assistance.{event.EVENT_TYPE}" == contract.EVENT_TYPE
    assert load_all()[contract.EVENT_TYPE] is type(contract)
    assert isinstance(contract, sa.ApplicationEvent) and contract.TOPIC == ASSISTANCE_CASE_V1
    assert (m.key, m.subject or m.key, m.personkey, m.regioncode) == (str(a.id), str(a.id), "pk_a", "500154")
    assert contract.application_id == a.id and contract.case_ref == "SA-500154-2026-000123"
    assert (contract.occurred_at, contract.stage, contract.actor) == (T0, "applied", "u-li")
    assert contract.programme == "dibao" and contract.applicant_personkey == "pk_a"


@pytest.mark.parametrize("event", EVENTS, ids=[e.EVENT_TYPE for e in EVENTS])
def test_no_id_or_phone_number_survives_in_the_payload(event: ev.Event) -> None:
    m = message(application(), event)
    payload = json.dumps(make_event(m.contract, source="/services/assistance", subject=m.key).data)
    assert ID_NUMBER not in payload and PHONE not in payload
    assert not ID_SHAPED.search(payload) and not PHONE_SHAPED.search(payload), payload


def test_money_stays_exact() -> None:
    a = application()
    approved = make_event(message(a, EVENTS[12]).contract, source="/s", subject="x").data
    changed = make_event(message(a, EVENTS[16]).contract, source="/s", subject="x").data
    assert approved["amount"] == "1234.50"
    assert (changed["previous"], changed["amount"]) == ("1234.50", "0.10")
    assert sa.BenefitChanged.model_validate(changed).amount == Decimal("0.10")


def test_the_event_says_whom_it_covers_and_the_verification_details() -> None:
    a = application()
    assert message(a, EVENTS[4]).contract.model_dump()["covered_personkeys"] == ["pk_a"]
    assert message(a, EVENTS[2]).contract.model_dump()["covered_personkeys"] == ["pk_a", "pk_b"]
    requested = message(a, EVENTS[5]).contract
    assert isinstance(requested, sa.VerificationRequested)
    assert [(r.personkey, r.department) for r in requested.requests] == [
        ("pk_a", "housing"),
        ("pk_b", "finance"),
    ]
    completed = message(a, EVENTS[6]).contract
    assert isinstance(completed, sa.VerificationCompleted) and completed.gaps[0].status == "timed_out"


def test_a_lead_keeps_its_source_and_the_upstream_correlation() -> None:
    work_order = str(uuid.uuid4())
    lead = Application.open_lead(
        uuid.uuid4(), "SA-500154-2026-000124", "500154", LeadSource.HOTLINE, RAW, T0, CW,
        source_ref=work_order, personkeys=("pk_c",),
    )  # fmt: skip
    m = message(lead, lead.events[0])
    assert isinstance(m.contract, sa.LeadOpened)
    assert (m.contract.lead_source, m.contract.lead_ref, m.correlationid) == (
        "hotline",
        work_order,
        work_order,
    )
    assert m.personkey == "pk_c" and m.contract.programme is None and m.contract.stage == "lead"
    proactive = Application.open_lead(
        uuid.uuid4(), "SA-500154-2026-000125", "500154", LeadSource.PROACTIVE, "走访发现", T0, CW
    )
    m = message(proactive, proactive.events[0])
    assert m.correlationid == str(proactive.id) and m.personkey is None


def test_a_household_announces_nothing() -> None:
    assert to_message(object(), EVENTS[0]) is None


def test_the_topic_is_created_at_start() -> None:
    assert ASSISTANCE_CASE_V1 in {t.name for t in DOMAIN_TOPICS}


async def test_the_unit_of_work_stages_the_events_in_the_outbox() -> None:
    uow = FakeUnitOfWork(to_message, source="/services/assistance")
    async with uow:
        a = Application.apply(
            uuid.uuid4(), "SA-500154-2026-000126", "500154", Programme.DIBAO, HH, "pk_a", ("pk_a",), T0, CW
        )
        uow.tracker.track(a)
        await uow.commit()
    assert [type(c) for c in uow.contracts()] == [sa.Applied]
    (sent,) = uow.sent
    assert (sent.type, sent.subject, sent.personkey) == ("assistance.case.applied", str(a.id), "pk_a")
