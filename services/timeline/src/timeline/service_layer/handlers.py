"""timeline's command handlers; each runs in the unit of work the bus opens and commits."""

from __future__ import annotations

from shared.kit.clock import Clock
from shared.kit.commands import Command
from shared.kit.messagebus import Handler
from timeline.domain import commands
from timeline.domain.entry import LinkAction, ProjectedEntry
from timeline.domain.errors import AlreadyLinked, NotLinked, PersonNotFound, SamePerson
from timeline.domain.links import LinkRow, correction, declared_links, directly_linked
from timeline.service_layer.projection import entry_of
from timeline.service_layer.unit_of_work import TimelineUnitOfWork


async def project_event(cmd: commands.ProjectEvent, uow: TimelineUnitOfWork) -> ProjectedEntry:
    """One event (the consumer's record-by-record path): an unknown type is projected too, never refused."""
    entry = entry_of(cmd)
    await uow.entries.add([entry])
    await uow.links.add(declared_links(entry, cmd.event.data))
    return entry


async def project_batch(cmd: commands.ProjectBatch, uow: TimelineUnitOfWork) -> int:
    """A partition's events in one transaction; returns how many were projected (redeliveries included)."""
    entries = [entry_of(c) for c in cmd.events]
    await uow.entries.add(entries)
    links = [row for e, c in zip(entries, cmd.events, strict=True) for row in declared_links(e, c.event.data)]
    await uow.links.add(links)
    return len(entries)


async def _correct(
    cmd: commands.CorrectLink, action: LinkAction, uow: TimelineUnitOfWork, clock: Clock
) -> LinkRow:
    if cmd.one == cmd.other:
        raise SamePerson("不能将同一个人员标识与自身关联")
    for key in (cmd.one, cmd.other):
        if not await uow.entries.visible_to(key, cmd.viewer):
            raise PersonNotFound("未找到该人员，或不在您的管辖范围内")
    linked = directly_linked(await uow.links.touching([cmd.one]), cmd.one, cmd.other)
    if action == "unlink" and not linked:
        raise NotLinked("这两个人员标识当前没有直接关联，无需解除")
    if action == "link" and linked:
        raise AlreadyLinked("这两个人员标识已经关联")
    row = correction(action, cmd.one, cmd.other, actor=cmd.actor, reason=cmd.reason, at=clock())
    await uow.links.add([row])
    return row


async def link_persons(cmd: commands.LinkPersons, uow: TimelineUnitOfWork, clock: Clock) -> LinkRow:
    """Two keys the caller can see are the same person: both timelines merge."""
    return await _correct(cmd, "link", uow, clock)


async def unlink_persons(cmd: commands.UnlinkPersons, uow: TimelineUnitOfWork, clock: Clock) -> LinkRow:
    """Two directly linked keys are not the same person: the timelines split again."""
    return await _correct(cmd, "unlink", uow, clock)


HANDLERS: dict[type[Command], Handler] = {
    commands.ProjectEvent: project_event,
    commands.ProjectBatch: project_batch,
    commands.LinkPersons: link_persons,
    commands.UnlinkPersons: unlink_persons,
}
