"""Domain events -> event contracts on intake.work_order.v1 (the only place intake maps out)."""

from __future__ import annotations

from typing import Any

from intake.domain import events
from intake.domain.model import WorkOrder
from shared.contracts import intake as contracts
from shared.contracts.base import Contract
from shared.contracts.common import SubjectRef
from shared.identity import mask_name
from shared.kit.unit_of_work import Message


def subject_refs(wo: WorkOrder, subjects: list[Any] | None = None) -> list[SubjectRef]:
    """Subjects minimised for the bus: key, masked name, gender, age, minor flag; never the ID number."""
    return [
        SubjectRef(
            personkey=s.personkey,
            masked_name=mask_name(s.name) if s.name else None,
            gender=s.gender,
            age=s.age,
            is_minor=s.is_minor,
            id_number_valid=s.id_number_valid,
        )
        for s in (wo.subjects if subjects is None else subjects)
    ]


def _details(wo: WorkOrder) -> dict[str, Any]:
    caller = wo.payload.get("caller") or {}
    return {
        "channel": wo.channel,
        "category_code": wo.category_code,
        "category_name": wo.category_name,
        "urgency": wo.urgency,
        "region_code": wo.region_code,
        # Free text (the contract masks ID and phone numbers; the message names whom to redact).
        "address": wo.address,
        "content": wo.content,
        "received_at": wo.received_at,
        "deadline_at": wo.deadline_at,
        "subjects": subject_refs(wo),
        "flags": wo.flags,
        "caller_masked_name": mask_name(caller["name"]) if caller.get("name") else None,
        "caller_anonymous": bool(caller.get("anonymous")),
    }


def to_contract(wo: WorkOrder, event: events.Event) -> Contract:
    """The contract for one domain event, with the work order's state after it."""
    base: dict[str, Any] = {
        "work_order_id": wo.id,
        "order_no": wo.order_no,
        # The status right after this event, not after the whole unit of work (received → "received").
        "status": event.status or wo.status.value,
        "occurred_at": event.at,
    }
    match event:
        case events.Received():
            return contracts.WorkOrderReceived(**base, **_details(wo))
        case events.Routed(by=by):
            assert wo.routed_to is not None and wo.responsible_region is not None
            return contracts.WorkOrderRouted(
                **base,
                **_details(wo),
                routed_to=wo.routed_to,
                responsible_region=wo.responsible_region,
                routed_by=by,
            )
        case events.TriageRequired(reasons=reasons):
            return contracts.WorkOrderTriageRequired(
                **base, region_code=wo.region_code, reasons=list(reasons)
            )
        case events.Supplemented(content=content, subject_count=n):
            added = wo.subjects[len(wo.subjects) - n :] if n else []
            return contracts.WorkOrderSupplemented(
                **base,
                content=content,
                subjects=subject_refs(wo, added),
                routed_to=wo.routed_to,
            )
        case events.Urged(note=note):
            return contracts.WorkOrderUrged(
                **base,
                note=note,
                urge_count=wo.urge_count,
                routed_to=wo.routed_to,
                responsible_region=wo.responsible_region,
            )
        case events.Revoked(reason=reason):
            return contracts.WorkOrderRevoked(**base, reason=reason, routed_to=wo.routed_to)
        case events.Accepted(case_ref=case_ref):
            return contracts.WorkOrderAccepted(**base, case_ref=case_ref)
        case events.InProgress():
            return contracts.WorkOrderInProgress(**base, case_ref=wo.case_ref)
        case events.Replied(reply_text=text):
            return contracts.WorkOrderReplied(**base, case_ref=wo.case_ref, reply_text=text)
        case events.SatisfactionRecorded(score=score, comment=comment):
            return contracts.WorkOrderSatisfactionRecorded(**base, score=score, comment=comment)
        case events.Reopened(reason=reason):
            return contracts.WorkOrderReopened(**base, reason=reason, routed_to=wo.routed_to)
        case events.Closed():
            return contracts.WorkOrderClosed(**base)
    raise TypeError(f"no contract for {type(event).__name__}")


def to_message(wo: WorkOrder, event: events.Event) -> Message:
    """The outgoing message of one event: keyed by the work order, carrying its first subject's key."""
    caller = wo.payload.get("caller") or {}
    return Message(
        contract=to_contract(wo, event),
        key=str(wo.id),
        correlationid=str(wo.id),
        personkey=wo.subjects[0].personkey if wo.subjects else None,
        regioncode=wo.responsible_region or wo.region_code,
        names=tuple(n for n in (caller.get("name"), *(s.name for s in wo.subjects)) if n),
        others=tuple(v for v in (caller.get("phone"),) if v),
    )
