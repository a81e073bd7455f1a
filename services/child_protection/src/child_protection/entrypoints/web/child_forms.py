"""The forms of a child's file read into the register API's request models, and their commands."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from child_protection.domain.commands import Actor, ChildCommand
from child_protection.entrypoints.api import child_schemas as s
from child_protection.entrypoints.web.common import FormError, parse_form
from child_protection.service_layer.access import can_act
from shared.auth.principal import Principal
from shared.regions import is_region_code
from shared.web.formatting import int_param, normalize_code, parse_id

MAX_GUARDIAN_ROWS = 12
# The forms' fields as the page names them.
NAMES = {
    "guardians.name": "监护人姓名",
    "guardians.relation": "与儿童关系",
    "caregiver.name": "被委托照护人姓名",
    "caregiver.relation": "被委托照护人与儿童关系",
    "name": "姓名",
    "birth_date": "出生日期",
    "region_code": "行政区划代码",
    "categories": "儿童类别",
    "signed_date": "签订日期",
    "colour": "新的风险等级",
    "reason": "调整理由",
    "due_date": "计划走访日期",
    "visited_on": "走访日期",
    "notes": "走访情况",
}


def guardian_rows(form: FormData, values: Mapping[str, str]) -> list[dict[str, Any]]:
    count = int_param(values.get("row_count"), 0, low=0, high=MAX_GUARDIAN_ROWS)
    primary = values.get("primary", "")
    return [
        {
            "name": values.get(f"g-{i}-name", "")[:50],
            "relation": values.get(f"g-{i}-relation", "")[:20],
            "phone": values.get(f"g-{i}-phone", "")[:20],
            "is_primary": primary == str(i),
            "working_away": f"g-{i}-away" in form,
            "delete": f"g-{i}-delete" in form,
        }
        for i in range(count)
    ]


def form_command(
    name: str,
    form: FormData,
    values: Mapping[str, str],
    child_id: uuid.UUID,
    actor: Actor,
    principal: Principal,
) -> ChildCommand:
    """One of the file's forms as the API's request model, then its command."""
    match name:
        case "details":
            region = normalize_code(values.get("region_code", ""))
            if is_region_code(region) and not can_act(principal, region):
                raise FormError([f"行政区划 {region} 不在您的管辖范围内"], 403)
            details = {
                **values,
                "region_code": region,
                "id_number": normalize_code(values.get("id_number", "")),
            }
            details["categories"] = list(form.getlist("categories"))  # type: ignore[assignment]
            return parse_form(s.DetailsIn, details, NAMES).command(child_id, actor)
        case "guardians":
            rows = [r for r in guardian_rows(form, values) if not r.pop("delete")]
            kept = [r for r in rows if r["name"] or r["relation"] or r["phone"]]
            return parse_form(s.GuardiansIn, {"guardians": kept}, NAMES).command(child_id, actor)
        case "caregiver":
            person = (
                None if "remove" in form else {k: values.get(k, "") for k in ("name", "relation", "phone")}
            )
            return parse_form(s.CaregiverUpdateIn, {"caregiver": person}, NAMES).command(child_id, actor)
        case "agreement":
            signed = values.get("signed") == "yes"
            agreement: dict[str, Any] = {"signed": signed}
            if signed:
                agreement.update(
                    signed_date=values.get("signed_date", ""), document_ref=values.get("document_ref", "")
                )
            return parse_form(s.AgreementIn, agreement, NAMES).command(child_id, actor)
        case "risk":
            return parse_form(s.RiskIn, values, NAMES).command(child_id, actor)
        case "schedule":
            return parse_form(s.VisitIn, values, NAMES).command(child_id, actor)
    raw_visit = values.get("visit_id", "")
    visit_id = parse_id(raw_visit) if raw_visit else None
    if raw_visit and visit_id is None:
        raise FormError(["请选择要记录的走访"])
    data = {k: v for k, v in values.items() if k != "visit_id"}
    return parse_form(s.VisitRecordIn, {**data, "risk_raised": "risk_raised" in form}, NAMES).command(
        child_id, actor, visit_id
    )
