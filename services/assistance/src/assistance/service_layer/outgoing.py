"""Domain events -> contracts on assistance.case.v1 (the only place applications map out).

No names or ID numbers leave: person keys only; free text is masked by the contracts. The application
holds no member names (they are on the household file), so only the names it knows are redacted: none
of the covered people's, which the caseworker's free text is already masked for ID and phone numbers.
"""

from __future__ import annotations

from typing import Any

from assistance.domain import application_events as ev
from assistance.domain.application_model import Application
from assistance.domain.application_parts import LeadSource
from shared.contracts import assistance as sa
from shared.contracts.base import Contract
from shared.kit.unit_of_work import Message


def application_contract(a: Application, event: ev.Event) -> Contract:
    """The contract for one application event, carrying the stage right after it."""
    personkeys = getattr(event, "personkeys", None)
    base: dict[str, Any] = {
        "application_id": a.id,
        "case_ref": a.case_ref,
        "region_code": event.region_code or a.region_code,
        "occurred_at": event.at,
        "stage": event.stage or a.stage.value,
        "programme": getattr(event, "programme", None) or (a.programme.value if a.programme else None),
        "lead_source": a.lead_source.value if a.lead_source else None,
        "lead_ref": a.lead_ref,
        "applicant_personkey": a.applicant_personkey,
        "covered_personkeys": list(a.personkeys if personkeys is None else personkeys),
        "actor": event.actor or None,
    }
    match event:
        case ev.LeadOpened(summary=summary):
            return sa.LeadOpened(**base, summary=summary or None)
        case ev.Applied(temporary_kind=kind, household_id=household, previous_id=previous):
            return sa.Applied(
                **base, temporary_kind=kind, household_id=household or None, previous_id=previous or None
            )
        case ev.Accepted(review_level=level):
            return sa.Accepted(**base, review_level=level)
        case ev.Declined(reason=reason):
            return sa.Declined(**base, reason=reason)
        case ev.CoverageChanged(reason=reason):
            return sa.CoverageChanged(**base, reason=reason)
        case ev.VerificationRequested(requests=requests):
            items = [sa.VerificationItem(personkey=p, department=d) for p, d in requests]
            return sa.VerificationRequested(**base, requests=items)
        case ev.VerificationCompleted(answered=answered, gaps=gaps):
            found = [sa.VerificationGap(personkey=p, department=d, status=s) for p, d, s in gaps]
            return sa.VerificationCompleted(**base, answered=answered, gaps=found)
        case ev.HomeVisitRecorded(gaps_noted=noted):
            return sa.HomeVisitRecorded(**base, gaps_noted=noted)
        case ev.AppraisalRecorded(held=held, contested=contested, skip_reason=why):
            return sa.AppraisalRecorded(**base, held=held, contested=contested, skip_reason=why or None)
        case ev.ReviewRecorded(level=level, recommends_approval=recommends, reason=reason):
            return sa.ReviewRecorded(**base, level=level, recommends_approval=recommends, reason=reason)
        case ev.PublicityStarted(starts_at=starts, ends_at=ends):
            return sa.PublicityStarted(**base, starts_at=starts, ends_at=ends)
        case ev.ObjectionRecorded(summary=summary, sent_back=sent_back):
            return sa.ObjectionRecorded(**base, summary=summary, sent_back=sent_back)
        case ev.Approved(amount=amount, reason=reason):
            return sa.Approved(**base, amount=amount, reason=reason)
        case ev.Rejected(reason=reason):
            return sa.Rejected(**base, reason=reason)
        case ev.PaymentStarted(amount=amount, first_month=month):
            return sa.PaymentStarted(**base, amount=amount, first_month=month)
        case ev.ManagementStarted(next_review_on=next_on):
            return sa.ManagementStarted(**base, next_review_on=next_on)
        case ev.BenefitChanged(previous=previous, amount=amount, reason=reason):
            return sa.BenefitChanged(**base, previous=previous, amount=amount, reason=reason)
        case ev.ReviewDue(due_on=due):
            return sa.ReviewDue(**base, due_on=due)
        case ev.PeriodicReviewRecorded(next_review_on=next_on):
            return sa.PeriodicReviewRecorded(**base, next_review_on=next_on)
        case ev.AlertRaised(kind=kind, summary=summary):
            return sa.AlertRaised(**base, kind=kind, summary=summary)
        case ev.ReferralRequested(agency=agency, reason=reason):
            return sa.ReferralRequested(**base, agency=agency, reason=reason)
        case ev.Suspended(reason=reason):
            return sa.Suspended(**base, reason=reason)
        case ev.Resumed(reason=reason):
            return sa.Resumed(**base, reason=reason)
        case ev.Ended(reason=reason):
            return sa.Ended(**base, reason=reason)
        case ev.Closed(outcome=outcome, reason=reason):
            return sa.Closed(**base, outcome=outcome, reason=reason)
    raise TypeError(f"no contract for {type(event).__name__}")


def to_message(aggregate: Any, event: Any) -> Message | None:
    """The outgoing message of one application event, keyed by the application, carrying the applicant's
    person key (or the first covered person's); a household announces nothing itself (`None`).

    A lead from 12345 or a child-protection case keeps the upstream id as its correlation.
    """
    if not isinstance(aggregate, Application):
        return None
    upstream = aggregate.lead_ref if aggregate.lead_source in _UPSTREAM else None
    return Message(
        contract=application_contract(aggregate, event),
        key=str(aggregate.id),
        correlationid=upstream or str(aggregate.id),
        personkey=aggregate.applicant_personkey or next(iter(aggregate.personkeys), None),
        regioncode=aggregate.region_code,
    )


_UPSTREAM = frozenset({LeadSource.HOTLINE, LeadSource.CHILD_PROTECTION})
