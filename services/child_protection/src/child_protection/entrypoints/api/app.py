"""The child_protection service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from child_protection.domain.deadlines import merge_rules
from child_protection.entrypoints.api.register_routes import router as register_api_router
from child_protection.entrypoints.api.routes import router as api_router
from child_protection.entrypoints.web.pages import router as pages_router
from child_protection.entrypoints.web.register_pages import router as register_pages_router
from child_protection.settings import ChildProtectionSettings
from shared.crypto import FieldCipher
from shared.service_app import create_service_app


def create_app(settings: ChildProtectionSettings | None = None) -> FastAPI:
    """Build the app; nothing is connected until start-up."""
    settings = settings or ChildProtectionSettings()
    app = create_service_app(settings, title="child_protection · 未成年人保护")
    app.state.cipher = FieldCipher(settings.data_key.get_secret_value())
    app.state.deadline_rules = merge_rules(settings.deadlines)
    app.include_router(api_router)
    app.include_router(register_api_router)
    app.include_router(pages_router)
    app.include_router(register_pages_router)
    return app
