"""The intake service's FastAPI app: the 12345 API and the intake desk on the runtime bootstrap builds."""

from __future__ import annotations

from fastapi import FastAPI

from intake.bootstrap import bootstrap
from intake.entrypoints.api import routes
from intake.entrypoints.web import routing_pages, work_order_pages
from intake.settings import IntakeSettings
from shared.kit.app import create_service_app


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """Build the app; nothing is connected until start-up."""
    return create_service_app(
        settings or IntakeSettings(),
        bootstrap,
        title="intake · 一门受理",
        routers=[routes.router, work_order_pages.router, routing_pages.router],
        # The webhook lists unstorable strings together with the schema errors of the same body.
        own_string_checks=(routes.router.prefix,),
    )
