"""Every command of assistance and its handler (the bus dispatches on the command's type)."""

from __future__ import annotations

from assistance.domain import commands as c
from assistance.service_layer import application_handlers as application
from assistance.service_layer import lead_handlers as lead
from shared.kit.commands import Command
from shared.kit.messagebus import Handler

HANDLERS: dict[type[Command], Handler] = {
    c.OpenLeadFromHotline: lead.open_lead_from_hotline,
    c.OpenLeadFromReferral: lead.open_lead_from_referral,
    c.RegisterApplication: lead.register_application,
    c.ChangeHousehold: lead.change_household,
    c.AcceptApplication: application.accept_application,
    c.DeclineApplication: application.decline_application,
    c.RequestVerification: application.request_verification,
    c.RecordVerificationAnswer: application.record_verification_answer,
    c.CompleteVerification: application.complete_verification,
    c.RecordHomeVisit: application.record_home_visit,
    c.RecordAppraisal: application.record_appraisal,
    c.SkipAppraisal: application.skip_appraisal,
    c.RecordReview: application.record_review,
    c.StartPublicity: application.start_publicity,
    c.RecordObjection: application.record_objection,
    c.Approve: application.approve,
    c.Reject: application.reject,
    c.Withdraw: application.withdraw,
}
