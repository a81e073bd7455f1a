"""Every command of child_protection and its handler (the bus dispatches on the command's type)."""

from __future__ import annotations

from child_protection.domain import commands as c
from child_protection.service_layer import case_handlers as case
from child_protection.service_layer import child_handlers as child
from child_protection.service_layer import report_handlers as report
from shared.kit.commands import Command
from shared.kit.messagebus import Handler

HANDLERS: dict[type[Command], Handler] = {
    c.ReportCase: report.report_case,
    c.OpenCaseFromHotline: report.open_case_from_hotline,
    c.NoteHotlineEvent: report.note_hotline_event,
    c.RecordHotlineSatisfaction: report.record_hotline_satisfaction,
    c.ScanCaseDeadline: case.scan_case_deadline,
    c.AcceptCase: case.accept_case,
    c.DeclineCase: case.decline_case,
    c.ReferCase: case.refer_case,
    c.AdvanceCase: case.advance_case,
    c.RequestSkip: case.request_skip,
    c.ApproveSkip: case.approve_skip,
    c.RejectSkip: case.reject_skip,
    c.RecordEmergency: case.record_emergency,
    c.StartTemporaryGuardianship: case.start_temporary_guardianship,
    c.EndTemporaryGuardianship: case.end_temporary_guardianship,
    c.AssessCase: case.assess_case,
    c.AddPlanItem: case.add_plan_item,
    c.SetPlanItemStatus: case.set_plan_item_status,
    c.RecordIntervention: case.record_intervention,
    c.CloseCase: case.close_case,
    c.RecordFollowUp: case.record_follow_up,
    c.ReopenCase: case.reopen_case,
    c.RegisterChild: child.register_child,
    c.UpdateChildDetails: child.update_child_details,
    c.SetGuardians: child.set_guardians,
    c.SetCaregiver: child.set_caregiver,
    c.RecordCareAgreement: child.record_care_agreement,
    c.ChangeChildRisk: child.change_child_risk,
    c.ScheduleVisit: child.schedule_visit,
    c.RecordVisit: child.record_visit,
    c.MarkMissedVisits: child.mark_missed_visits,
}
