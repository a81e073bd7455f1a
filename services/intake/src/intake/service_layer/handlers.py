"""Intake's command handlers; each runs in the unit of work the bus opens and commits."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from intake.domain import commands
from intake.domain.errors import ConflictingRequest, InvalidTransition, ReplayedRequest, WorkOrderNotFound
from intake.domain.model import Status, WorkOrder
from intake.domain.routing import SERVICES, decide, responsible_county
from intake.service_layer.routing_table import seed_rules, validate_rules
from intake.service_layer.subjects import make_subject, unique
from intake.service_layer.unit_of_work import IntakeUnitOfWork
from intake.settings import IntakeSettings
from shared.kit.clock import Clock
from shared.kit.commands import Command
from shared.kit.messagebus import Handler


@dataclass(frozen=True)
class Outcome:
    """What an idempotent call returns: the HTTP status and the stored body."""

    status_code: int
    body: dict[str, Any]


def body_hash(data: Any) -> str:
    """Hash of a JSON body independent of key order and whitespace ("an identical body")."""
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def _claim(uow: IntakeUnitOfWork, cmd: commands.SignedCall, settings: IntakeSettings) -> None:
    # In the command's own transaction: a request that fails leaves it unclaimed, so its replay fails alike.
    if not await uow.hotline.claim_nonce(cmd.key_id, cmd.nonce, window_s=settings.signature_window_s):
        raise ReplayedRequest("X-Hotline-Nonce 已在有效期内使用过（疑似重放）")


async def claim_nonce(cmd: commands.ClaimNonce, uow: IntakeUnitOfWork, settings: IntakeSettings) -> None:
    """A signed read: only the nonce is claimed."""
    await _claim(uow, cmd, settings)


async def receive_work_order(
    cmd: commands.ReceiveWorkOrder, uow: IntakeUnitOfWork, settings: IntakeSettings, clock: Clock
) -> Outcome:
    """First receipt → 202 and routing; identical repeat → 200 with the same body; different body → 409."""
    await _claim(uow, cmd, settings)
    data, now = cmd.data, clock()
    digest = body_hash(data)
    secret = settings.personkey_secret.get_secret_value()
    subjects, flags = [], []
    for raw in data.get("subjects") or []:
        subject, subject_flags = make_subject(raw, secret, now)
        subjects.append(subject)
        flags += subject_flags
    table = await uow.hotline.routing_table(seed_rules())
    decision = decide(table, data["category_code"], data["region_code"])
    flags += [r for r in decision.reasons if r in ("unknown_category", "region_needs_county")]
    code = data["category_code"]
    wo = WorkOrder(
        id=uuid.uuid4(),
        order_no=data["order_no"],
        received_at=data["received_at"],
        channel=data["channel"],
        category_code=code,
        category_name=data.get("category_name") or (table.rules[code].name if code in table.rules else None),
        urgency=data["urgency"],
        region_code=data["region_code"],
        content=data["content"],
        payload=orjson.loads(orjson.dumps(data)),
        subjects=subjects,
        deadline_at=data.get("deadline_at"),
        address=data.get("address"),
        flags=unique(flags),
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
    if await uow.work_orders.add(wo, body_sha256=digest, receipt=receipt):
        return Outcome(202, receipt)
    # Already received: the same body gets the first receipt again, another body is a conflict.
    stored_digest, first_receipt = await uow.work_orders.receipt(wo.order_no)
    if stored_digest != digest:
        raise ConflictingRequest(f"工单编号 {data['order_no']} 已接收，且本次内容与首次不同")
    return Outcome(200, first_receipt)


async def record_hotline_event(
    cmd: commands.RecordHotlineEvent, uow: IntakeUnitOfWork, settings: IntakeSettings, clock: Clock
) -> Outcome:
    """A later action from 12345 (补充, 催办, 撤单, 回访), idempotent on its event_id."""
    await _claim(uow, cmd, settings)
    data, now = cmd.data, clock()
    digest = body_hash({"order_no": cmd.order_no, **data})
    seen = await uow.hotline.event_receipt(data["event_id"])
    if seen is not None:
        if seen[0] != digest:
            raise ConflictingRequest(f"事件编号 {data['event_id']} 已使用，且本次内容与首次不同")
        return Outcome(200, seen[1])
    wo = await uow.work_orders.get_by_order_no(cmd.order_no)
    if wo is None:
        raise WorkOrderNotFound(f"工单 {cmd.order_no} 不存在")
    at = data.get("occurred_at") or now
    kind = data["type"]
    if kind == "supplement":
        secret = settings.personkey_secret.get_secret_value()
        added = [make_subject(raw, secret, now) for raw in data.get("subjects") or []]
        wo.flags = unique(wo.flags + [f for _, fl in added for f in fl])
        wo.supplement(at, data.get("content"), [s for s, _ in added], data["event_id"])
    elif kind == "urge":
        wo.urge(at, data.get("note"))
    elif kind == "revoke":
        wo.revoke(at, data["reason"])
    else:
        wo.record_satisfaction(at, data["score"], data.get("comment"))
    await uow.work_orders.save(wo)
    receipt = {
        "event_id": data["event_id"],
        "order_no": cmd.order_no,
        "type": kind,
        "status": wo.status.value,
    }
    await uow.hotline.add_event(data["event_id"], wo.id, digest, receipt)
    return Outcome(202, receipt)


async def route_from_triage(cmd: commands.RouteFromTriage, uow: IntakeUnitOfWork, clock: Clock) -> WorkOrder:
    """The intake desk routes a work order from the triage queue to a service and a county."""
    wo = await uow.work_orders.get(cmd.work_order_id)
    if wo is None:
        raise WorkOrderNotFound("工单不存在")
    if cmd.target not in SERVICES:
        raise InvalidTransition("请选择承办业务")
    if responsible_county(cmd.county) is None or len(cmd.county) != 6:
        raise InvalidTransition("请填写 6 位区县级行政区划代码（不以 00 结尾）")
    wo.route(cmd.target, cmd.county, clock(), cmd.actor)
    await uow.work_orders.save(wo)
    return wo


async def save_routing_table(cmd: commands.SaveRoutingTable, uow: IntakeUnitOfWork) -> int:
    """Store the rules as the next version; the previous ones stay as the audit trail."""
    rules = validate_rules(cmd.rules)
    current = await uow.hotline.routing_table(seed_rules())
    if cmd.base_version is not None and cmd.base_version != current.version:
        raise ConflictingRequest(f"分拨规则已被他人更新为第 {current.version} 版，请核对后重新保存")
    version = current.version + 1
    await uow.hotline.add_routing_version(version, rules, changed_by=cmd.actor, comment=cmd.comment)
    return version


# The case events that mean "someone is working on it": an accepted work order goes to in_progress.
PROGRESS_KINDS = frozenset(
    {
        "emergency_responded",
        "temporary_guardianship_started",
        "assessed",
        "risk_changed",
        "service_plan_updated",
        "intervention_recorded",
    }
)
_LIFECYCLE_KINDS = frozenset({"reported", "accepted", "declined", "closed", "reopened"})


async def apply_case_event(cmd: commands.ApplyCaseEvent, uow: IntakeUnitOfWork, clock: Clock) -> None:
    """Move the work order a case came from; late or out-of-order case events change nothing."""
    wo = await uow.work_orders.get(cmd.work_order_id)
    if wo is None:
        raise WorkOrderNotFound(f"工单 {cmd.work_order_id} 不存在（来自 {cmd.service} 的案件事件）")
    at, kind, service = clock(), cmd.kind, cmd.service
    if not wo.is_open and kind not in ("reopened", "closed"):
        raise InvalidTransition(f"工单已{wo.status.value}，案件事件 {kind} 不再改变它")
    if kind not in _LIFECYCLE_KINDS and wo.status not in (Status.ACCEPTED, Status.REOPENED, Status.ROUTED):
        return
    if kind == "reported":
        wo.case_ref = wo.case_ref or cmd.case_ref
    elif kind == "accepted":
        wo.accept(at, cmd.case_ref, service)
    elif kind == "declined" and cmd.referred_to:
        wo.case_ref = wo.case_ref or cmd.case_ref
        wo.refer(at, cmd.referred_to, cmd.reason or "", service)
    elif kind == "declined":
        wo.decline(at, cmd.reason or "承办部门退回", service)
    elif kind == "closed":
        wo.case_ref = wo.case_ref or cmd.case_ref
        wo.reply(at, cmd.feedback or "", service)
    elif kind == "reopened" and wo.status == Status.REOPENED:
        # 12345's dissatisfaction reopened the work order first; the case now follows it.
        return
    elif kind == "reopened":
        wo.reopen(at, cmd.reason or "案件重新办理", service)
    else:
        wo.mark_in_progress(at, service)
    await uow.work_orders.save(wo)


HANDLERS: dict[type[Command], Handler] = {
    commands.ClaimNonce: claim_nonce,
    commands.ReceiveWorkOrder: receive_work_order,
    commands.RecordHotlineEvent: record_hotline_event,
    commands.RouteFromTriage: route_from_triage,
    commands.SaveRoutingTable: save_routing_table,
    commands.ApplyCaseEvent: apply_case_event,
}
