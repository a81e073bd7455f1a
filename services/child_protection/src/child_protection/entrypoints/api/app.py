"""The child_protection service's FastAPI app: the JSON API and the caseworkers' pages on the runtime
bootstrap builds."""

from __future__ import annotations

from fastapi import FastAPI

from child_protection.bootstrap import bootstrap
from child_protection.entrypoints.api import case_action_routes, case_routes, child_routes
from child_protection.entrypoints.web import case_action_pages, case_pages, child_file_pages, child_pages
from child_protection.settings import ChildProtectionSettings
from shared.kit.app import create_service_app


def create_app(settings: ChildProtectionSettings | None = None) -> FastAPI:
    """Build the app; nothing is connected until start-up."""
    return create_service_app(
        settings or ChildProtectionSettings(),
        bootstrap,
        title="child_protection · 未成年人保护",
        routers=[
            case_routes.router,
            case_action_routes.router,
            child_routes.router,
            case_pages.router,
            case_action_pages.router,
            child_pages.router,
            child_file_pages.router,
        ],
    )
