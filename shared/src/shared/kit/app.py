"""The FastAPI app every service builds: logging, tracing, metrics, health, auth, problem+json, and the
runtime its `bootstrap()` builds at start-up (never at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.auth.deps import install_auth
from shared.db import make_engine, make_session_factory
from shared.kit.guard import InputGuard
from shared.kit.messagebus import MessageBus
from shared.kit.runtime import Bootstrap, Runtime
from shared.observability.health import Check, database_check, health_router, kafka_check
from shared.observability.logging import configure_logging
from shared.observability.metrics import get_metrics, install_metrics
from shared.observability.tracing import configure_tracing, instrument_fastapi, instrument_sqlalchemy
from shared.settings import ServiceSettings

R = TypeVar("R", bound=Runtime[Any])


def create_service_app(
    settings: ServiceSettings,
    bootstrap: Bootstrap,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    extra_checks: Mapping[str, Check] | None = None,
    own_string_checks: tuple[str, ...] = (),
) -> FastAPI:
    """A service's app; its runtime is on `app.state.runtime` once started. `own_string_checks`: path
    prefixes whose routes check unstorable strings in their raw body themselves (see kit/guard.py)."""
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(
        settings.service_name,
        settings.otel_exporter_otlp_endpoint,
        sampling_ratio=settings.otel_sampling_ratio,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        instrument_sqlalchemy(engine)
        app.state.engine = engine
        app.state.runtime = bootstrap(settings, make_session_factory(engine))
        yield
        await engine.dispose()

    docs = settings.environment != "production" or settings.api_docs_in_production
    app = FastAPI(
        title=title,
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    # A trailing-slash redirect would answer API clients with an empty 307 instead of a problem.
    app.router.redirect_slashes = False
    app.state.settings = settings
    instrument_fastapi(app)
    app.add_middleware(
        InputGuard, max_body_bytes=settings.max_body_bytes, own_string_checks=own_string_checks
    )
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    install_metrics(app, get_metrics(settings.service_name), token=token)
    install_auth(app, settings)

    async def database_ready() -> None:
        engine: AsyncEngine = app.state.engine
        await database_check(engine)()

    checks: dict[str, Check] = {
        "database": database_ready,
        "kafka": kafka_check(settings.kafka_bootstrap_servers),
    }
    checks.update(extra_checks or {})
    app.include_router(health_router(checks))
    for router in routers:
        app.include_router(router)
    return app


def get_runtime(request: Request) -> Runtime[Any]:
    """The runtime of the app serving this request."""
    runtime: Runtime[Any] = request.app.state.runtime
    return runtime


def runtime_of(kind: type[R]) -> Callable[[Request], Awaitable[R]]:
    """A dependency giving the app's runtime as the service's own runtime class."""

    # Async, so FastAPI calls it on the event loop instead of handing it to a worker thread per request.
    async def dependency(request: Request) -> R:
        runtime = get_runtime(request)
        assert isinstance(runtime, kind)
        return runtime

    return dependency


async def get_bus(request: Request) -> MessageBus:
    return get_runtime(request).bus


BusDep = Annotated[MessageBus, Depends(get_bus)]


def json_body(content: Any, status_code: int = 200) -> Response:
    """A body already in its response model's shape (strings, numbers, lists, dicts), written by orjson:
    FastAPI would validate it against the model again and serialise it more slowly (a timeline page of 50
    entries). The route keeps `response_model` for its documentation."""
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json")
