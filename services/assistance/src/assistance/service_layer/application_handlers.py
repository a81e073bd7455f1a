"""The steps of an application from 受理 to the decision; 批准 computes the amount with the rules engine
from the household file. Each handler runs in the unit of work the bus opens and commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from assistance.domain import commands
from assistance.domain.application_model import Application
from assistance.domain.benefit_facts import (
    Area,
    HouseholdFacts,
    MemberFacts,
    TekunFacts,
    TemporaryCategory,
    TemporaryFacts,
)
from assistance.domain.benefit_special import tekun_support, temporary_assistance
from assistance.domain.benefits import dibao_benefit
from assistance.domain.errors import ApplicationNotFound, HouseholdNotFound, MissingPrerequisite
from assistance.domain.household import Household
from assistance.domain.household_parts import AssetKind, ExpenditureKind
from assistance.domain.money import ZERO
from assistance.domain.programmes import (
    Programme,
    check_enrolment,
    check_temporary_frequency,
)
from assistance.domain.standards import Standards
from assistance.service_layer.unit_of_work import AssistanceUnitOfWork
from shared.kit.clock import Clock

# SA-16: what counts as the household's financial assets against the per-person ceiling.
_FINANCIAL = frozenset({AssetKind.DEPOSIT, AssetKind.SECURITIES})


@dataclass(frozen=True)
class Approval:
    """The approved application, the amount and the rules engine's lines that explain it."""

    application: Application
    amount: Decimal
    lines: tuple[str, ...]


async def _load(uow: AssistanceUnitOfWork, cmd: commands.ApplicationCommand) -> Application:
    application = await uow.applications.get(cmd.application_id)
    if application is None:
        raise ApplicationNotFound("申请不存在，或不在您的管辖范围内")
    return application


async def _change(
    uow: AssistanceUnitOfWork, cmd: commands.ApplicationCommand, change: Callable[[Application], None]
) -> Application:
    application = await _load(uow, cmd)
    change(application)
    await uow.applications.save(application)
    return application


async def accept_application(
    cmd: commands.AcceptApplication, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(uow, cmd, lambda a: a.accept(cmd.review_level, clock(), cmd.actor))


async def decline_application(
    cmd: commands.DeclineApplication, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(uow, cmd, lambda a: a.decline(cmd.reason, clock(), cmd.actor))


async def request_verification(
    cmd: commands.RequestVerification, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(uow, cmd, lambda a: a.request_verification(cmd.requests, clock(), cmd.actor))


async def record_verification_answer(
    cmd: commands.RecordVerificationAnswer, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(
        uow,
        cmd,
        lambda a: a.record_verification(
            cmd.personkey, cmd.department, cmd.status, clock(), cmd.actor, cmd.note
        ),
    )


async def complete_verification(
    cmd: commands.CompleteVerification, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(uow, cmd, lambda a: a.complete_verification(clock(), cmd.actor))


async def record_home_visit(
    cmd: commands.RecordHomeVisit, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(
        uow, cmd, lambda a: a.record_home_visit(cmd.findings, clock(), cmd.actor, cmd.gap_note)
    )


async def record_appraisal(
    cmd: commands.RecordAppraisal, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(
        uow, cmd, lambda a: a.record_appraisal(cmd.opinion, cmd.participants, clock(), cmd.actor)
    )


async def skip_appraisal(
    cmd: commands.SkipAppraisal, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(uow, cmd, lambda a: a.skip_appraisal(cmd.reason, clock(), cmd.actor))


async def record_review(
    cmd: commands.RecordReview, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(
        uow, cmd, lambda a: a.record_review(cmd.approve, cmd.reason, cmd.level, clock(), cmd.actor)
    )


async def start_publicity(
    cmd: commands.StartPublicity, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(uow, cmd, lambda a: a.start_publicity(clock(), cmd.actor, cmd.days))


async def record_objection(
    cmd: commands.RecordObjection, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    return await _change(
        uow,
        cmd,
        lambda a: a.record_objection(cmd.summary, cmd.handling, cmd.send_back, clock(), cmd.actor),
    )


async def reject(cmd: commands.Reject, uow: AssistanceUnitOfWork, *, clock: Clock) -> Application:
    return await _change(uow, cmd, lambda a: a.reject(cmd.reason, clock(), cmd.actor))


async def withdraw(cmd: commands.Withdraw, uow: AssistanceUnitOfWork, *, clock: Clock) -> Application:
    return await _change(uow, cmd, lambda a: a.withdraw(cmd.reason, clock(), cmd.actor))


# ---- 批准 ----------------------------------------------------------------------------------------------
async def approve(
    cmd: commands.Approve, uow: AssistanceUnitOfWork, *, clock: Clock, standards: Standards
) -> Approval:
    """批准 with the amount the rules give on the standards in force today; refused, with the rules'
    reasons, when the household does not qualify (the caseworker then records 不予批准)."""
    application = await _load(uow, cmd)
    if application.programme is None or application.household_id is None:
        raise MissingPrerequisite("线索须先转为救助申请")
    household = await uow.households.get(application.household_id)
    if household is None:
        raise HouseholdNotFound("申请的家庭档案不存在")
    at = clock()
    on = at.date()
    month = cmd.income_month or _previous_month(on)
    programme = application.programme
    if programme == Programme.TEMPORARY:
        amount, lines = await _temporary(cmd, uow, application, household, standards, on)
    else:
        # Another application may have been approved for these people since this one was registered.
        others = await uow.applications.active_for_personkeys(application.personkeys)
        check_enrolment(programme, application.personkeys, others, application_id=application.id)
        amount, lines = _regular(cmd, application, household, standards, on, month)
    application.approve(amount, cmd.reason, at, cmd.actor)
    await uow.applications.save(application)
    return Approval(application, amount, lines)


def _regular(
    cmd: commands.Approve,
    application: Application,
    household: Household,
    standards: Standards,
    on: date,
    month: date,
) -> tuple[Decimal, tuple[str, ...]]:
    if application.programme == Programme.DIBAO:
        dibao = dibao_benefit(household_facts(household, application.region_code, on, month), standards, on)
        _require_eligible(dibao.eligible, dibao.refusals)
        return dibao.amount, dibao.lines
    if cmd.tekun is None:
        raise MissingPrerequisite("批准特困供养须填写生活自理能力")
    person = next((m for m in household.members if m.personkey == application.personkeys[0]), None)
    if person is None:
        raise MissingPrerequisite("特困供养对象不在家庭档案中")
    facts = TekunFacts(
        application.region_code,
        _area(household),
        person.age_on(on),
        cmd.tekun.self_care,
        centralised=cmd.tekun.centralised,
        disabled=person.disabled,
        label=person.name,
    )
    tekun = tekun_support(facts, standards, on)
    _require_eligible(tekun.eligible, tekun.refusals)
    return tekun.amount, tekun.lines


async def _temporary(
    cmd: commands.Approve,
    uow: AssistanceUnitOfWork,
    application: Application,
    household: Household,
    standards: Standards,
    on: date,
) -> tuple[Decimal, tuple[str, ...]]:
    needs = cmd.temporary
    if needs is None or application.temporary_kind is None:
        raise MissingPrerequisite("批准临时救助须填写救助档次、对象和保障月数")
    grants = await uow.applications.temporary_grants(household.id, on.year)
    check_temporary_frequency(
        household.id,
        on,
        grants,
        application_id=application.id,
        special_deliberation=needs.special_deliberation,
    )
    facts = TemporaryFacts(
        application.region_code,
        _area(household),
        TemporaryCategory(application.temporary_kind.value),
        needs.tier,
        needs.recipient,
        len(application.personkeys),
        needs.months,
        advance_requested=needs.advance_requested,
    )
    result = temporary_assistance(facts, standards, on)
    return result.amount, result.lines


def _require_eligible(eligible: bool, refusals: tuple[str, ...]) -> None:
    if not eligible:
        raise MissingPrerequisite(f"按救助标准核算不符合条件，请作出不予批准决定：{'；'.join(refusals)}")


def _previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _area(household: Household) -> Area:
    return Area.RURAL if household.rural else Area.URBAN


def household_facts(household: Household, region: str, on: date, month: date) -> HouseholdFacts:
    """The household file as the 低保 rules read it: each member's income and deductions of `month`."""
    members = []
    for index, m in enumerate(household.members):
        spent = [e for e in household.expenditures if e.month == month]
        # The rules add every member's deductions up; a cost of the whole household is put on the first.
        own = [e for e in spent if e.member_id == m.member_id or (index == 0 and e.member_id is None)]
        members.append(
            MemberFacts(
                m.age_on(on),
                monthly_income=sum(
                    (i.amount for i in household.incomes if i.member_id == m.member_id and i.month == month),
                    ZERO,
                ),
                disability_grade=m.disability_grade,
                serious_illness=m.serious_illness,
                student=m.student,
                rigid_expenditure=sum((e.amount for e in own if e.kind != ExpenditureKind.WORK_COST), ZERO),
                employment_cost=sum((e.amount for e in own if e.kind == ExpenditureKind.WORK_COST), ZERO),
                relies_on_family=m.relies_on_family,
                can_register_separately=m.can_register_separately,
                label=m.name,
            )
        )
    return HouseholdFacts(
        region,
        _area(household),
        tuple(members),
        financial_assets=sum((a.value for a in household.assets if a.kind in _FINANCIAL), ZERO),
        single_parent=any(m.single_parent for m in household.members),
        only_child=household.only_child,
        all_daughters=household.all_daughters,
        landless=household.landless,
    )
