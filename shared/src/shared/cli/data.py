"""`casework migration | crypto | audit`: the data of the services' databases (their tables, keys, audit)."""

from __future__ import annotations

import asyncio
import importlib
import os
from typing import Annotated

import typer

from shared.audit import ChainReport
from shared.audit import verify as verify_chain
from shared.crypto import FieldCipher, new_key
from shared.db import make_engine
from shared.settings import ServiceSettings
from shared.stack.migrations import check_migrations, new_migration
from shared.stack.reencrypt import reencrypt
from shared.stack.stack import local_stack

migration_app = typer.Typer(help="Database migrations generated from the tables", no_args_is_help=True)
crypto_app = typer.Typer(help="Data keys: new keys, re-encryption after a rotation", no_args_is_help=True)
audit_app = typer.Typer(help="The access log: verify its hash chain", no_args_is_help=True)


@migration_app.command("new")
def migration_new(
    service: Annotated[str, typer.Argument(help="Service folder name, e.g. intake")],
    message: Annotated[str, typer.Option("-m", "--message", help="What changed")],
) -> None:
    """Generate a migration from the service's SQLModel tables (on a scratch database of the local stack)."""
    typer.echo(new_migration(service, message))


@migration_app.command("check")
def migration_check() -> None:
    """Fail when any service's tables differ from what its migrations build."""
    drift = check_migrations()
    for service, text in drift.items():
        typer.echo(f"{service}: tables and migrations differ\n{text}", err=True)
    if drift:
        raise typer.Exit(1)
    typer.echo("every service's migrations match its tables")


@crypto_app.command("new-key")
def crypto_new_key(
    sm4: Annotated[
        bool, typer.Option("--sm4", help="An SM4-GCM key (GB/T 32907) instead of AES (Fernet)")
    ] = False,
) -> None:
    """Print a fresh data key for `<SERVICE>_DATA_KEY` (the old one goes to `…_DATA_KEYS_PREVIOUS`)."""
    typer.echo(new_key("sm4" if sm4 else "fernet"))


@crypto_app.command("reencrypt")
def crypto_reencrypt(
    service: Annotated[str, typer.Argument(help="Service folder name, e.g. intake")],
    database_url: Annotated[
        str | None, typer.Option(help="default: the service's settings, else the local stack")
    ] = None,
) -> None:
    """Rewrite every encrypted field of a service's database under its current data key."""
    settings = service_settings(service)
    url = database_url or (
        settings.database_url
        if f"{service.upper()}_DATABASE_URL" in os.environ
        else local_stack().postgres.uri(service)
    )
    rewritten = asyncio.run(reencrypt(url, FieldCipher.from_settings(settings)))
    for column, count in rewritten.items():
        typer.echo(f"{column:<40} {count} value(s) re-encrypted")
    typer.echo(
        f"{sum(rewritten.values())} value(s) now under key {FieldCipher.from_settings(settings).current.kid}"
    )


@audit_app.command("verify")
def audit_verify(
    service: Annotated[str, typer.Argument(help="Service folder name, e.g. child_protection")],
    database_url: Annotated[
        str | None, typer.Option(help="default: its settings, else the local stack")
    ] = None,
) -> None:
    """Recompute the access log's hash chain; exit 1 naming the first entry that was edited or removed."""
    url = database_url or _service_database(service)
    report = asyncio.run(_verify_chain(url))
    if report.intact:
        typer.echo(f"access log of {service}: {report.checked} entries, chain intact")
        return
    typer.echo(
        f"access log of {service}: chain broken at entry {report.broken_at}: {report.problem} "
        f"({report.checked} entries before it are intact)",
        err=True,
    )
    raise typer.Exit(1)


async def _verify_chain(url: str) -> ChainReport:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await verify_chain(conn)
    finally:
        await engine.dispose()


def _service_database(service: str) -> str:
    settings = service_settings(service)
    configured = f"{service.upper()}_DATABASE_URL" in os.environ
    return settings.database_url if configured else local_stack().postgres.uri(service)


def service_settings(service: str) -> ServiceSettings:
    """A service's settings from the environment, its class found by name at run time (no import here)."""
    module = importlib.import_module(f"{service}.settings")
    classes = [
        c
        for c in vars(module).values()
        if isinstance(c, type) and issubclass(c, ServiceSettings) and c is not ServiceSettings
    ]
    if len(classes) != 1:
        raise typer.BadParameter(f"no settings class in {service}.settings")
    return classes[0]()
