"""The case API's actions: one route per action, each with its own request body (documented in /docs),
all answered with the case after the change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from child_protection.bootstrap import ChildProtectionRuntime
from child_protection.domain.case_model import Case
from child_protection.entrypoints.api.case_schemas import (
    AcceptIn,
    ActionIn,
    AdvanceIn,
    AssessmentIn,
    CaseChangeOut,
    CloseIn,
    DeclineIn,
    EmergencyIn,
    FollowUpIn,
    GuardianshipEndIn,
    GuardianshipStartIn,
    InterventionIn,
    PlanItemIn,
    PlanItemStatusIn,
    ReferIn,
    ReopenIn,
    SkipApprovalIn,
    SkipRejectionIn,
    SkipRequestIn,
)
from child_protection.entrypoints.api.deps import CaseKey, RuntimeDep, actor_of, case_for_action
from shared.auth.deps import CurrentPrincipal
from shared.auth.principal import Principal

router = APIRouter(prefix="/api/v1/cases", tags=["child protection: case actions"])
RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "只能查看、不能办理该案件，或须由审核人审批"},
    404: {"description": "案件不存在，或不在您的管辖范围内"},
    409: {"description": "案件当前环节不允许该操作（或须审批）"},
    422: {"description": "缺少必填内容，或前置环节未完成"},
}


def changed(case: Case) -> CaseChangeOut:
    return CaseChangeOut(
        case_id=case.id, case_ref=case.case_ref, stage=case.stage.value, step_due_at=case.step_due_at
    )


async def act(
    runtime: ChildProtectionRuntime, principal: Principal, key: str, body: ActionIn
) -> CaseChangeOut:
    """Check the caller may carry out the action on the case, then issue its command through the bus."""
    scope = await case_for_action(runtime, principal, key, supervisor_only=body.SUPERVISOR_ONLY)
    return changed(await runtime.bus.handle(body.command(scope.id, actor_of(principal))))


@router.post("/{case}/accept", response_model=CaseChangeOut, responses=RESPONSES)
async def accept(
    case: CaseKey, body: AcceptIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """受理: the caller becomes the case's caseworker; an on-site visit is due next."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/decline", response_model=CaseChangeOut, responses=RESPONSES)
async def decline(
    case: CaseKey, body: DeclineIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """不予受理 with the reason (only before acceptance)."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/refer", response_model=CaseChangeOut, responses=RESPONSES)
async def refer(
    case: CaseKey, body: ReferIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """转介 to the agency named; 12345 is told where the matter went."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/advance", response_model=CaseChangeOut, responses=RESPONSES)
async def advance(
    case: CaseKey, body: AdvanceIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """Move to the next step (or from 监护干预 back to 帮扶); a jump needs an approved skip."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/skip-request", response_model=CaseChangeOut, responses=RESPONSES)
async def request_skip(
    case: CaseKey, body: SkipRequestIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """Ask to skip steps, with the reason; a 审核人 approves or rejects it."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/skip-request/approve", response_model=CaseChangeOut, responses=RESPONSES)
async def approve_skip(
    case: CaseKey, body: SkipApprovalIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """A 审核人 approves the pending skip (skipping to closure needs the feedback)."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/skip-request/reject", response_model=CaseChangeOut, responses=RESPONSES)
async def reject_skip(
    case: CaseKey, body: SkipRejectionIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """A 审核人 rejects the pending skip, with the reason."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/emergency-responses", response_model=CaseChangeOut, responses=RESPONSES)
async def record_emergency(
    case: CaseKey, body: EmergencyIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """应急处置: an on-site visit, safety measure, police or medical care."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/temporary-guardianship", response_model=CaseChangeOut, responses=RESPONSES)
async def start_temporary_guardianship(
    case: CaseKey, body: GuardianshipStartIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """临时监护 by the minor rescue-and-protection centre starts."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/temporary-guardianship/end", response_model=CaseChangeOut, responses=RESPONSES)
async def end_temporary_guardianship(
    case: CaseKey, body: GuardianshipEndIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """临时监护 ends, with its outcome."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/assessments", response_model=CaseChangeOut, responses=RESPONSES)
async def assess(
    case: CaseKey, body: AssessmentIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """评估: guardianship situation and capacity, and the risk colour."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/plan-items", response_model=CaseChangeOut, responses=RESPONSES)
async def add_plan_item(
    case: CaseKey, body: PlanItemIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """帮扶: a line of the service plan (一人一清单)."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/plan-items/{item_id}/status", response_model=CaseChangeOut, responses=RESPONSES)
async def set_plan_item_status(
    case: CaseKey, item_id: str, body: PlanItemStatusIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """A service-plan line done, cancelled or open again."""
    scope = await case_for_action(runtime, principal, case, supervisor_only=False)
    return changed(await runtime.bus.handle(body.command(scope.id, actor_of(principal), item_id)))


@router.post("/{case}/interventions", response_model=CaseChangeOut, responses=RESPONSES)
async def record_intervention(
    case: CaseKey, body: InterventionIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """监护干预 with its legal basis and documents."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/close", response_model=CaseChangeOut, responses=RESPONSES)
async def close(
    case: CaseKey, body: CloseIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """反馈并结案: the feedback to the reporter (for 12345, the reply)."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/follow-ups", response_model=CaseChangeOut, responses=RESPONSES)
async def record_follow_up(
    case: CaseKey, body: FollowUpIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """结案后回访 of a closed case."""
    return await act(runtime, principal, case, body)


@router.post("/{case}/reopen", response_model=CaseChangeOut, responses=RESPONSES)
async def reopen(
    case: CaseKey, body: ReopenIn, principal: CurrentPrincipal, runtime: RuntimeDep
) -> CaseChangeOut:
    """重新办理 of a closed case: back to assessment."""
    return await act(runtime, principal, case, body)
