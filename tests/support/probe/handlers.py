"""The probe's commands and handlers: an item created by the API, one effect row per consumed event."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select

from probe.contracts import TOPIC, ItemCreated
from probe.tables import effect, item, poison_fix
from shared.contracts.envelope import CloudEvent
from shared.kit.commands import Command
from shared.kit.messagebus import Handler
from shared.kit.sql import SqlUnitOfWork
from shared.kit.unit_of_work import Message


@dataclass(frozen=True, kw_only=True)
class CreateItem(Command):
    name: str
    poison: bool = False


@dataclass(frozen=True, kw_only=True)
class RecordEffect(Command):
    event_id: str
    item_id: uuid.UUID
    poison: bool


@dataclass
class Item:
    """The probe's aggregate: created once, its one event staged by the unit of work."""

    id: uuid.UUID
    name: str
    poison: bool
    events: list[ItemCreated]


def to_message(aggregate: Item, event: ItemCreated) -> Message:
    return Message(contract=event, key=str(aggregate.id), correlationid=str(aggregate.id))


class ProbeUnitOfWork(SqlUnitOfWork):
    """No repositories: the probe writes its two tables with Core statements."""

    SOURCE = "/probe"
    TO_MESSAGE = to_message

    def bind(self, session: object) -> None:
        pass


async def create_item(cmd: CreateItem, uow: ProbeUnitOfWork) -> Item:
    created = Item(uuid.uuid4(), cmd.name, cmd.poison, [])
    created.events.append(ItemCreated(item_id=created.id, name=cmd.name, poison=cmd.poison))
    await uow.session.execute(insert(item).values(id=created.id, name=cmd.name, poison=cmd.poison))
    uow.tracker.track(created)
    return created


async def record_effect(cmd: RecordEffect, uow: ProbeUnitOfWork, handler_delay_s: float) -> None:
    if cmd.poison and await uow.session.scalar(select(poison_fix.c.id).limit(1)) is None:
        raise ValueError(f"cannot handle poison item {cmd.item_id}")
    if handler_delay_s:
        await asyncio.sleep(handler_delay_s)
    await uow.session.execute(insert(effect).values(event_id=cmd.event_id, item_id=cmd.item_id))


def to_record_effect(event: CloudEvent) -> RecordEffect:
    data = ItemCreated.model_validate(event.data)
    return RecordEffect(event_id=event.id, item_id=data.item_id, poison=data.poison)


HANDLERS: dict[type[Command], Handler] = {CreateItem: create_item, RecordEffect: record_effect}
ROUTES = {ItemCreated.EVENT_TYPE: to_record_effect}
__all__ = ["HANDLERS", "ROUTES", "TOPIC"]
