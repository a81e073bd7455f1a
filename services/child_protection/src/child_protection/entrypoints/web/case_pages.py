"""Case pages: the work queue, a report entered by hand, one case (by id or reference), the reveal of the
child's ID number, and the access log. Every view of a case page is written to the access log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from child_protection.domain.stages import CHAIN, Stage
from child_protection.entrypoints.api.case_schemas import ReportIn
from child_protection.entrypoints.api.deps import RuntimeDep, actor_of
from child_protection.entrypoints.web.case_view import case_page, case_scope_or_exit
from child_protection.entrypoints.web.common import (
    PAGE_SIZE,
    CpUser,
    FormError,
    checked,
    form_values,
    pages,
    parse_form,
)
from child_protection.service_layer import case_views
from child_protection.service_layer.access import can_act, can_audit, is_supervisor, is_worker
from child_protection.service_layer.report_handlers import ReportOutcome
from shared.auth.principal import Principal
from shared.contracts.labels import child_protection as labels
from shared.kit.errors import DomainError
from shared.regions import is_region_code, region_prefix
from shared.web.formatting import int_param, normalize_code, pager
from shared.web.security import PageExit, PageRoute, page_principal

router = APIRouter(include_in_schema=False, route_class=PageRoute)
MAX_CONTENT = 20000
STAGE_FILTERS: list[tuple[str, str]] = [
    ("", "全部在办"),
    *[(s.value, labels.STAGES[s.value]) for s in CHAIN if s != Stage.CLOSED],
    (Stage.CLOSED.value, labels.STAGES["closed"]),
    (Stage.DECLINED.value, labels.STAGES["declined"]),
    (Stage.REFERRED.value, labels.STAGES["referred"]),
    ("all", "全部（含已结束）"),
]
# The report form's fields as the page names them (ReportIn's fields, the child's nested).
REPORT_NAMES = {
    "reporter_type": "报告人类型",
    "reporter_name": "报告人姓名",
    "reporter_contact": "报告人联系方式",
    "urgency": "紧急程度",
    "region_code": "行政区划代码",
    "content": "报告内容",
    "child.name": "儿童姓名",
    "child.gender": "儿童性别",
    "child.age": "儿童年龄（周岁）",
    "child.id_number": "儿童身份证号",
}


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases")
async def case_queue(request: Request, principal: CpUser, runtime: RuntimeDep) -> HTMLResponse:
    """The work queue: my cases or my region's; overdue first, then risk colour and urgency."""
    params = request.query_params
    worker = is_worker(principal)
    scope = "mine" if params.get("scope") == "mine" and worker else "region"
    stage = checked({value for value, _ in STAGE_FILTERS}, params.get("stage", ""))
    page = int_param(params.get("page"), 1, low=1, high=100_000)
    async with runtime.sessions() as session:
        rows, total = await case_views.work_queue(
            session,
            scope_prefix=region_prefix(principal.region),
            now=runtime.clock(),
            owner=principal.sub if scope == "mine" else None,
            stage=stage if stage not in ("", "all") else None,
            include_closed=stage == "all",
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )

    def url(**changes: str) -> str:
        query = {"scope": scope, "stage": stage, **changes}
        return "/cases?" + urlencode({k: v for k, v in query.items() if v})

    tabs = [("mine", "我的案件", url(scope="mine")), ("region", "本辖区案件", url(scope="region"))]
    return pages.render(
        request,
        "cases.html",
        principal=principal,
        rows=rows,
        scope=scope,
        stage=stage,
        stage_filters=STAGE_FILTERS,
        can_report=worker,
        tabs=tabs if worker else tabs[1:],
        pages=pager({"scope": scope, "stage": stage}, page, total, size=PAGE_SIZE, path="/cases"),
    )


def _report_defaults(principal: Principal) -> dict[str, str]:
    region = principal.region if is_region_code(principal.region) else ""
    fields = ("reporter_type", "reporter_name", "reporter_contact", "content", "child_name", "child_age")
    return {
        **dict.fromkeys(fields, ""),
        "child_id_number": "",
        "urgency": "normal",
        "region_code": region,
        "child_gender": "unknown",
    }


def _require_worker(request: Request, principal: Principal) -> None:
    if not is_worker(principal):
        message = "只有未成年人保护工作人员可以登记报告；审计人员只能查看。"
        raise PageExit(pages.error(request, 403, message, principal))


def _report_page(
    request: Request,
    principal: Principal,
    values: Mapping[str, str],
    errors: Sequence[str] = (),
    status_code: int = 200,
) -> HTMLResponse:
    return pages.render(
        request,
        "report_new.html",
        principal=principal,
        values=values,
        errors=list(errors),
        status_code=status_code,
    )


@router.get("/cases/new")
async def report_form(request: Request, principal: CpUser) -> HTMLResponse:
    _require_worker(request, principal)
    return _report_page(request, principal, _report_defaults(principal))


def _report_body(principal: Principal, v: Mapping[str, str]) -> ReportIn:
    """The form as the API's ReportIn; a region outside the caller's scope is refused (403)."""
    body = parse_form(
        ReportIn,
        {
            **{
                k: v[k]
                for k in ("region_code", "urgency", "reporter_type", "reporter_name", "reporter_contact")
            },
            "content": v["content"],
            "child": {
                "name": v["child_name"],
                "gender": v["child_gender"],
                "age": v["child_age"],
                "id_number": v["child_id_number"],
            },
        },
        REPORT_NAMES,
    )
    if not can_act(principal, body.region_code):
        raise FormError([f"行政区划 {body.region_code} 不在您的管辖范围内"], 403)
    return body


@router.post("/cases/new")
async def submit_report(request: Request, principal: CpUser, runtime: RuntimeDep) -> Response:
    """A report entered by hand: opens a case or joins the child's open case (the API's command)."""
    pages.check_origin(request, principal)
    _require_worker(request, principal)
    form = form_values(await request.form(), MAX_CONTENT + 1)
    values = {
        **_report_defaults(principal),
        **{k: v for k, v in form.items() if k in _report_defaults(principal)},
    }
    for key in ("region_code", "child_age", "child_id_number"):
        values[key] = normalize_code(values[key])
    try:
        outcome: ReportOutcome = await runtime.bus.handle(
            _report_body(principal, values).command(actor_of(principal))
        )
    except FormError as exc:
        return _report_page(request, principal, values, exc.messages, exc.status)
    except DomainError as exc:
        return _report_page(request, principal, values, [exc.message], exc.status)
    done = "linked" if outcome.linked else "reported"
    return RedirectResponse(f"/cases/{outcome.case.case_ref}?done={done}", status_code=303)


@router.get("/cases/{case}")
async def case_detail_page(
    case: str, request: Request, principal: CpUser, runtime: RuntimeDep
) -> HTMLResponse:
    return await case_page(request, runtime, principal, case, done=request.query_params.get("done"))


@router.post("/cases/{case}/reveal-id")
async def reveal_id(case: str, request: Request, principal: CpUser, runtime: RuntimeDep) -> Response:
    """A 审核人 sees the child's full ID number once; the reveal and its reason are logged."""
    pages.check_origin(request, principal)
    values = form_values(await request.form(), 200)
    reason = values.get("reason", "")
    # The case first: outside the caller's scope it is a 404 page like any other.
    await case_scope_or_exit(request, runtime, principal, case, acting=False)
    if not is_supervisor(principal):
        raise PageExit(pages.error(request, 403, "只有审核人可以查看完整身份证号。", principal))
    if len(reason) < 2:
        message = "请填写查看完整身份证号的理由（至少 2 个字）"
        return await case_page(
            request,
            runtime,
            principal,
            case,
            error=message,
            failed="reveal-id",
            values=values,
            status_code=422,
        )
    return await case_page(request, runtime, principal, case, reveal_reason=reason)


@router.get("/audit/access-log")
async def access_log_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    """Who viewed which child's case or file, when, why (ID reveals) and under which trace."""
    principal = await page_principal(request)
    if not can_audit(principal):
        raise PageExit(pages.error(request, 403, "访问日志仅供审计人员和管理员查看。", principal))
    record_id = request.query_params.get("record_id", "").strip()[:64]
    async with runtime.sessions() as session:
        entries: list[dict[str, Any]] = await case_views.access_entries(
            session, scope_prefix=region_prefix(principal.region), record_id=record_id or None
        )
    return pages.render(request, "access_log.html", principal=principal, entries=entries, record_id=record_id)
