"""The case page: the case with its chain, forms, records and history, as every case page shows it (after
a GET, a reveal, or a form that failed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from child_protection.bootstrap import ChildProtectionRuntime
from child_protection.domain.stages import CHAIN, TERMINAL, Stage, label, position
from child_protection.entrypoints.web.common import pages
from child_protection.service_layer import case_views
from child_protection.service_layer.access import can_act, checked_case, is_supervisor, log_access
from child_protection.service_layer.case_views import CaseScope
from shared.auth.principal import Principal
from shared.contracts.labels import child_protection as labels
from shared.identity import mask_id_number
from shared.kit.errors import DomainError
from shared.web.security import PageExit

# Success notices after a form's POST (`?done=<action>`).
DONE_NOTICES = {
    "reported": "报告已登记，案件已建立。",
    "linked": "已关联到现有案件：该儿童已有办理中的案件，本次报告已并入该案件。",
    "accept": "已受理。请尽快上门核查。",
    "decline": "已登记为不予受理。",
    "refer": "已转介。",
    "skip-request": "跳过环节的申请已提交，等待审核人审批。",
    "skip-request/approve": "已批准跳过环节。",
    "skip-request/reject": "已驳回跳过环节的申请。",
    "emergency-responses": "应急处置措施已记录。",
    "temporary-guardianship": "临时监护已启动。",
    "temporary-guardianship/end": "临时监护已结束。",
    "assessments": "评估已提交。",
    "plan-items": "服务项已加入服务清单。",
    "plan-item-status": "服务项状态已更新。",
    "interventions": "监护干预已记录。",
    "close": "已反馈并结案。",
    "follow-ups": "回访已记录。",
    "reopen": "案件已重新办理，回到评估环节。",
}


async def case_scope_or_exit(
    request: Request, runtime: ChildProtectionRuntime, principal: Principal, key: str, *, acting: bool
) -> CaseScope:
    """The case a page names, or the refusal page (404 outside scope or missing, 403 read-only)."""
    try:
        async with runtime.sessions() as session:
            return await checked_case(session, principal, key, acting=acting)
    except DomainError as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc


def chain_steps(stage: Stage, history: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The chain as a stepper: each step done, current, skipped (with approval) or still to come."""
    skipped = {str(s) for entry in history for s in (entry.get("detail") or {}).get("skipped") or []}
    current = position(stage)
    steps = []
    for step in CHAIN:
        if stage in (Stage.DECLINED, Stage.REFERRED):
            status = "done" if step == Stage.REPORTED else "todo"
        elif step == stage:
            status = "done" if stage == Stage.CLOSED else "current"
        elif position(step) < current:
            status = "skipped" if step.value in skipped else "done"
        else:
            status = "todo"
        steps.append({"stage": step.value, "label": labels.STAGES[step.value], "status": status})
    if stage == Stage.CLOSED:
        steps[-1]["current"] = "yes"
    return steps


def skip_targets(stage: Stage) -> list[tuple[str, str]]:
    """Where a caseworker may ask to jump (at least one step ahead), closure included."""
    at = position(stage)
    if stage in TERMINAL or at < 1:
        return []
    return [(s.value, labels.STAGES[s.value]) for s in CHAIN if position(s) > at + 1]


class FormValues:
    """The values typed into the form that failed, so the page comes back with them."""

    def __init__(self, action: str | None, values: Mapping[str, str] | None) -> None:
        self.action = action
        self.values = dict(values or {})

    def __call__(self, action: str, name: str, default: str = "") -> str:
        if action == self.action and name in self.values:
            return self.values[name]
        return default

    def checked(self, action: str, name: str) -> bool:
        return action == self.action and name in self.values


def done_notice(done: str | None, stage: Stage) -> str | None:
    """The notice after a form's POST; a move along the chain names the step the case is in now."""
    if done == "advance":
        return f"已转入“{labels.STAGES[stage.value]}”环节。"
    return DONE_NOTICES.get(done or "")


async def case_page(
    request: Request,
    runtime: ChildProtectionRuntime,
    principal: Principal,
    key: str,
    *,
    done: str | None = None,
    error: str | None = None,
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    reveal_reason: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render the case page; the view (or the reveal of the ID number) is written to the access log."""
    assert runtime.cipher is not None
    reveal = reveal_reason is not None
    try:
        async with runtime.sessions() as session, session.begin():
            scope = await checked_case(session, principal, key, acting=False)
            detail = await case_views.case_detail(session, runtime.cipher, scope.id, reveal_id=reveal)
            assert detail is not None
            await log_access(
                session,
                principal,
                record_type="case",
                record_id=str(scope.id),
                action="reveal_id" if reveal else "view",
                region_code=scope.region_code,
                reason=reveal_reason,
            )
    except DomainError as exc:
        raise PageExit(pages.refusal(request, exc, principal)) from exc
    revealed = detail["child"].get("id_number") if reveal else None
    if revealed:
        detail["child"]["id_number"] = mask_id_number(revealed)
    stage = Stage(detail["stage"])
    due = detail["step_due_at"]
    acting = can_act(principal, detail["region_code"])
    plan = detail["plan"] or []
    records = detail["records"] or []
    return pages.render(
        request,
        "case.html",
        principal=principal,
        status_code=status_code,
        c=detail,
        stage=stage.value,
        stage_label=label(stage),
        is_open=stage not in TERMINAL,
        steps=chain_steps(stage, detail["history"]),
        overdue=stage not in TERMINAL and due is not None and due < runtime.clock(),
        can_act=acting,
        supervisor=acting and is_supervisor(principal),
        may_reveal=is_supervisor(principal) and detail["child"]["has_id_number"],
        revealed_id=revealed,
        revealed_text=reveal,
        skip_targets=skip_targets(stage),
        plan=plan,
        records=records,
        dissatisfied=[r for r in records if r.get("kind") == "hotline_dissatisfied"]
        if stage not in TERMINAL
        else [],
        reports=detail["reports"] or [],
        history=detail["history"],
        notice=done_notice(done, stage),
        error=error,
        fv=FormValues(failed, values),
    )
