"""What every intake desk page shares: the `Pages` helper, who may use the desk, labels, small parsers.

Who may use the desk: `intake_agent`, `supervisor` and `admin`; everything is limited to the caller's
region scope. A browser without a session is sent to the development login page when it is enabled,
otherwise it gets the 401 problem. Every POST must come from this site (Origin/Referer).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request

from intake.bootstrap import IntakeRuntime
from intake.entrypoints.api.deps import intake_runtime
from shared.auth.policy import INTAKE_DESK
from shared.auth.principal import Principal
from shared.contracts.labels import common as common_labels
from shared.contracts.labels import intake as labels
from shared.regions import region_label
from shared.web.pages import NavLink, Pages, starts_with
from shared.web.security import PageExit

PAGE_SIZE = 20

_DETAIL_LABELS = {
    "routed_to": "承办业务",
    "responsible_region": "承办区县",
    "reasons": "原因",
    "reason": "原因",
    "referred_to": "转介单位",
    "content": "补充内容",
    "subject_count": "补充人员数",
    "note": "催办说明",
    "urge_count": "催办次数",
    "case_ref": "案件编号",
    "reply_text": "回复内容",
    "score": "满意度评分",
    "comment": "评价",
}


def history_details(detail: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A history line's details as Chinese label/value pairs."""
    pairs: list[tuple[str, str]] = []
    for key, value in detail.items():
        if value is None or value == "":
            continue
        if key == "routed_to":
            text = labels.TARGETS.get(str(value), str(value))
        elif key == "responsible_region":
            text = region_label(str(value))
        elif key == "reasons" and isinstance(value, list):
            text = "、".join(labels.FLAGS.get(str(v), str(v)) for v in value)
        else:
            text = str(value)
        pairs.append((_DETAIL_LABELS.get(key, key), text))
    return pairs


def _form_page(path: str) -> str:
    return path.removesuffix("/route")


pages = Pages(
    Path(__file__).resolve().parent / "templates",
    site="民政一门受理",
    brand="受理台",
    colour="#a61b1b",
    nav=(
        NavLink("/desk/work-orders", "工单列表", starts_with("/desk/work-orders")),
        NavLink("/desk/triage", "待分拨", lambda p: p == "/desk/triage"),
        NavLink("/desk/routing", "分拨规则", lambda p: p == "/desk/routing"),
    ),
    allowed=lambda principal: INTAKE_DESK.uses(principal),
    refused="受理台仅供受理员、审核人和管理员使用，当前账号没有这些角色。",
    form_page=_form_page,
    globals={
        "STATUS_LABELS": labels.STATUSES,
        "TARGET_LABELS": labels.TARGETS,
        "FLAG_LABELS": labels.FLAGS,
        "CHANNEL_LABELS": labels.CHANNELS,
        "ACTION_LABELS": labels.ACTIONS,
        "ACTOR_LABELS": {**common_labels.SYSTEM_ACTORS, **labels.TARGETS},
        "history_details": history_details,
    },
)

DeskUser = Annotated[Principal, Depends(pages.user)]
RuntimeDep = Annotated[IntakeRuntime, Depends(intake_runtime)]


def actor_of(principal: Principal) -> str:
    """How a desk user is named in a work order's history."""
    return principal.name or principal.sub


def not_found(request: Request, principal: Principal) -> PageExit:
    # Outside the caller's scope looks the same as missing, so existence is not disclosed.
    return PageExit(pages.error(request, 404, "未找到该工单，或该工单不在您的管辖范围内。", principal))
