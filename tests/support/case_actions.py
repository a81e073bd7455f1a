"""The child-protection case actions the e2e tests take, by the path of each one's own route."""

from __future__ import annotations

ACTION_PATHS = {
    "accept": "accept",
    "decline": "decline",
    "refer": "refer",
    "advance": "advance",
    "close": "close",
    "reopen": "reopen",
    "request_skip": "skip-request",
    "approve_skip": "skip-request/approve",
    "reject_skip": "skip-request/reject",
    "record_emergency": "emergency-responses",
    "start_temporary_guardianship": "temporary-guardianship",
    "end_temporary_guardianship": "temporary-guardianship/end",
    "assess": "assessments",
    "add_plan_item": "plan-items",
    "record_intervention": "interventions",
    "record_follow_up": "follow-ups",
}


def action_path(case: str, op: str) -> str:
    """`POST` path of one action on a case named by its id or its reference."""
    return f"/api/v1/cases/{case}/{ACTION_PATHS[op]}"
