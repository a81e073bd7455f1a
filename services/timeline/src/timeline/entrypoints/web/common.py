"""What every timeline page shares: the `Pages` helper, who may use it, and how entries are shown.

Anyone some service lets read its records may search (others get a 403 page): what they see is limited
by the same `Viewer` as in the API (each service's own policy, region scope; minor-related entries only
for those child protection lets read a minor's case; trace ids only for auditors and admins). A browser
without a session goes to the development login page when it is enabled; every POST must come from this
site (Origin/Referer). Codes are shown by name: services, event types, regions,
actors; person keys only as a short reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends

from shared.auth.principal import Principal
from shared.contracts.labels import common as common_labels
from shared.web.formatting import CST
from shared.web.pages import NavLink, Pages
from timeline.domain.entry import aggregate_of
from timeline.domain.names import actor_name, person_key_kind, person_reference
from timeline.domain.renderers import service_label, service_of_type, type_label
from timeline.domain.viewer import Viewer
from timeline.entrypoints.api.deps import TimelineRuntimeDep
from timeline.service_layer.views import Entry

MAX_FIELD = 200
WEEKDAYS = "一二三四五六日"
SEARCH = "/timeline"
# Services whose cases can be searched by id or reference on the search page.
CASE_SERVICES: dict[str, str] = {s: common_labels.SERVICES[s] for s in ("child_protection", "intake")}
# Icon (one character, so it renders with the CJK font alone) and colour of each service's entries.
SERVICE_STYLES: dict[str, tuple[str, str]] = {
    "intake": ("受", "#1d6fb8"),
    "child_protection": ("护", "#c2410c"),
    "assistance": ("助", "#2e7d32"),
    "vagrant_rescue": ("救", "#6d28d9"),
    "notifications": ("通", "#0f766e"),
}
DEFAULT_STYLE = ("事", "#616e7c")
# What the aggregate of an entry is called, by the data field holding its id.
_AGGREGATE_NAMES = {"work_order_id": "工单", "child_id": "儿童档案", "case_id": "案件"}


def service_style(service: str) -> dict[str, str]:
    icon, colour = SERVICE_STYLES.get(service, DEFAULT_STYLE)
    return {"icon": icon, "colour": colour, "css": service if service in SERVICE_STYLES else "other"}


def aggregate_name(event_type: str) -> str:
    """What an entry belongs to, as people call it: 工单, 案件 or 儿童档案."""
    aggregate = aggregate_of(event_type)
    return _AGGREGATE_NAMES.get(aggregate[0], "案件") if aggregate else "案件"


def entry_subject(entry: Entry) -> str:
    """The case an entry belongs to, by its reference when it has one (工单 GD-1, 未成年人保护案件 CP-…)."""
    name = aggregate_name(entry.type)
    if name == "工单":
        return f"工单 {entry.order_no or entry.reference or ''}".strip()
    if name == "儿童档案":
        return name
    owner = service_label(entry.service)
    return f"{owner}案件 {entry.reference}" if entry.reference else f"{owner}案件"


def type_option(event_type: str) -> str:
    """An event type in the filter: the service and what happened (一门受理 · 催办; a child's file says so:
    未成年人保护 · 儿童档案 · 风险等级变更), never the code."""
    service = service_label(service_of_type(event_type))
    name = aggregate_name(event_type)
    what = f"{name} · {type_label(event_type)}" if name == "儿童档案" else type_label(event_type)
    return f"{service} · {what}"


def entry_timeline_url(entry: Entry) -> str:
    """The timeline of what an entry belongs to: its work order (every service's entries) or its case."""
    if aggregate_name(entry.type) == "工单" and entry.order_no:
        return f"/timeline/work-orders/{quote(entry.order_no, safe='')}"
    return "/timeline/cases/" + "/".join(quote(p, safe="") for p in entry.case_ref.split("/", 1))


def person_label(key: str) -> str:
    """A merged person key as a short, non-identifying line: 人员记录 3FA9C2（身份已核验）."""
    return f"人员记录 {person_reference(key)}（{person_key_kind(key)}）"


def clock(value: datetime) -> str:
    """`09:30:05` in China time."""
    return value.astimezone(CST).strftime("%H:%M:%S") if value.tzinfo else value.strftime("%H:%M:%S")


def day_label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def by_day(entries: Sequence[Entry]) -> list[tuple[str, list[Entry]]]:
    """Consecutive entries of one China day together, keeping the causal order."""
    groups: list[tuple[str, list[Entry]]] = []
    for entry in entries:
        moment = entry.event_time.astimezone(CST) if entry.event_time.tzinfo else entry.event_time
        label = day_label(moment.date())
        if groups and groups[-1][0] == label:
            groups[-1][1].append(entry)
        else:
            groups.append((label, [entry]))
    return groups


pages = Pages(
    Path(__file__).resolve().parent / "templates",
    site="民政时间线",
    brand="跨业务办理经过",
    colour="#334e68",
    nav=(NavLink(SEARCH, "检索", lambda path: path == SEARCH),),
    allowed=lambda principal: Viewer.from_principal(principal).reads_anything,
    refused="时间线仅供有业务查看权限的工作人员使用，当前账号没有相应的角色或业务。",
    form_page=lambda path: SEARCH,
    globals={
        "CASE_SERVICES": CASE_SERVICES,
        "service_label": service_label,
        "service_style": service_style,
        "entry_subject": entry_subject,
        "aggregate_name": aggregate_name,
        "entry_timeline_url": entry_timeline_url,
        "actor_name": actor_name,
        "person_label": person_label,
    },
    filters={"clock": clock},
)

PageUser = Annotated[Principal, Depends(pages.user)]
RuntimeDep = TimelineRuntimeDep
