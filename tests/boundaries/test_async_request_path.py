"""Every endpoint and dependency of every service is a coroutine: FastAPI runs a plain `def` in a worker
thread on each request, a thread hop that costs more than most of our dependencies do."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from shared.stack.paths import project_root
from shared.stack.services import built_services


def _sync_calls(dependant: Dependant, path: str) -> list[str]:
    found = []
    call = dependant.call
    if call is not None and not inspect.iscoroutinefunction(call):
        found.append(f"{path}: {getattr(call, '__qualname__', call)!r}")
    for sub in dependant.dependencies:
        found += _sync_calls(sub, path)
    return found


@pytest.mark.parametrize("service", [s.name for s in built_services(project_root())])
def test_no_route_of_the_service_calls_plain_functions_per_request(service: str) -> None:
    app: Any = importlib.import_module(f"{service}.entrypoints.api.app").create_app()
    routes = [r for r in app.routes if isinstance(r, APIRoute)]
    assert routes
    sync = [found for r in routes for found in _sync_calls(r.dependant, f"{sorted(r.methods)} {r.path}")]
    assert sync == []


def test_a_plain_function_dependency_is_found() -> None:
    from fastapi import Depends, FastAPI

    def plain() -> int:
        return 1

    async def wrapped(value: int = Depends(plain)) -> int:
        return value

    app = FastAPI()

    @app.get("/x")
    async def endpoint(value: int = Depends(wrapped)) -> int:
        return value

    route = next(r for r in app.routes if isinstance(r, APIRoute))
    found = _sync_calls(route.dependant, "GET /x")
    assert len(found) == 1 and "plain" in found[0]
