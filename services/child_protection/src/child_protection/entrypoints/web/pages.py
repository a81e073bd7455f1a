"""Child-protection caseworker pages (Simplified Chinese, server-rendered, plain HTML forms, no JavaScript).

Who sees what follows the JSON API (`entrypoints/api/routes.py`, `service_layer/access.py`): child-protection
staff (program `child_protection`, role caseworker/supervisor/admin) of the case's region work on cases,
auditors read them; everybody else gets a 403 page and a case outside the caller's region scope is a 404
page (its existence is not disclosed). Every view of a case page is written to the access log, and so is
a supervisor's reveal of the child's ID number (with the reason given). A browser without a session is
sent to the development login page when it is enabled, otherwise it gets the 401 problem. Every POST
must come from this site (Origin/Referer).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import ValidationError

from child_protection.domain.errors import ChildProtectionError, NotFound
from child_protection.domain.model import (
    EMERGENCY_ACTIONS,
    INTERVENTIONS,
    PLAN_KINDS,
    RISK_LABELS,
    Report,
)
from child_protection.domain.stages import CHAIN, LABELS, SHORT_LABELS, TERMINAL, Stage, position
from child_protection.entrypoints.api.deps import get_cipher as _cipher
from child_protection.entrypoints.api.deps import get_sessions as _sessions
from child_protection.entrypoints.api.deps import get_settings as _settings
from child_protection.entrypoints.api.routes import actor_of, child_from, problem_for
from child_protection.entrypoints.api.schemas import ReportIn
from child_protection.entrypoints.web.common import int_param, parse_id
from child_protection.service_layer import handlers, views
from child_protection.service_layer.access import (
    WORKER_ROLES,
    can_act,
    can_read,
    can_use_service,
    is_supervisor,
    log_access,
)
from child_protection.service_layer.unit_of_work import unit_of_work
from shared.auth.login import ROLE_LABELS
from shared.auth.principal import Principal, Program, Role
from shared.identity import mask_id_number, mask_name, mask_phone, parse_id_number
from shared.regions import NATIONAL_SCOPES, is_region_code, region_prefix
from shared.web import (
    PageExit,
    PageRoute,
    app_settings,
    dev_login_enabled,
    form_text,
    format_time,
    is_same_origin,
    normalize_code,
    page_principal,
)

PAGE_SIZE = 50
MAX_TEXT = 5000
MAX_CONTENT = 20000

URGENCY_LABELS = {"critical": "特急", "urgent": "紧急", "normal": "一般"}
GENDER_LABELS = {"male": "男", "female": "女", "unknown": "未知"}
REPORTER_TYPES = {
    "school": "学校",
    "hospital": "医院",
    "police": "公安",
    "village_committee": "村（居）委会",
    "family": "家庭成员",
    "public": "群众",
    "child_director": "儿童主任",
    "other": "其他",
}
REPORTER_TYPE_LABELS = {**REPORTER_TYPES, "hotline_12345": "12345 来电人", "monitoring": "监测走访"}
SOURCE_LABELS = {"12345": "12345 热线", "mandatory_reporter": "强制报告", "monitoring": "监测预防"}
RISK_SHORT = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}
PLAN_STATUS = {"open": "进行中", "done": "已完成", "cancelled": "已取消"}
RECORD_KINDS = {
    "emergency": "应急处置",
    "assessment": "评估",
    "intervention": "监护干预",
    "temporary_guardianship": "临时监护",
    "follow_up": "结案后回访",
    "hotline_supplemented": "12345 补充",
    "hotline_urged": "12345 催办",
    "hotline_revoked": "12345 撤单",
}
HISTORY_ACTIONS = {
    "reported": "发现报告",
    "report_linked": "关联新报告",
    "accepted": "受理",
    "declined": "不予受理",
    "referred": "转介",
    "stage_changed": "环节变更",
    "skip_requested": "申请跳过环节",
    "skip_rejected": "驳回跳过申请",
    "emergency_responded": "应急处置措施",
    "temporary_guardianship_started": "启动临时监护",
    "temporary_guardianship_ended": "结束临时监护",
    "assessed": "提交评估",
    "risk_changed": "风险等级变更",
    "plan_item_added": "新增服务项",
    "plan_item_updated": "更新服务项",
    "intervention_recorded": "记录监护干预",
    "deadline_breached": "环节超期",
    "follow_up": "结案后回访",
    "hotline_supplemented": "12345 补充",
    "hotline_urged": "12345 催办",
    "hotline_revoked": "12345 撤单",
}
ACCESS_ACTIONS = {"view": "查看", "reveal_id": "查看身份证号"}
RECORD_TYPES = {"case": "案件", "child": "儿童档案"}
ACTOR_LABELS = {"12345": "12345 热线", "system": "系统"}
STAGE_NAMES = {s.value: label for s, label in SHORT_LABELS.items()}

_DETAIL_LABELS = {
    "source": "来源",
    "reporter_type": "报告人类型",
    "previous": "原环节",
    "current": "现风险等级",
    "target": "目标环节",
    "skipped": "跳过环节",
    "skip_reason": "跳过理由",
    "requested_by": "申请人",
    "approved_by": "批准人",
    "reopened": "重新开启",
    "reason": "理由",
    "referred_to": "转介单位",
    "action": "措施",
    "item_id": "服务项",
    "kind": "类型",
    "status": "状态",
    "situation": "家庭监护状况",
    "capacity": "监护能力评估",
    "risk_colour": "风险等级",
    "findings": "评估发现",
    "hardship": "家庭经济困难需转介社会救助",
    "institution": "临时监护机构",
    "legal_basis": "法律依据",
    "documents": "文书",
    "started_at": "开始时间",
    "started_by": "启动人",
    "ended_at": "结束时间",
    "outcome": "结束情况",
    "note": "说明",
    "step": "超期环节",
    "due_at": "时限",
}
_DETAIL_ORDER = {key: i for i, key in enumerate(_DETAIL_LABELS)}
# Success notices after a form's POST (`?done=<action>`).
DONE_NOTICES = {
    "reported": "报告已登记，案件已建立。",
    "linked": "已关联到现有案件：该儿童已有办理中的案件，本次报告已并入该案件。",
    "accept": "已受理。请尽快上门核查。",
    "decline": "已登记为不予受理。",
    "refer": "已转介。",
    "request_skip": "跳过环节的申请已提交，等待督导审批。",
    "approve_skip": "已批准跳过环节。",
    "reject_skip": "已驳回跳过环节的申请。",
    "record_emergency": "应急处置措施已记录。",
    "start_temporary_guardianship": "临时监护已启动。",
    "end_temporary_guardianship": "临时监护已结束。",
    "assess": "评估已提交。",
    "add_plan_item": "服务项已加入服务清单。",
    "set_plan_item_status": "服务项状态已更新。",
    "record_intervention": "监护干预已记录。",
    "close": "已反馈并结案。",
    "record_follow_up": "回访已记录。",
    "reopen": "案件已重新开启，回到评估环节。",
}
# Fields a form sends as a checkbox: present means yes.
CHECKBOX_FIELDS = ("hardship",)
_MISSING_FIELDS = {
    "target": "目标环节",
    "action": "处置措施",
    "risk_colour": "风险等级",
    "item_id": "服务项",
    "status": "状态",
}

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _masked(value: object, mask: Any) -> str:
    return str(mask(value)) if isinstance(value, str) and value.strip() else ""


def _stage_name(value: object) -> str:
    return STAGE_NAMES.get(str(value), str(value))


def _detail_text(action: str, key: str, value: Any, plan_names: Mapping[str, str]) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in ("previous", "current") and action == "risk_changed":
        return RISK_LABELS.get(str(value), "未评估") if value else "未评估"
    if key in ("previous", "target", "step"):
        return _stage_name(value)
    if key == "skipped" and isinstance(value, list):
        return "、".join(_stage_name(v) for v in value)
    if key == "source":
        return SOURCE_LABELS.get(str(value), str(value))
    if key == "reporter_type":
        return REPORTER_TYPE_LABELS.get(str(value), str(value))
    if key == "action":
        return EMERGENCY_ACTIONS.get(str(value), str(value))
    if key == "risk_colour":
        return RISK_LABELS.get(str(value), str(value))
    if key == "kind":
        return (
            PLAN_KINDS.get(str(value), "")
            if action.startswith("plan_")
            else INTERVENTIONS.get(str(value), str(value))
        )
    if key == "status":
        return PLAN_STATUS.get(str(value), str(value))
    if key == "item_id":
        return plan_names.get(str(value), str(value))
    if key in ("due_at", "started_at", "ended_at"):
        return format_time(str(value))
    return str(value)


def detail_pairs(
    action: str, detail: Mapping[str, Any] | None, plan: Sequence[Mapping[str, Any]] = ()
) -> list[tuple[str, str]]:
    """A history line's or a record's details as Chinese label/value pairs (empty values left out)."""
    plan_names = {str(p.get("id")): str(p.get("description", "")) for p in plan}
    pairs: list[tuple[str, str]] = []
    # JSONB does not keep the keys' order: show them in the order of the labels.
    for key, value in sorted(
        (detail or {}).items(), key=lambda kv: _DETAIL_ORDER.get(kv[0], len(_DETAIL_ORDER))
    ):
        if value is None or value == "" or value == []:
            continue
        label = _DETAIL_LABELS.get(key, key)
        if key == "previous" and action == "risk_changed":
            label = "原风险等级"
        pairs.append((label, _detail_text(action, key, value, plan_names)))
    return pairs


_env.filters["time"] = format_time
_env.filters["masked_name"] = lambda v: _masked(v, mask_name)
_env.filters["masked_phone"] = lambda v: _masked(v, mask_phone)
_env.filters["stage_name"] = _stage_name
_env.globals.update(
    URGENCY_LABELS=URGENCY_LABELS,
    GENDER_LABELS=GENDER_LABELS,
    REPORTER_TYPES=REPORTER_TYPES,
    REPORTER_TYPE_LABELS=REPORTER_TYPE_LABELS,
    SOURCE_LABELS=SOURCE_LABELS,
    RISK_LABELS=RISK_LABELS,
    RISK_SHORT=RISK_SHORT,
    PLAN_STATUS=PLAN_STATUS,
    PLAN_KINDS=PLAN_KINDS,
    EMERGENCY_ACTIONS=EMERGENCY_ACTIONS,
    INTERVENTIONS=INTERVENTIONS,
    RECORD_KINDS=RECORD_KINDS,
    HISTORY_ACTIONS=HISTORY_ACTIONS,
    ACCESS_ACTIONS=ACCESS_ACTIONS,
    RECORD_TYPES=RECORD_TYPES,
    ACTOR_LABELS=ACTOR_LABELS,
    STAGE_NAMES=STAGE_NAMES,
    STAGE_LABELS={s.value: label for s, label in LABELS.items()},
    ROLE_NAMES={r.value: label for r, label in ROLE_LABELS.items()},
    detail_pairs=detail_pairs,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)


# ------------------------------------------------------------------------------------------ plumbing


def is_worker(principal: Principal) -> bool:
    """Child-protection staff who may report and carry cases (in their region)."""
    return principal.has_program(Program.child_protection) and principal.has_role(*WORKER_ROLES)


def can_audit(principal: Principal) -> bool:
    return principal.has_role(Role.auditor, Role.admin)


def _region_label(region: str) -> str:
    return "全国" if region in NATIONAL_SCOPES else region


def render(
    request: Request,
    template: str,
    *,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the navigation bar for `principal`."""
    user = None
    if principal is not None:
        roles = [ROLE_LABELS.get(r, r.value) for r in sorted(principal.roles)]
        user = {
            "name": principal.name,
            "region": _region_label(principal.region),
            "roles": "、".join(roles),
            "can_report": is_worker(principal),
            "can_audit": can_audit(principal),
        }
    html = _env.get_template(template).render(
        user=user,
        path=request.url.path,
        logout=dev_login_enabled(app_settings(request)),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def error_page(request: Request, status_code: int, message: str, principal: Principal | None) -> HTMLResponse:
    titles = {400: "请求有误", 403: "无权访问", 404: "未找到", 409: "操作冲突", 422: "信息不完整"}
    return render(
        request,
        "error.html",
        principal=principal,
        status_code=status_code,
        title=titles.get(status_code, "出错了"),
        message=message,
    )


def _form_page(path: str) -> str:
    """The page that shows the form posting to `path` (where to return after logging in)."""
    return re.sub(r"/(actions/[^/]+|reveal-id)$", "", path)


async def cp_principal(request: Request) -> Principal:
    """The logged-in child-protection staff member or auditor; else a login redirect or a 403 page."""
    back = None if request.method == "GET" else _form_page(request.url.path)
    principal = await page_principal(request, back=back)
    if not can_use_service(principal):
        message = "未成年人保护工作台仅供未成年人保护工作人员和审计人员使用，当前账号没有相应的业务或角色。"
        raise PageExit(error_page(request, 403, message, principal))
    return principal


CpUser = Annotated[Principal, Depends(cp_principal)]


async def audit_principal(request: Request) -> Principal:
    principal = await page_principal(request)
    if not can_audit(principal):
        raise PageExit(error_page(request, 403, "访问日志仅供审计人员和管理员查看。", principal))
    return principal


AuditUser = Annotated[Principal, Depends(audit_principal)]


def same_origin(request: Request) -> None:
    """CSRF defence for every form POST."""
    if not is_same_origin(request):
        message = "请求来源校验失败：请从本系统的页面提交表单。"
        raise PageExit(error_page(request, 403, message, None))


def _not_found(request: Request, principal: Principal) -> PageExit:
    # Outside the caller's scope looks the same as missing, so a child's case does not disclose itself.
    return PageExit(error_page(request, 404, "案件不存在，或不在您的管辖范围内。", principal))


def _form_values(form: Any, limit: int = MAX_TEXT) -> dict[str, str]:
    return {k: v.strip()[:limit] for k, v in form.multi_items() if isinstance(v, str)}


# -------------------------------------------------------------------------------------------- queue


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/cases", status_code=303)


STAGE_FILTERS: list[tuple[str, str]] = [
    ("", "全部在办"),
    *[(s.value, SHORT_LABELS[s]) for s in CHAIN if s != Stage.CLOSED],
    (Stage.CLOSED.value, "已结案"),
    (Stage.DECLINED.value, "不予受理"),
    (Stage.REFERRED.value, "已转介"),
    ("all", "全部（含已结束）"),
]


@router.get("/cases")
async def case_queue(request: Request, principal: CpUser) -> HTMLResponse:
    """The work queue: my cases or my region's; overdue first, then risk colour and urgency."""
    params = request.query_params
    worker = is_worker(principal)
    scope = params.get("scope", "region")
    if scope != "mine" or not worker:
        scope = "region"
    stage = params.get("stage", "")
    if stage not in {value for value, _ in STAGE_FILTERS}:
        stage = ""
    page = int_param(params.get("page"), 1, low=1, high=100_000)
    now = datetime.now(UTC)
    async with _sessions(request)() as session:
        rows, total = await views.work_queue(
            session,
            scope_prefix=region_prefix(principal.region),
            now=now,
            owner=actor_of(principal) if scope == "mine" else None,
            stage=stage if stage not in ("", "all") else None,
            include_closed=stage == "all",
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    last = max(1, -(-total // PAGE_SIZE))

    def url(**changes: str) -> str:
        query = {"scope": scope, "stage": stage, **changes}
        return "/cases?" + urlencode({k: v for k, v in query.items() if v})

    return render(
        request,
        "cases.html",
        principal=principal,
        rows=rows,
        total=total,
        scope=scope,
        stage=stage,
        stage_filters=STAGE_FILTERS,
        can_report=worker,
        tabs=[("mine", "我的案件", url(scope="mine", page="")), ("region", "本辖区案件", url(scope="region"))]
        if worker
        else [("region", "本辖区案件", url(scope="region"))],
        pages={
            "page": page,
            "last": last,
            "prev": url(page=str(page - 1)) if page > 1 else None,
            "next": url(page=str(page + 1)) if page < last else None,
        },
    )


# ------------------------------------------------------------------------------------------- report


def _report_defaults(principal: Principal) -> dict[str, str]:
    region = principal.region if is_region_code(principal.region) else ""
    return {
        "reporter_type": "",
        "reporter_name": "",
        "reporter_contact": "",
        "urgency": "normal",
        "region_code": region,
        "child_name": "",
        "child_gender": "unknown",
        "child_age": "",
        "child_id_number": "",
        "content": "",
    }


def _require_worker(request: Request, principal: Principal) -> None:
    if not is_worker(principal):
        message = "只有未成年人保护工作人员可以登记报告；审计人员只能查看。"
        raise PageExit(error_page(request, 403, message, principal))


def _report_page(
    request: Request,
    principal: Principal,
    values: Mapping[str, str],
    errors: Sequence[str] = (),
    status_code: int = 200,
) -> HTMLResponse:
    return render(
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


def _validate_report(principal: Principal, v: dict[str, str]) -> tuple[list[str], int]:
    """Chinese messages for each problem of the report form, and the status to answer with."""
    errors: list[str] = []
    status = 400
    if v["reporter_type"] not in REPORTER_TYPES:
        errors.append("请选择报告人类型")
    if v["urgency"] not in URGENCY_LABELS:
        errors.append("请选择紧急程度")
    if len(v["reporter_name"]) > 50:
        errors.append("报告人姓名不能超过 50 个字")
    if len(v["reporter_contact"]) > 64:
        errors.append("报告人联系方式不能超过 64 个字符")
    if not is_region_code(v["region_code"]):
        errors.append("行政区划代码应为 6、9 或 12 位数字")
    elif not can_act(principal, v["region_code"]):
        errors.append(f"行政区划 {v['region_code']} 不在您的管辖范围内")
        status = 403
    if len(v["child_name"]) > 50:
        errors.append("儿童姓名不能超过 50 个字")
    if v["child_gender"] not in GENDER_LABELS:
        errors.append("请选择儿童性别")
    age = v["child_age"]
    if age and not (age.isascii() and age.isdigit() and 0 <= int(age) <= 17):
        errors.append("儿童年龄应为 0 至 17 的整数")
    if v["child_id_number"]:
        info = parse_id_number(v["child_id_number"])
        if not info.valid or info.normalized is None:
            errors.append("身份证号格式或校验位不正确，请核对；不清楚时可以不填")
        else:
            v["child_id_number"] = info.normalized
    if not v["content"]:
        errors.append("请填写报告内容")
    elif len(v["content"]) > MAX_CONTENT:
        errors.append(f"报告内容不能超过 {MAX_CONTENT} 个字")
    return errors, status


@router.post("/cases/new", dependencies=[Depends(same_origin)])
async def submit_report(request: Request, principal: CpUser) -> Response:
    """A mandatory reporter's or a caseworker's report: opens a case or joins the child's open case."""
    _require_worker(request, principal)
    form = await request.form()
    values = _report_defaults(principal)
    values.update(
        {
            key: form_text(form, key, MAX_CONTENT + 1 if key == "content" else 100)
            for key in values
            if key in form
        }
    )
    values["region_code"] = normalize_code(values["region_code"])
    values["child_age"] = normalize_code(values["child_age"])
    errors, status = _validate_report(principal, values)
    body: ReportIn | None = None
    if not errors:
        try:
            body = ReportIn.model_validate(
                {
                    "region_code": values["region_code"],
                    "urgency": values["urgency"],
                    "reporter_type": values["reporter_type"],
                    "reporter_name": values["reporter_name"] or None,
                    "reporter_contact": values["reporter_contact"] or None,
                    "content": values["content"],
                    "child": {
                        "name": values["child_name"] or None,
                        "gender": values["child_gender"],
                        "age": int(values["child_age"]) if values["child_age"] else None,
                        "id_number": values["child_id_number"] or None,
                    },
                }
            )
        except ValidationError:
            errors.append("报告内容有误，请检查后重新提交")
    if errors or body is None:
        return _report_page(request, principal, values, errors, status_code=status)
    settings = _settings(request)
    now = datetime.now(UTC)
    new = handlers.NewReport(
        region_code=body.region_code,
        urgency=body.urgency,
        child=child_from(body, settings.personkey_secret.get_secret_value()),
        report=Report(
            id=uuid.uuid4().hex,
            received_at=now,
            source="mandatory_reporter",
            reporter_type=body.reporter_type,
            content=body.content,
            reporter_name=body.reporter_name,
            reporter_contact=body.reporter_contact,
        ),
    )
    try:
        async with unit_of_work(
            _sessions(request), _cipher(request), rules=request.app.state.deadline_rules
        ) as uow:
            outcome = await handlers.report(
                uow, new, at=now, actor=actor_of(principal), window_days=settings.duplicate_window_days
            )
    except ChildProtectionError as exc:
        return _report_page(request, principal, values, [exc.message], status_code=problem_for(exc).status)
    done = "linked" if outcome.linked else "reported"
    return RedirectResponse(f"/cases/{outcome.case.id}?done={done}", status_code=303)


# --------------------------------------------------------------------------------------------- case


def chain_steps(stage: Stage, history: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The chain as a stepper: each step done, current, skipped (with approval) or still to come."""
    marks: dict[str, str] = {}
    for entry in history:
        marks[str(entry["stage"])] = "visited"
        for skipped in (entry.get("detail") or {}).get("skipped") or []:
            marks[str(skipped)] = "skipped"
    current = position(stage)
    steps = []
    for step in CHAIN:
        at = position(step)
        if stage in (Stage.DECLINED, Stage.REFERRED):
            status = "done" if step == Stage.REPORTED else "todo"
        elif step == stage:
            status = "done" if stage == Stage.CLOSED else "current"
        elif at < current:
            status = "skipped" if marks.get(step.value) == "skipped" else "done"
        else:
            status = "todo"
        steps.append({"stage": step.value, "label": SHORT_LABELS[step], "status": status})
    if stage == Stage.CLOSED:
        steps[-1]["current"] = "yes"
    return steps


def _skip_targets(stage: Stage) -> list[tuple[str, str]]:
    """Where a caseworker may ask to jump (at least one step ahead), closure included."""
    at = position(stage)
    if stage in TERMINAL or at < 1:
        return []
    return [(s.value, SHORT_LABELS[s]) for s in CHAIN if position(s) > at + 1]


class _FormValues:
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


async def _case_page(
    request: Request,
    principal: Principal,
    case_id: uuid.UUID,
    *,
    notice: str | None = None,
    done: str | None = None,
    error: str | None = None,
    failed: str | None = None,
    values: Mapping[str, str] | None = None,
    reveal_reason: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render the case page; the view (or the reveal of the ID number) is written to the access log."""
    reveal = reveal_reason is not None
    async with _sessions(request)() as session, session.begin():
        detail = await views.case_detail(session, _cipher(request), case_id, reveal_id=reveal)
        if detail is None or not can_read(principal, detail["region_code"]):
            raise _not_found(request, principal)
        await log_access(
            session,
            principal,
            record_type="case",
            record_id=str(case_id),
            action="reveal_id" if reveal else "view",
            region_code=detail["region_code"],
            reason=reveal_reason,
        )
    revealed = None
    if reveal:
        revealed = detail["child"].get("id_number")
        if revealed:
            detail["child"]["id_number"] = mask_id_number(revealed)
    stage = Stage(detail["stage"])
    now = datetime.now(UTC)
    due = detail["step_due_at"]
    acting = can_act(principal, detail["region_code"])
    plan = detail["plan"] or []
    return render(
        request,
        "case.html",
        principal=principal,
        status_code=status_code,
        c=detail,
        stage=stage.value,
        stage_label=LABELS[stage],
        is_open=stage not in TERMINAL,
        steps=chain_steps(stage, detail["history"]),
        overdue=stage not in TERMINAL and due is not None and due < now,
        can_act=acting,
        supervisor=acting and is_supervisor(principal),
        may_reveal=is_supervisor(principal) and bool(detail["child"].get("id_number")),
        revealed_id=revealed,
        skip_targets=_skip_targets(stage),
        plan=plan,
        open_plan=[p for p in plan if p.get("status") == "open"],
        records=detail["records"] or [],
        reports=detail["reports"] or [],
        history=detail["history"],
        notice=_done_notice(done, stage) if done else notice,
        error=error,
        fv=_FormValues(failed, values),
    )


def _done_notice(done: str, stage: Stage) -> str | None:
    """The notice after a form's POST; a move along the chain names the step the case is in now."""
    if done == "advance":
        return f"已转入“{SHORT_LABELS[stage]}”环节。"
    return DONE_NOTICES.get(done)


@router.get("/cases/{case_id}")
async def case_page(case_id: str, request: Request, principal: CpUser) -> HTMLResponse:
    parsed = parse_id(case_id)
    if parsed is None:
        raise _not_found(request, principal)
    return await _case_page(request, principal, parsed, done=request.query_params.get("done"))


async def _checked_case(request: Request, principal: Principal, case_id: str) -> tuple[uuid.UUID, str]:
    """The case id and region when the caller may read it (404 page otherwise)."""
    parsed = parse_id(case_id)
    if parsed is None:
        raise _not_found(request, principal)
    async with _sessions(request)() as session:
        region = await views.case_region(session, parsed)
    if region is None or not can_read(principal, region):
        raise _not_found(request, principal)
    return parsed, region


def _params(values: Mapping[str, str]) -> dict[str, Any]:
    """Form fields as the action's parameters: empty fields left out, checkboxes as booleans."""
    params: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
    for name in CHECKBOX_FIELDS:
        params[name] = values.get(name, "") in ("on", "true", "1", "yes")
    return params


@router.post("/cases/{case_id}/actions/{action}", dependencies=[Depends(same_origin)])
async def case_action(case_id: str, action: str, request: Request, principal: CpUser) -> Response:
    """One form of the case page: the action is applied by the domain model, which checks every rule."""
    parsed, region = await _checked_case(request, principal, case_id)
    if action not in handlers.ACTIONS:
        raise PageExit(error_page(request, 404, "未知的操作。", principal))
    if not can_act(principal, region):
        raise PageExit(error_page(request, 403, "您只能查看该案件，不能办理。", principal))
    if action in handlers.SUPERVISOR_ACTIONS and not is_supervisor(principal):
        raise PageExit(error_page(request, 403, "跳过环节须由督导（主管）审批。", principal))
    values = _form_values(await request.form())
    params = _params(values)
    problem: tuple[str, int] | None = None
    if action == "refer" and not params.get("referred_to"):
        problem = "请填写转介单位", 422
    else:
        try:
            async with unit_of_work(
                _sessions(request), _cipher(request), rules=request.app.state.deadline_rules
            ) as uow:
                await handlers.act(
                    uow, parsed, action, params, at=datetime.now(UTC), actor=actor_of(principal)
                )
        except NotFound as exc:
            raise PageExit(error_page(request, 404, exc.message, principal)) from exc
        except ChildProtectionError as exc:
            problem = exc.message, problem_for(exc).status
        except KeyError as exc:
            field = _MISSING_FIELDS.get(str(exc.args[0]) if exc.args else "", "必填项")
            problem = f"请填写或选择{field}", 422
        except ValueError:
            problem = "表单中有无效的取值，请检查后重新提交", 422
    if problem is not None:
        message, code = problem
        return await _case_page(
            request, principal, parsed, error=message, failed=action, values=values, status_code=code
        )
    return RedirectResponse(f"/cases/{parsed}?done={action}", status_code=303)


@router.post("/cases/{case_id}/reveal-id", dependencies=[Depends(same_origin)])
async def reveal_id(case_id: str, request: Request, principal: CpUser) -> Response:
    """A supervisor sees the child's full ID number once; the reveal and its reason are logged."""
    parsed, _ = await _checked_case(request, principal, case_id)
    if not is_supervisor(principal):
        raise PageExit(error_page(request, 403, "只有督导（主管）可以查看完整身份证号。", principal))
    values = _form_values(await request.form(), 200)
    reason = values.get("reason", "")
    if len(reason) < 2:
        return await _case_page(
            request,
            principal,
            parsed,
            error="请填写查看完整身份证号的理由（至少 2 个字）",
            failed="reveal_id",
            values=values,
            status_code=422,
        )
    return await _case_page(request, principal, parsed, reveal_reason=reason)


# -------------------------------------------------------------------------------------------- audit


@router.get("/audit/access-log")
async def access_log_page(request: Request, principal: AuditUser) -> HTMLResponse:
    """Who viewed which child's case or file, when, why (ID reveals) and under which trace."""
    record_id = request.query_params.get("record_id", "").strip()[:64]
    async with _sessions(request)() as session:
        entries = await views.access_entries(
            session, scope_prefix=region_prefix(principal.region), record_id=record_id or None
        )
    return render(request, "access_log.html", principal=principal, entries=entries, record_id=record_id)
