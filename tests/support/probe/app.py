"""Probe HTTP API: POST /items writes an item and its event in one transaction (through the bus)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import select

from probe.bootstrap import bootstrap
from probe.handlers import CreateItem, Item
from probe.settings import ProbeSettings
from shared.kit.app import create_service_app
from shared.messaging.tables import outbox_message


class ItemIn(BaseModel):
    name: str
    poison: bool = False


def create_app(settings: ProbeSettings | None = None) -> FastAPI:
    app = create_service_app(settings or ProbeSettings(), bootstrap, title="probe")

    @app.post("/items", status_code=201)
    async def create_item(body: ItemIn, request: Request) -> dict[str, str]:
        runtime = request.app.state.runtime
        created: Item = await runtime.bus.handle(CreateItem(name=body.name, poison=body.poison))
        # The event id is chosen when the outbox row is written: read it back for the tests.
        async with runtime.sessions() as session:
            event_id = await session.scalar(
                select(outbox_message.c.event_id).where(outbox_message.c.key == str(created.id))
            )
        return {"id": str(created.id), "event_id": str(event_id)}

    return app
