"""The intake service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from intake.entrypoints.api.routes import router as hotline_router
from intake.entrypoints.web.pages import router as pages_router
from intake.settings import IntakeSettings
from shared.crypto import FieldCipher
from shared.service_app import create_service_app


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """Build the app; nothing is connected until start-up."""
    settings = settings or IntakeSettings()
    app = create_service_app(settings, title="intake · 一门受理")
    app.state.cipher = FieldCipher(settings.data_key.get_secret_value())
    app.include_router(hotline_router)
    app.include_router(pages_router)
    return app
