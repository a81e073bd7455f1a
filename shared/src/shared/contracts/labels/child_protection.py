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
# The source a hand-entered report gets from its reporter type: only those bound by the duty to report
# make a 强制报告; family members, the public and anyone else report as 群众报告.
SOURCE_OF_REPORTER: dict[str, str] = {
    **dict.fromkeys(sorted(MANDATORY_REPORTER_TYPES), "mandatory_reporter"),
    "family": "public_report",
    "public": "public_report",
    "other": "public_report",
    "hotline_12345": "12345",
    "monitoring": "monitoring",
}
# What a register file needs attention for (child_protection.child.v1 `flags`).
CHILD_FLAGS: dict[str, str] = {
    "agreement_missing": "留守儿童未签订书面照护协议",
    "caregiver_missing": "留守儿童未确定被委托照护人",
    "no_guardian": "未登记监护人",
}
PLAN_STATUS: dict[str, str] = {"open": "进行中", "done": "已完成", "cancelled": "已取消"}
# The dated records of a case (办理记录).
RECORD_KINDS: dict[str, str] = {
    "emergency": "应急处置",
    "assessment": "评估",
    "intervention": "监护干预",
    "temporary_guardianship": "临时监护",
    "follow_up": "结案后回访",
    "hotline_supplemented": "12345 补充",
    "hotline_urged": "12345 催办",
    "hotline_revoked": "12345 撤单",
    "hotline_dissatisfied": "12345 回访不满意",
    "cross_county_duplicate": "跨辖区重复报告",
}
# What a case's history line says happened.
CASE_ACTIONS: dict[str, str] = {
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
    "closed": "结案",
    "follow_up": "结案后回访",
    "reopened": "重新办理",
    "hotline_supplemented": "12345 补充",
    "hotline_urged": "12345 催办",
    "hotline_revoked": "12345 撤单",
    "hotline_dissatisfied": "12345 回访不满意",
    "cross_county_duplicate": "发现跨辖区重复报告",
    "service_plan_updated": "更新服务清单",
    "referral_requested": "申请转介社会救助",
}
# What a register file's history line says happened.
CHILD_ACTIONS: dict[str, str] = {
    "registered": "建档",
    "updated": "更新档案",
    "risk_changed": "风险等级变更",
    "visit_scheduled": "安排走访",
    "visit_rescheduled": "走访提前",
    "visit_recorded": "记录走访",
    "visit_missed": "逾期未走访",
    "report_opened": "生成报告（新案件）",
    "report_linked": "报告并入在办案件",
}
