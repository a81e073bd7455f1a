"""Use cases of the intake service, each inside one unit of work."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import insert, select

from intake.adapters.tables import hotline_event
from intake.domain.errors import ConflictingRequest, InvalidTransition, WorkOrderNotFound
from intake.domain.model import Subject, WorkOrder
from intake.domain.routing import SERVICES, decide, responsible_county
from intake.service_layer.routing_table import current_table
from intake.service_layer.unit_of_work import UnitOfWork
from shared.identity import parse_id_number, personkey, provisional_personkey

ADULT_AGE = 18


@dataclass(frozen=True)
class Outcome:
    """What an idempotent call returns: the HTTP status and the stored body."""

    status_code: int
    body: dict[str, Any]


def body_hash(data: Any) -> str:
    """Hash of a JSON body independent of key order and whitespace ("an identical body")."""
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def make_subject(raw: dict[str, Any], secret: str, at: datetime) -> tuple[Subject, list[str]]:
    """A subject with its personkey and the flags it raises (invalid ID, minor)."""
    flags: list[str] = []
    id_number = raw.get("id_number") or None
    key, valid, age_from_id = None, None, None
    if id_number:
        info = parse_id_number(id_number)
        valid = info.valid
        if info.valid and info.normalized:
            key = personkey(info.normalized, secret)
            if info.birth_date:
                age_from_id = _age(info.birth_date, at.date())
        else:
            flags.append("id_number_invalid")
    age = raw.get("age")
    is_minor = (
        bool(raw.get("is_minor"))
        or (age is not None and age < ADULT_AGE)
        or (age_from_id is not None and age_from_id < ADULT_AGE)
    )
    if is_minor:
        flags.append("minor_involved")
    subject = Subject(
        personkey=key or provisional_personkey(),
        name=raw.get("name"),
        id_number=id_number,
        id_number_valid=valid,
        gender=raw.get("gender") or "unknown",
        age=age if age is not None else age_from_id,
        is_minor=is_minor,
        description=raw.get("description"),
    )
    return subject, flags


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _unique(flags: list[str]) -> list[str]:
    return list(dict.fromkeys(flags))


async def receive_work_order(uow: UnitOfWork, data: dict[str, Any], *, secret: str, now: datetime) -> Outcome:
    """First receipt → 202 and routing; identical repeat → 200 with the same body; different body → 409."""
    digest = body_hash(data)
    existing = await uow.work_orders.get_by_order_no(data["order_no"])
    if existing is not None:
        row = await _receipt_of(uow, existing.id)
        if row["body_sha256"] != digest:
            raise ConflictingRequest(f"工单编号 {data['order_no']} 已接收，且本次内容与首次不同")
        return Outcome(200, row["receipt"])

    subjects: list[Subject] = []
    flags: list[str] = []
    for raw in data.get("subjects") or []:
        subject, subject_flags = make_subject(raw, secret, now)
        subjects.append(subject)
        flags += subject_flags
    table = await current_table(uow.session)
    decision = decide(table, data["category_code"], data["region_code"])
    flags += [r for r in decision.reasons if r in ("unknown_category", "region_needs_county")]
    wo = WorkOrder(
        id=uuid.uuid4(),
        order_no=data["order_no"],
        received_at=data["received_at"],
        channel=data["channel"],
        category_code=data["category_code"],
        category_name=data.get("category_name")
        or (table.rules[c].name if (c := data["category_code"]) in table.rules else None),
        urgency=data["urgency"],
        region_code=data["region_code"],
        content=data["content"],
        payload=orjson.loads(orjson.dumps(data)),
        subjects=subjects,
        deadline_at=data.get("deadline_at"),
        address=data.get("address"),
        flags=_unique(flags),
    )
    wo.mark_received(now)
    wo.apply_routing(decision, now, "auto")
    receipt = {
        "intake_id": str(wo.id),
        "order_no": wo.order_no,
        "status": "received",
        "routed_to": decision.target,
        "region_code": wo.responsible_region or wo.region_code,
        "flags": wo.flags,
    }
    await uow.work_orders.add(wo, body_sha256=digest, receipt=receipt)
    return Outcome(202, receipt)


async def _receipt_of(uow: UnitOfWork, work_order_id: uuid.UUID) -> dict[str, Any]:
    from intake.adapters.tables import work_order

    row = (
        (
            await uow.session.execute(
                select(work_order.c.body_sha256, work_order.c.receipt).where(work_order.c.id == work_order_id)
            )
        )
        .mappings()
        .one()
    )
    return dict(row)


async def record_hotline_event(
    uow: UnitOfWork, order_no: str, data: dict[str, Any], *, secret: str, now: datetime
) -> Outcome:
    """A later action from 12345 (补充, 催办, 撤单, 回访), idempotent on its event_id."""
    digest = body_hash({"order_no": order_no, **data})
    seen = (
        (await uow.session.execute(select(hotline_event).where(hotline_event.c.event_id == data["event_id"])))
        .mappings()
        .first()
    )
    if seen is not None:
        if seen["body_sha256"] != digest:
            raise ConflictingRequest(f"事件编号 {data['event_id']} 已使用，且本次内容与首次不同")
        return Outcome(200, seen["receipt"])
    wo = await uow.work_orders.get_by_order_no(order_no)
    if wo is None:
        raise WorkOrderNotFound(f"工单 {order_no} 不存在")
    at = data.get("occurred_at") or now
    kind = data["type"]
    if kind == "supplement":
        added = [make_subject(raw, secret, now) for raw in data.get("subjects") or []]
        wo.flags = _unique(wo.flags + [f for _, fl in added for f in fl])
        wo.supplement(at, data.get("content"), [s for s, _ in added], data["event_id"])
    elif kind == "urge":
        wo.urge(at, data.get("note"))
    elif kind == "revoke":
        wo.revoke(at, data["reason"])
    else:
        wo.record_satisfaction(at, data["score"], data.get("comment"))
    await uow.work_orders.save(wo)
    receipt = {"event_id": data["event_id"], "order_no": order_no, "type": kind, "status": wo.status.value}
    await uow.session.execute(
        insert(hotline_event).values(
            event_id=data["event_id"], work_order_id=wo.id, body_sha256=digest, receipt=receipt
        )
    )
    return Outcome(202, receipt)


async def route_from_triage(
    uow: UnitOfWork, work_order_id: uuid.UUID, *, target: str, county: str, actor: str, now: datetime
) -> WorkOrder:
    """The intake desk routes a work order from the triage queue to a service and a county."""
    wo = await uow.work_orders.get(work_order_id)
    if wo is None:
        raise WorkOrderNotFound("工单不存在")
    if target not in SERVICES:
        raise InvalidTransition("请选择承办业务")
    if responsible_county(county) is None or len(county) != 6:
        raise InvalidTransition("请填写 6 位区县级行政区划代码（不以 00 结尾）")
    wo.route(target, county, now, actor)
    await uow.work_orders.save(wo)
    return wo
