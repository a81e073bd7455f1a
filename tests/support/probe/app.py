"""Probe HTTP API: POST /items writes an item and its event in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from pydantic import BaseModel
from sqlalchemy import insert

from probe.contracts import TOPIC, ItemCreated
from probe.settings import ProbeSettings
from probe.tables import item
from shared.db import make_engine, make_session_factory
from shared.messaging.outbox import add_to_outbox, make_event
from shared.observability.health import database_check, health_router
from shared.observability.tracing import configure_tracing, instrument_fastapi, instrument_sqlalchemy


class ItemIn(BaseModel):
    name: str
    poison: bool = False


def create_app(settings: ProbeSettings | None = None) -> FastAPI:
    settings = settings or ProbeSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, pool_size=5)
        instrument_sqlalchemy(engine)
        app.state.engine = engine
        app.state.sessions = make_session_factory(engine)
        yield
        await engine.dispose()

    configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    app = FastAPI(title="probe", lifespan=lifespan)
    instrument_fastapi(app)

    async def database_ready() -> None:
        await database_check(app.state.engine)()

    app.include_router(health_router({"database": database_ready}))

    @app.post("/items", status_code=201)
    async def create_item(body: ItemIn, request: Request) -> dict[str, str]:
        item_id = uuid.uuid4()
        contract = ItemCreated(item_id=item_id, name=body.name, poison=body.poison)
        async with request.app.state.sessions() as session, session.begin():
            await session.execute(insert(item).values(id=item_id, name=body.name, poison=body.poison))
            event = make_event(contract, source="/probe", subject=str(item_id), correlationid=str(item_id))
            await add_to_outbox(session, event, topic=TOPIC, key=str(item_id))
        return {"id": str(item_id), "event_id": event.id}

    return app
