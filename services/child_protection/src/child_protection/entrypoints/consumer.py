"""What the child_protection worker consumes: 12345 work orders routed here by intake, and 12345's later
events on them (补充, 催办, 撤单, 回访). Each route turns the event into a command, or None."""

from __future__ import annotations

from child_protection.domain import commands
from child_protection.domain.case_model import LOW_SATISFACTION
from shared.contracts import intake as ic
from shared.contracts.envelope import CloudEvent
from shared.contracts.topics import INTAKE_WORK_ORDER_V1
from shared.kit.worker import Subscription
from shared.messaging.consumer import Route

SERVICE = "child_protection"
_NOTES = {
    ic.WorkOrderSupplemented.EVENT_TYPE: "supplemented",
    ic.WorkOrderUrged.EVENT_TYPE: "urged",
    ic.WorkOrderRevoked.EVENT_TYPE: "revoked",
}


def to_open_case(event: CloudEvent) -> commands.OpenCaseFromHotline | None:
    """A work order routed here becomes a report about the first minor it names (else its first person)."""
    data = ic.WorkOrderRouted.model_validate(event.data)
    if data.routed_to != SERVICE:
        return None
    chosen = next((s for s in data.subjects if s.is_minor), data.subjects[0] if data.subjects else None)
    return commands.OpenCaseFromHotline(
        report_id=event.id,
        work_order_id=data.work_order_id,
        order_no=data.order_no,
        received_at=data.received_at,
        region_code=data.responsible_region,
        urgency=data.urgency,
        content=data.content,
        caller_masked_name=data.caller_masked_name,
        child_personkey=chosen.personkey if chosen else None,
        child_name=chosen.masked_name if chosen else None,
        child_gender=chosen.gender if chosen else "unknown",
        child_age=chosen.age if chosen else None,
        deadline_at=data.deadline_at,
    )


def to_note(event: CloudEvent) -> commands.NoteHotlineEvent | None:
    """补充 / 催办 / 撤单 on a work order routed here (the handler finds its case, if any)."""
    data = event.data
    if data.get("routed_to") not in (None, SERVICE) or not data.get("work_order_id"):
        return None
    note = data.get("content") or data.get("note") or data.get("reason")
    work_order_id = ic.WorkOrderEvent.model_validate(data).work_order_id
    return commands.NoteHotlineEvent(work_order_id=work_order_id, kind=_NOTES[event.type], note=note)


def to_satisfaction(event: CloudEvent) -> commands.RecordHotlineSatisfaction | None:
    """A low 回访 score (≤ 2) on a work order; higher scores need nothing here."""
    data = ic.WorkOrderSatisfactionRecorded.model_validate(event.data)
    if data.score > LOW_SATISFACTION:
        return None
    return commands.RecordHotlineSatisfaction(
        work_order_id=data.work_order_id, score=data.score, comment=data.comment
    )


ROUTES: dict[str, Route] = {
    ic.WorkOrderRouted.EVENT_TYPE: to_open_case,
    **dict.fromkeys(_NOTES, to_note),
    ic.WorkOrderSatisfactionRecorded.EVENT_TYPE: to_satisfaction,
}
SUBSCRIPTION = Subscription(topics=(INTAKE_WORK_ORDER_V1,), routes=ROUTES)
