"""Names of the codes on intake.work_order.v1: statuses, routes, flags, channels."""

from __future__ import annotations

STATUSES: dict[str, str] = {
    "received": "已接收",
    "routed": "已派发",
    "triage": "待分拨",
    "accepted": "已签收",
    "in_progress": "办理中",
    "replied": "已办结回复",
    "closed": "已结案",
    "reopened": "重新办理",
    "revoked": "已撤单",
}
TARGETS: dict[str, str] = {
    "child_protection": "未成年人保护",
    "assistance": "社会救助",
    "vagrant_rescue": "流浪乞讨人员救助",
    "triage": "人工分拨",
}
FLAGS: dict[str, str] = {
    "id_number_invalid": "身份证号校验未通过",
    "minor_involved": "涉及未成年人",
    "unknown_category": "未知分类",
    "region_needs_county": "需指定区县",
    "category_requires_triage": "需人工分拨",
    "declined_by_service": "承办业务退回",
}
TRIAGE_REASONS: dict[str, str] = {
    "unknown_category": "类别不在分拨规则中",
    "region_needs_county": "需指定区县",
    "category_requires_triage": "需人工分拨",
    "declined_by_service": "承办业务退回",
}
CHANNELS: dict[str, str] = {
    "phone": "电话",
    "web": "网站",
    "app": "客户端",
    "wechat": "微信",
    "sms": "短信",
    "other": "其他",
}
# What a work order's history line says happened.
ACTIONS: dict[str, str] = {
    "received": "接收工单",
    "routed": "派发",
    "triage_required": "转入待分拨",
    "supplemented": "补充",
    "urged": "催办",
    "revoked": "撤单",
    "accepted": "签收",
    "in_progress": "办理中",
    "declined": "承办业务退回",
    "referred": "转介",
    "replied": "办结回复",
    "satisfaction_recorded": "回访",
    "closed": "结案",
    "reopened": "重新办理",
}
