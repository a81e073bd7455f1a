"""What the handler tests share: the service on fakes with a fixed clock, and how 12345 events arrive."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from stdnum.cn import ric

from child_protection.domain import commands as c
from child_protection.domain.commands import Actor
from child_protection.entrypoints.consumer import ROUTES
from child_protection.settings import ChildProtectionSettings
from services.child_protection.tests.fakes import FakeChildProtectionUnitOfWork, fake_runtime
from shared.contracts import intake as ic
from shared.contracts.base import Contract
from shared.contracts.common import SubjectRef
from shared.contracts.envelope import CloudEvent, make_event
from shared.kit.clock import FixedClock
from shared.kit.unit_of_work import Inbound

# 2026-11-23 09:00 in China.
AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
WORKER = Actor(sub="test:li", name="李社工")
SUPERVISOR = Actor(sub="test:zhao", name="赵审核")
SECRET = "unit-test-personkey-secret"


def id_number(base17: str) -> str:
    """A synthetic ID number; stdnum's calc_check_digit ignores the last character, hence the "0"."""
    return base17 + ric.calc_check_digit(base17 + "0")


CHILD_ID = id_number("50015420160501123")  # born 2016-05-01, male


class Service:
    """child_protection's bus on fake storage, with the helpers a caseworker and 12345 would use."""

    def __init__(self, **settings: Any) -> None:
        self.clock = FixedClock(AT)
        config = ChildProtectionSettings(personkey_secret=SECRET, **settings)
        self.runtime, self.uow = fake_runtime(self.clock, config)
        self.bus = self.runtime.bus

    @property
    def fake(self) -> FakeChildProtectionUnitOfWork:
        return self.uow

    async def report(self, **fields: Any) -> Any:
        body: dict[str, Any] = {
            "actor": WORKER,
            "region_code": "500154",
            "urgency": "urgent",
            "reporter_type": "school",
            "content": "学生身上多处淤青，自述被继父打骂。",
            "child_name": "小红",
            "child_gender": "female",
            "child_age": 9,
        }
        return await self.bus.handle(c.ReportCase(**{**body, **fields}))

    async def act(
        self, command: type[c.CaseCommand], case_id: uuid.UUID, actor: Actor = WORKER, **fields: Any
    ) -> Any:
        return await self.bus.handle(command(case_id=case_id, actor=actor, **fields))

    async def deliver(self, contract: Contract, event_id: str | None = None) -> Any:
        """An intake event through the consumer's route and the bus, as the consumer loop does."""
        event = make_event(contract, source="/services/intake", subject="wo", correlationid="corr-1")
        if event_id is not None:
            event = dataclasses.replace(event, id=event_id)
        command = ROUTES[event.type](event)
        if command is None:
            return None
        inbound = Inbound(
            consumer="child_protection", event_id=event.id, event_type=event.type, correlationid="corr-1"
        )
        return await self.bus.handle(command, inbound=inbound)

    def types(self) -> list[str]:
        return [e.type.split(".", 1)[1] for e in self.uow.sent]


def routed(work_order_id: uuid.UUID, **overrides: Any) -> ic.WorkOrderRouted:
    fields: dict[str, Any] = {
        "work_order_id": work_order_id,
        "order_no": "GD-CP-0001",
        "status": "routed",
        "occurred_at": AT,
        "channel": "phone",
        "category_code": "MZ-CP-02",
        "urgency": "critical",
        "region_code": "500154",
        "content": "儿童无人照看",
        "received_at": AT - timedelta(minutes=5),
        "routed_to": "child_protection",
        "responsible_region": "500154",
        "routed_by": "auto",
        "caller_masked_name": "王**",
        "subjects": [
            SubjectRef(personkey="pp_" + "0" * 32, masked_name="王*", gender="male", age=40, is_minor=False),
            SubjectRef(personkey="pk_child", masked_name="小*", gender="male", age=8, is_minor=True),
        ],
    }
    return ic.WorkOrderRouted(**{**fields, **overrides})


def satisfaction(
    work_order_id: uuid.UUID, score: int, comment: str | None = None
) -> ic.WorkOrderSatisfactionRecorded:
    return ic.WorkOrderSatisfactionRecorded(
        work_order_id=work_order_id,
        order_no="GD-CP-0001",
        status="replied",
        occurred_at=AT,
        score=score,
        comment=comment,
    )


def cloud_event(contract: Contract) -> CloudEvent:
    return make_event(contract, source="/services/intake", subject="wo")
