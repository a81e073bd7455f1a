"""Async engine, session factory and Alembic helpers; built at start-up, never at import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, Table
from sqlalchemy import types as sa_types
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """A MetaData with the project's constraint naming convention."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Any]) -> Table:
    """The Core table of a SQLModel table class (for Core statements on hot paths and in migrations)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def json_dumps(value: Any) -> str:
    """JSONB values as orjson writes them: dataclasses, datetimes, dates, UUIDs and enums included."""
    return orjson.dumps(value).decode()


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    """An asyncpg engine; JSONB through orjson, so an aggregate's nested dataclasses are stored as they are.

    No ping before each checkout (a round trip per transaction): a connection PostgreSQL dropped fails on
    first use, which invalidates the pool, and the bus runs the command again (`retryable`).
    """
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_recycle=1800,
        echo=echo,
        json_serializer=json_dumps,
        json_deserializer=orjson.loads,
    )


# A database session: one pooled connection used through SQLAlchemy Core. Not the ORM's Session: the
# service's unit of work is ours, and the ORM layer cost about a third of every statement's CPU.
Sessions = Callable[[], AsyncConnection]


def make_session_factory(engine: AsyncEngine) -> Sessions:
    """Opens a session (`async with sessions() as s`): it begins on first use, rolls back unless committed."""
    return engine.connect


def alembic_config(ini_path: Path, database_url: str) -> Config:
    """An Alembic config for a service's `alembic.ini`, pointed at `database_url`."""
    cfg = Config(str(ini_path))
    cfg.set_main_option("script_location", str(ini_path.parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade_to_head(ini_path: Path, database_url: str) -> None:
    """Apply every migration of one service."""
    command.upgrade(alembic_config(ini_path, database_url), "head")


def _same_type(
    context: Any, inspected_column: Any, metadata_column: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    """Alembic's type comparison, except that PostgreSQL's TEXT and an unbounded VARCHAR (what SQLModel
    declares for `str`) are the same type: no migration should rewrite one into the other."""
    if isinstance(metadata_type, sa_types.TypeDecorator):
        metadata_type = metadata_type.impl_instance
    unbounded = (sa_types.Text, sa_types.String)
    if (
        isinstance(metadata_type, unbounded)
        and getattr(metadata_type, "length", None) is None
        and isinstance(inspected_type, unbounded)
        and getattr(inspected_type, "length", None) is None
    ):
        return False
    if isinstance(metadata_type, sa_types.DateTime) and isinstance(inspected_type, sa_types.DateTime):
        return bool(metadata_type.timezone) != bool(inspected_type.timezone)
    return None


def _render_item(kind: str, item: Any, autogen_context: Any) -> str | bool:
    """New migrations name plain SQLAlchemy types, so they need no SQLModel import."""
    if kind == "type" and isinstance(item, sa_types.TypeDecorator):
        impl = item.impl_instance
        if isinstance(impl, sa_types.DateTime):
            return f"sa.DateTime(timezone={bool(impl.timezone)})"
        if isinstance(impl, sa_types.String):
            return "sa.Text()" if impl.length is None else f"sa.String({impl.length})"
    return False


def run_alembic_env(target_metadata: list[MetaData], default_url: str) -> None:
    """Body of every service's migrations/env.py: offline SQL or online through asyncpg."""
    import asyncio

    from alembic import context
    from sqlalchemy.pool import NullPool

    url = context.config.get_main_option("sqlalchemy.url") or default_url
    options: dict[str, Any] = {
        "target_metadata": target_metadata,
        "compare_type": _same_type,
        "render_item": _render_item,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return

    def run(connection: object) -> None:
        context.configure(connection=connection, **options)  # type: ignore[arg-type]
        with context.begin_transaction():
            context.run_migrations()

    async def online() -> None:
        engine = create_async_engine(url, poolclass=NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(online())
