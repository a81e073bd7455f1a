"""`casework`: run the local stack, print development tokens, inspect topics and dead letters."""

from __future__ import annotations

import asyncio
import sys
from importlib.metadata import entry_points
from typing import Annotated

import typer

from shared.auth.principal import Program, Role
from shared.auth.tokens import issue_dev_token
from shared.cli import data
from shared.messaging.admin import describe_topics, ensure_topics
from shared.messaging.dlq_tools import read_dead_letters, replay_dead_letters
from shared.settings import get_settings
from shared.stack.stack import local_stack

app = typer.Typer(help="民政业务平台 casework platform command line", no_args_is_help=True)
dlq_app = typer.Typer(help="Dead-letter topics: list and replay", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
app.add_typer(data.migration_app, name="migration")
app.add_typer(data.crypto_app, name="crypto")
app.add_typer(data.audit_app, name="audit")


def _bootstrap(explicit: str | None) -> str:
    return explicit or get_settings().kafka_bootstrap_servers


@app.command()
def up() -> None:
    """Start Kafka, PostgreSQL and every built service (API + worker); idempotent."""
    try:
        local_stack().up()
    except Exception as exc:
        typer.echo(f"casework up failed: {exc}", err=True)
        raise typer.Exit(1) from exc


@app.command()
def down() -> None:
    """Stop everything `up` started, and nothing else."""
    local_stack().down()


@app.command()
def status() -> None:
    """Show each component; exits 1 if anything crashed."""
    rows = local_stack().status()
    for name, state in rows:
        typer.echo(f"{name:<26} {state}")
    if any("CRASHED" in state for _, state in rows):
        raise typer.Exit(1)


@app.command()
def token(
    role: Annotated[list[Role], typer.Option("--role", help="Role (repeatable)")],
    region: Annotated[str, typer.Option(help="Region scope, GB/T 2260 code")],
    program: Annotated[list[Program] | None, typer.Option("--program", help="Program (repeatable)")] = None,
    name: Annotated[str, typer.Option(help="Display name")] = "开发用户",
    sub: Annotated[str | None, typer.Option(help="Subject id")] = None,
) -> None:
    """Print a development bearer token; the token is the last line."""
    programs = program or list(Program)
    typer.echo(
        f"# {name}: roles={[r.value for r in role]} region={region} programs={[p.value for p in programs]}"
    )
    typer.echo(
        issue_dev_token(
            get_settings(),
            sub=sub or f"dev-{role[0].value}-{region}",
            name=name,
            roles=role,
            region=region,
            programs=programs,
        )
    )


@app.command()
def topics(
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap servers")] = None,
    ensure: Annotated[
        bool, typer.Option("--ensure", help="First create the platform's missing topics")
    ] = False,
) -> None:
    """List the topics on the broker with their partition counts."""
    if ensure:
        created = asyncio.run(ensure_topics(_bootstrap(bootstrap), local_stack().topics()))
        typer.echo(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    for topic, partitions in sorted(asyncio.run(describe_topics(_bootstrap(bootstrap))).items()):
        typer.echo(f"{topic:<40} {partitions} partition(s)")


@dlq_app.command("list")
def dlq_list(
    group: Annotated[str, typer.Argument(help="Consumer group, e.g. timeline")],
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap servers")] = None,
) -> None:
    """Show the dead letters of one consumer group."""
    letters, replayed = asyncio.run(read_dead_letters(_bootstrap(bootstrap), group))
    for d in letters:
        mark = "replayed" if d.offset < replayed else "pending "
        typer.echo(
            f"{d.offset:>6} {mark} {d.header('ce_type') or '?':<40} id={d.header('ce_id') or '?'} "
            f"from={d.header('x-original-topic')}@{d.header('x-original-offset')} "
            f"error={d.header('x-exception-type')}: {(d.header('x-exception-message') or '')[:120]}"
        )
    typer.echo(f"{len(letters)} dead letter(s), {sum(d.offset >= replayed for d in letters)} pending")


@dlq_app.command("replay")
def dlq_replay(
    group: Annotated[str, typer.Argument(help="Consumer group, e.g. timeline")],
    offset: Annotated[
        list[int] | None, typer.Option("--offset", help="Replay exactly these DLQ offsets")
    ] = None,
    bootstrap: Annotated[str | None, typer.Option(help="Kafka bootstrap servers")] = None,
) -> None:
    """Put dead letters back on their original topic (after the fix is deployed)."""
    chosen = asyncio.run(
        replay_dead_letters(_bootstrap(bootstrap), group, offsets=set(offset) if offset else None)
    )
    for d in chosen:
        typer.echo(
            f"{d.offset:>6} {d.header('ce_type') or '?'} id={d.header('ce_id') or '?'} "
            f"-> {d.header('x-original-topic')}"
        )
    typer.echo(f"replayed {len(chosen)} dead letter(s)")


def add_service_commands(root: typer.Typer) -> list[str]:
    """Each service's own subcommands, found through the `casework.cli` entry points (shared imports no
    service): `timeline = "timeline.entrypoints.cli:app"` adds `casework timeline …`."""
    added = []
    for entry in sorted(entry_points(group="casework.cli"), key=lambda e: e.name):
        root.add_typer(entry.load(), name=entry.name)
        added.append(entry.name)
    return added


add_service_commands(app)


def main() -> None:
    app(sys.argv[1:])


if __name__ == "__main__":
    main()
