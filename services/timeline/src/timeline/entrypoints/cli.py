"""`casework timeline …`: the timeline's subcommands, added to the shared CLI through an entry point."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Annotated, Any

import typer

from shared.observability.logging import configure_logging
from timeline.service_layer.rebuild import RebuildRefused, rebuild
from timeline.settings import TimelineSettings


def _configured(*names: str) -> bool:
    return any(name in os.environ for name in names)


def rebuild_settings(database_url: str | None = None, bootstrap: str | None = None) -> TimelineSettings:
    """The timeline's settings; unless TIMELINE_/CASEWORK_ variables say otherwise, the local stack's."""
    overrides: dict[str, Any] = {}
    if database_url:
        overrides["database_url"] = database_url
    if bootstrap:
        overrides["kafka_bootstrap_servers"] = bootstrap
    if not database_url and not _configured("TIMELINE_DATABASE_URL", "CASEWORK_DATABASE_URL"):
        from shared.stack.stack import local_stack

        overrides["database_url"] = local_stack().postgres.uri("timeline")
    if not bootstrap and not _configured(
        "TIMELINE_KAFKA_BOOTSTRAP_SERVERS", "CASEWORK_KAFKA_BOOTSTRAP_SERVERS"
    ):
        from shared.stack.stack import local_stack

        overrides["kafka_bootstrap_servers"] = local_stack().kafka.bootstrap
    return TimelineSettings(**overrides)


def rebuild_command(
    *,
    database_url: str | None = None,
    bootstrap: str | None = None,
    accept_changes: bool = False,
    say: Callable[[str], None] = print,
) -> int:
    """Run a rebuild and print its progress; the exit code is 0 only when the rebuilt table was swapped in."""
    settings = rebuild_settings(database_url, bootstrap)
    configure_logging(settings.service_name, "WARNING")
    try:
        report = asyncio.run(rebuild(settings, accept_changes=accept_changes, say=say))
    except RebuildRefused as exc:
        say(f"not rebuilt: {exc}")
        return 1
    return 0 if report.swapped else 1


app = typer.Typer(help="The timeline projection: rebuild it from Kafka", no_args_is_help=True)


@app.command("rebuild")
def timeline_rebuild(
    accept_changes: Annotated[
        bool,
        typer.Option(
            "--accept-changes", help="Swap even if entries differ from live (after a renderer changed)"
        ),
    ] = False,
    database_url: Annotated[
        str | None, typer.Option(help="timeline database (default: TIMELINE_DATABASE_URL or the local stack)")
    ] = None,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap servers")] = None,
) -> None:
    """Replay every domain topic into a fresh table while the live projection serves, check it against
    the live one, swap it in atomically; prints events per second."""
    code = rebuild_command(
        database_url=database_url, bootstrap=bootstrap, accept_changes=accept_changes, say=typer.echo
    )
    raise typer.Exit(code)
