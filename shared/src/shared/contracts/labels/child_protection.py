"""Names of the codes on child_protection.case.v1 and child_protection.child.v1."""

from __future__ import annotations

# The chain 发现报告 → 受理 → 应急处置 → 评估 → 帮扶 → 监护干预 → 反馈, short names.
STAGES: dict[str, str] = {
    "reported": "发现报告",
    "accepted": "受理调查",
    "emergency_response": "应急处置",
    "assessment": "评估",
    "support": "帮扶",
    "intervention": "监护干预",
    "closed": "已结案",
    "declined": "不予受理",
    "referred": "已转介",
}
# The same stages as the case page names them (what the caseworker is doing there).
STAGE_DETAILS: dict[str, str] = {
    "reported": "发现报告（待受理）",
    "accepted": "已受理（调查核实）",
    "emergency_response": "应急处置",
    "assessment": "评估",
    "support": "帮扶（服务清单）",
    "intervention": "监护干预",
    "closed": "已结案（已反馈）",
    "declined": "不予受理",
    "referred": "已转介",
}
RISK: dict[str, str] = {
    "red": "红色（高风险）",
    "yellow": "黄色（较高风险）",
    "blue": "蓝色（一般风险）",
    "green": "绿色（低风险）",
}
RISK_SHORT: dict[str, str] = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}
EMERGENCY_ACTIONS: dict[str, str] = {
    "on_site_visit": "上门核查",
    "safety_measure": "紧急安全措施",
    "police": "公安介入",
    "medical": "医疗救治",
}
INTERVENTIONS: dict[str, str] = {
    "entrusted_care": "委托照护（签订照护协议）",
    "parenting_education": "强制亲职教育",
    "revocation_support": "支持申请撤销监护人资格",
    "long_term_guardianship": "民政长期监护",
}
PLAN_KINDS: dict[str, str] = {
    "counselling": "心理疏导",
    "schooling": "就学保障",
    "medical": "医疗康复",
    "material": "物质帮扶",
    "other": "其他服务",
}
# Where a report came from. Only the units bound by the duty to report (学校、医院、公安、村（居）委会、
# 儿童主任…) make a 强制报告; family members and the public report as 群众报告.
REPORT_SOURCES: dict[str, str] = {
    "12345": "12345 热线",
    "mandatory_reporter": "强制报告",
    "public_report": "群众报告",
    "monitoring": "监测预防",
}
REPORTER_TYPES: dict[str, str] = {
    "school": "学校",
    "hospital": "医院",
    "police": "公安",
    "village_committee": "村（居）委会",
    "child_director": "儿童主任",
    "family": "家庭成员",
    "public": "群众",
    "other": "其他",
    "hotline_12345": "12345 来电人",
    "monitoring": "监测走访",
}
MANDATORY_REPORTER_TYPES = frozenset({"school", "hospital", "police", "village_committee", "child_director"})
CATEGORIES: dict[str, str] = {
    "left_behind": "留守儿童",
    "in_difficulty": "困境儿童",
    "orphan": "孤儿",
    "de_facto_unsupported": "事实无人抚养儿童",
    "disabled": "残疾儿童",
    "other": "其他",
}
# 家庭走访 in the seeds' words (定期走访制度); a phone contact in the weeks between.
VISIT_TYPES: dict[str, str] = {"home": "家庭走访", "phone": "电话联系"}
VISIT_STATUS: dict[str, str] = {"scheduled": "待走访", "done": "已走访", "missed": "逾期未走访"}
