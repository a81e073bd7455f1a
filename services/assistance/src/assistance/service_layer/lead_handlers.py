"""Opening files: leads from 12345 and child protection, the window's registration, and household changes
with the programme re-checks they call for; each handler runs in the unit of work the bus commits."""

from __future__ import annotations

import uuid

from assistance.domain import commands
from assistance.domain.application_model import Application
from assistance.domain.application_parts import SYSTEM, AlertKind, LeadSource
from assistance.domain.errors import HouseholdNotFound, MissingPrerequisite
from assistance.domain.household import Household
from assistance.domain.programmes import (
    SHORT_LABELS,
    Programme,
    Recheck,
    check_enrolment,
    check_jurisdiction,
    programmes_to_recheck,
)
from assistance.domain.stages import Stage
from assistance.service_layer.unit_of_work import AssistanceUnitOfWork
from shared.kit.clock import Clock

# `Application.raise_alert` takes alerts only on benefits being paid (SA-114); an application still
# before its decision is re-checked by its caseworker from the returned list instead.
_ALERTABLE = frozenset({Stage.PAYING, Stage.MANAGED, Stage.SUSPENDED})


async def open_lead_from_hotline(
    cmd: commands.OpenLeadFromHotline, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    """A lead per 12345 work order: a redelivery (or a re-routing) returns the lead opened the first time."""
    source_ref = str(cmd.work_order_id)
    existing = await uow.applications.get_by_lead_ref(source_ref)
    if existing is not None:
        return existing
    at = clock()
    # Work orders name the township or village; the application belongs to its county.
    county = cmd.region_code[:6]
    urgent = "（紧急）" if cmd.urgency == "urgent" else ""
    summary = f"12345工单{cmd.order_no}{urgent}，诉求分类{cmd.category_code}：{cmd.summary}"
    lead = Application.open_lead(
        uuid.uuid4(),
        await uow.applications.next_case_ref(county, at.year),
        county,
        LeadSource.HOTLINE,
        summary,
        at,
        SYSTEM,
        source_ref=source_ref,
        personkeys=cmd.personkeys,
    )
    await uow.applications.add(lead)
    return lead


async def open_lead_from_referral(
    cmd: commands.OpenLeadFromReferral, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    """A lead per child-protection case while it is open; a case referred again after its lead was closed
    opens a new one."""
    source_ref = str(cmd.case_id)
    existing = await uow.applications.get_by_lead_ref(source_ref)
    if existing is not None and existing.is_open:
        return existing
    at = clock()
    county = cmd.region_code[:6]
    lead = Application.open_lead(
        uuid.uuid4(),
        await uow.applications.next_case_ref(county, at.year),
        county,
        LeadSource.CHILD_PROTECTION,
        f"未成年人保护案件{cmd.case_ref}转介：{cmd.reason}",
        at,
        cmd.actor,
        source_ref=source_ref,
        personkeys=cmd.personkeys,
    )
    await uow.applications.add(lead)
    return lead


async def register_application(
    cmd: commands.RegisterApplication, uow: AssistanceUnitOfWork, *, clock: Clock
) -> Application:
    """申请 with a new household file, refused outside the county's jurisdiction or across 低保/特困."""
    at = clock()
    household = Household(
        uuid.uuid4(),
        cmd.township_code[:6],
        cmd.township_code,
        cmd.hukou_code,
        cmd.residence_code,
        residence_permit=cmd.residence_permit,
        rural=cmd.rural,
        only_child=cmd.only_child,
        all_daughters=cmd.all_daughters,
        landless=cmd.landless,
        members=list(cmd.members),
        incomes=list(cmd.incomes),
        assets=list(cmd.assets),
        expenditures=list(cmd.expenditures),
    )
    applicant = household.applicant
    if applicant is None:
        raise MissingPrerequisite("请在家庭成员中登记申请人")
    check_jurisdiction(
        household,
        cmd.region_code,
        cmd.programme,
        temporary_kind=cmd.temporary_kind,
        incident_code=cmd.incident_code,
    )
    personkeys = cmd.personkeys or (
        (applicant.personkey,) if cmd.programme == Programme.TEKUN else household.personkeys
    )
    check_enrolment(cmd.programme, personkeys, await uow.applications.active_for_personkeys(personkeys))
    application = Application.apply(
        uuid.uuid4(),
        await uow.applications.next_case_ref(cmd.region_code, at.year),
        cmd.region_code,
        cmd.programme,
        household.id,
        applicant.personkey,
        personkeys,
        at,
        cmd.actor,
        temporary_kind=cmd.temporary_kind,
    )
    await uow.households.add(household)
    await uow.applications.add(application)
    return application


async def change_household(
    cmd: commands.ChangeHousehold, uow: AssistanceUnitOfWork, *, clock: Clock
) -> list[Recheck]:
    """Apply the changes to the household file; the household's applications they touch are returned, and
    those being paid get a 防错 alert."""
    household = await uow.households.get(cmd.household_id)
    if household is None:
        raise HouseholdNotFound("家庭档案不存在，或不在您的管辖范围内")
    at, actor = clock(), cmd.actor.id
    # A member who leaves may be covered by an application of this household: look them up too.
    people = set(household.personkeys)
    for member in cmd.add_members:
        household.add_member(member, at, actor)
    for member_id in cmd.remove_members:
        household.remove_member(member_id, cmd.removal_reason, at, actor)
    for item in cmd.incomes:
        household.record_income(item, at, actor)
    for item_id in cmd.removed_incomes:
        household.remove_income(item_id, at, actor)
    if not household.changes:
        raise MissingPrerequisite("请填写家庭档案的变更内容")
    kinds = [change.kind for change in household.changes]
    household.changes.clear()
    await uow.households.save(household)
    people.update(household.personkeys)
    coverages = await uow.applications.active_for_personkeys(sorted(people))
    rechecks = programmes_to_recheck(kinds, (c for c in coverages if c.household_id == household.id))
    for recheck in rechecks:
        application = await uow.applications.get(recheck.application_id)
        if application is None or application.stage not in _ALERTABLE:
            continue
        why = "、".join(recheck.reasons)
        application.raise_alert(
            AlertKind.WRONG_INCLUSION,
            f"家庭档案变更（{why}），请重新核定{SHORT_LABELS[recheck.programme]}待遇",
            at,
            cmd.actor,
        )
        await uow.applications.save(application)
    return rechecks
