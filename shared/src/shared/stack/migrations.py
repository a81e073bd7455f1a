"""Alembic migrations generated from a service's SQLModel tables, and the check that none is missing.

`casework migration new <service> -m "what changed"` migrates a scratch database to head and lets Alembic
compare it with the tables declared in code; `casework migration check` fails when any service's tables
differ from what its migrations build (the same check the suite runs).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg

from shared.stack.paths import StackPaths, project_root
from shared.stack.postgres import Postgres, asyncpg_dsn
from shared.stack.services import SERVICES, ServiceSpec

SCRATCH = "casework_migration_scratch"


def migrated_services(root: Path) -> list[ServiceSpec]:
    """Services with migrations (an `alembic.ini`), started by the stack or still being built."""
    return [s for s in SERVICES if (s.folder(root) / "alembic.ini").exists()]


def _alembic(spec: ServiceSpec, root: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, f"{spec.env_prefix}DATABASE_URL": url}
    ini = spec.folder(root) / "alembic.ini"
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ini), *args],
        env=env,
        cwd=spec.folder(root),
        capture_output=True,
        text=True,
    )


async def _recreate(admin_url: str, name: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _scratch(postgres: Postgres, spec: ServiceSpec, root: Path) -> str:
    if not postgres.running():
        postgres.start()
    asyncio.run(_recreate(postgres.uri(), SCRATCH))
    url = postgres.uri(SCRATCH)
    upgraded = _alembic(spec, root, url, "upgrade", "head")
    if upgraded.returncode != 0:
        raise RuntimeError(f"{spec.name}: upgrade failed\n{upgraded.stderr}")
    return url


def new_migration(service: str, message: str, *, instance: str = "local") -> str:
    """Write a migration for what the tables declare beyond the current head; returns Alembic's output."""
    root = project_root()
    spec = next(s for s in migrated_services(root) if s.name == service)
    url = _scratch(Postgres(StackPaths(root, instance)), spec, root)
    made = _alembic(spec, root, url, "revision", "--autogenerate", "-m", message)
    if made.returncode != 0:
        raise RuntimeError(f"{service}: autogenerate failed\n{made.stderr}")
    return made.stdout + made.stderr


def check_migrations(postgres: Postgres | None = None) -> dict[str, str]:
    """Each service whose tables differ from its migrations, with Alembic's description of the difference."""
    root = project_root()
    postgres = postgres or Postgres(StackPaths(root, "local"))
    drift: dict[str, str] = {}
    for spec in migrated_services(root):
        url = _scratch(postgres, spec, root)
        checked = _alembic(spec, root, url, "check")
        if checked.returncode != 0:
            drift[spec.name] = (checked.stdout + checked.stderr).strip()
    return drift
