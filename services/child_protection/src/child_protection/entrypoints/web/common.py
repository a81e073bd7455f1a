"""What every child-protection page shares: the service's `Pages`, who may use it, labels, and reading a
form into the API's request model with Chinese messages.

Who sees what follows the JSON API: child-protection staff (program `child_protection`, role caseworker,
审核人 or admin) of the record's region work on cases and files, auditors read them; everybody else gets
a 403 page, and a record outside the caller's region scope is a 404 page (its existence is not disclosed).
A browser without a session is sent to the development login page when it is enabled, otherwise it gets
the 401 problem. Every POST must come from this site (Origin/Referer).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from child_protection.entrypoints.web.history import case_detail_pairs, child_detail_pairs
from child_protection.service_layer.access import can_audit, can_use_service, is_worker
from shared.auth.principal import Principal
from shared.contracts.labels import child_protection as labels
from shared.contracts.labels import common as common_labels
from shared.problems import validation_errors
from shared.web.pages import NavLink, Pages, starts_with

M = TypeVar("M", bound=BaseModel)
PAGE_SIZE = 50
MAX_TEXT = 5000
# A form posted to /cases/{case}/<action> or /children/{id}/<form> comes from the record's page.
_FORM_PAGE = re.compile(r"^(/(?:cases|children)/[^/]+)/.+$")
# Fields that are chosen rather than typed: a missing one is "请选择…".
_CHOICES = frozenset(
    {"reporter_type", "urgency", "gender", "target", "action", "risk_colour", "colour", "kind", "status"}
)


def _form_page(path: str) -> str:
    match = _FORM_PAGE.fullmatch(path)
    return match.group(1) if match else path


def _stage_name(value: object) -> str:
    return labels.STAGES.get(str(value), str(value))


def _day(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else (str(value) if value else "")


def _on_cases(path: str) -> bool:
    return path == "/cases" or (path.startswith("/cases/") and path != "/cases/new")


pages = Pages(
    Path(__file__).resolve().parent / "templates",
    site="未成年人保护",
    brand="工作台",
    colour="#1d5c8f",
    nav=(
        NavLink("/cases", "工作台", _on_cases),
        NavLink("/cases/new", "登记报告", lambda p: p == "/cases/new", is_worker),
        NavLink("/children", "儿童档案", starts_with("/children")),
        NavLink("/audit/access-log", "访问日志", starts_with("/audit/"), can_audit),
    ),
    allowed=can_use_service,
    refused="未成年人保护工作台仅供未成年人保护工作人员和审计人员使用，当前账号没有相应的业务或角色。",
    form_page=_form_page,
    globals={
        "STAGE_NAMES": labels.STAGES,
        "STAGE_LABELS": labels.STAGE_DETAILS,
        "RISK_LABELS": labels.RISK,
        "RISK_SHORT": labels.RISK_SHORT,
        "EMERGENCY_ACTIONS": labels.EMERGENCY_ACTIONS,
        "INTERVENTIONS": labels.INTERVENTIONS,
        "PLAN_KINDS": labels.PLAN_KINDS,
        "PLAN_STATUS": labels.PLAN_STATUS,
        "REPORT_SOURCES": labels.REPORT_SOURCES,
        "REPORTER_TYPES": labels.REPORTER_TYPES,
        "MANDATORY_REPORTER_TYPES": sorted(
            labels.MANDATORY_REPORTER_TYPES, key=list(labels.REPORTER_TYPES).index
        ),
        "SOURCE_OF_REPORTER": labels.SOURCE_OF_REPORTER,
        "RECORD_KINDS": labels.RECORD_KINDS,
        "CASE_ACTIONS": labels.CASE_ACTIONS,
        "CHILD_ACTIONS": labels.CHILD_ACTIONS,
        "CATEGORIES": labels.CATEGORIES,
        "CHILD_FLAGS": labels.CHILD_FLAGS,
        "VISIT_TYPES": labels.VISIT_TYPES,
        "VISIT_STATUS": labels.VISIT_STATUS,
        "ACTOR_LABELS": common_labels.SYSTEM_ACTORS,
        "ACCESS_ACTIONS": {"view": "查看", "reveal_id": "查看身份证号"},
        "RECORD_TYPES": {"case": "案件", "child": "儿童档案"},
        "detail_pairs": case_detail_pairs,
        "history_pairs": child_detail_pairs,
    },
    filters={"stage_name": _stage_name, "day": _day},
)

CpUser = Annotated[Principal, Depends(pages.user)]


class FormError(Exception):
    """A form that cannot become a command: its Chinese messages and the status to answer with."""

    def __init__(self, messages: list[str], status: int = 422) -> None:
        super().__init__("；".join(messages))
        self.messages = messages
        self.status = status


def form_values(form: FormData, limit: int = MAX_TEXT) -> dict[str, str]:
    """Every single-valued text field of a form, stripped and cut to `limit` characters."""
    return {k: v.strip()[:limit] for k, v in form.multi_items() if isinstance(v, str)}


def filled(data: Mapping[str, Any]) -> dict[str, Any]:
    """A form's values without the blank ones: a blank field is a field not given (nested too)."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            value = filled(value)
        if value not in ("", None):
            kept[key] = value
    return kept


def parse_form(model: type[M], data: Mapping[str, Any], names: Mapping[str, str] | None = None) -> M:
    """The request model the API takes, from a form; its errors as Chinese sentences naming the fields.

    A field is named by `names` (by its dotted path or its own name) or by its description in the model.
    """
    try:
        return model.model_validate(filled(data))
    except ValidationError as exc:
        raise FormError(field_messages(model, exc, names or {})) from exc


def field_messages(model: type[BaseModel], exc: ValidationError, names: Mapping[str, str]) -> list[str]:
    messages: list[str] = []
    located = RequestValidationError(exc.errors())
    for error, shown in zip(exc.errors(), validation_errors(located), strict=True):
        path = [str(p) for p in error["loc"] if not isinstance(p, int)]
        field = path[-1] if path else ""
        described = model.model_fields[field].description if field in model.model_fields else None
        label = names.get(".".join(path)) or names.get(field) or described or field
        kind = error["type"]
        ctx = error.get("ctx") or {}
        if field in _CHOICES and kind in ("missing", "literal_error", "enum"):
            message = f"请选择{label}"
        elif kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
            message = f"请填写{label}"
        elif kind == "too_short":
            message = f"请至少选择一个{label}"
        else:
            message = f"{label}：{shown['message']}"
        if message not in messages:
            messages.append(message)
    return messages


def checked(values: Collection[str], value: str) -> str:
    """`value` when it is one of `values`, else "" (a filter the page cannot use is dropped)."""
    return value if value in values else ""
