"""Names shared by every service: the services themselves, urgency, gender."""

from __future__ import annotations

SERVICES: dict[str, str] = {
    "intake": "一门受理",
    "child_protection": "未成年人保护",
    "assistance": "社会救助",
    "vagrant_rescue": "流浪乞讨人员救助",
    "notifications": "通知",
    "timeline": "时间线",
}
URGENCY: dict[str, str] = {"normal": "一般", "urgent": "紧急", "critical": "特急"}
GENDER: dict[str, str] = {"male": "男", "female": "女", "unknown": "未知"}
# Actors that are not people (history lines, timeline entries).
SYSTEM_ACTORS: dict[str, str] = {"12345": "12345 热线", "auto": "系统自动分拨", "system": "系统"}
