"""`casework up|down|status`: the whole local stack on one machine, without Docker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from shared.contracts.topics import DOMAIN_TOPICS, TopicSpec, dlq_spec
from shared.messaging.admin import ensure_topics
from shared.stack import procs
from shared.stack.kafka import KafkaBroker
from shared.stack.paths import StackPaths, project_root
from shared.stack.postgres import Postgres
from shared.stack.services import ServiceSpec, built_services

_Say = Callable[[str], None]


@dataclass
class Stack:
    """One stack instance: broker, database server and service processes."""

    paths: StackPaths
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    services: list[ServiceSpec] = field(default_factory=list)
    extra_env: dict[str, str] = field(default_factory=dict)
    # Added to every service port, so a test stack never collides with `make up`.
    port_offset: int = 0

    def api_port(self, spec: ServiceSpec) -> int:
        return spec.port + self.port_offset

    def metrics_port(self, spec: ServiceSpec) -> int:
        return spec.metrics_port + self.port_offset

    @property
    def kafka(self) -> KafkaBroker:
        return KafkaBroker(self.paths, self.kafka_port, self.kafka_controller_port)

    @property
    def postgres(self) -> Postgres:
        return Postgres(self.paths)

    def topics(self) -> list[TopicSpec]:
        return [*DOMAIN_TOPICS, *(dlq_spec(s.name) for s in self.services)]

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        """Environment of one service process: shared defaults plus its own prefixed settings."""
        env = dict(os.environ)
        # Each process of the stack already logs to its own file under var/<instance>/logs.
        env.pop("CASEWORK_LOG_FILE", None)
        env.update(
            {
                "CASEWORK_ROOT": str(self.paths.root),
                "CASEWORK_KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap,
                f"{spec.env_prefix}SERVICE_NAME": spec.name,
                f"{spec.env_prefix}DATABASE_URL": self.postgres.uri(spec.database),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    def start_infra(self, say: _Say) -> None:
        """Kafka and PostgreSQL up, databases and topics created."""
        t = self.kafka.start()
        say(f"Kafka      {self.kafka.bootstrap}  ({t:.1f}s)")
        t = self.postgres.start()
        say(f"PostgreSQL {self.paths.pgdata}  ({t:.1f}s)")
        self.postgres.ensure_databases([s.database for s in self.services])
        created = asyncio.run(ensure_topics(self.kafka.bootstrap, self.topics()))
        say(f"Topics     {len(self.topics())} ({len(created)} new)")

    def migrate(self, spec: ServiceSpec) -> None:
        ini = spec.folder(self.paths.root) / "alembic.ini"
        result = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
            env=self.service_env(spec),
            cwd=spec.folder(self.paths.root),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"migrations of {spec.name} failed:\n{result.stdout}\n{result.stderr}")

    def start_service(self, spec: ServiceSpec) -> None:
        """Migrate, then start API and worker unless they already run."""
        self.migrate(spec)
        for role, argv in (("api", spec.api_argv(self.api_port(spec))), ("worker", spec.worker_argv())):
            name = f"{spec.name}-{role}"
            tracked = procs.read(self.paths.pids, name)
            if tracked is not None and tracked.alive():
                continue
            env = self.service_env(spec)
            if role == "worker":
                env[f"{spec.env_prefix}WORKER_METRICS_PORT"] = str(self.metrics_port(spec))
            procs.spawn(
                name,
                argv,
                pids_dir=self.paths.pids,
                log_path=self.paths.logs / f"{name}.log",
                env=env,
                cwd=self.paths.root,
            )

    def wait_ready(self, spec: ServiceSpec, *, timeout_s: float = 90) -> bool:
        def ready() -> bool:
            for role in ("api", "worker"):
                tracked = procs.read(self.paths.pids, f"{spec.name}-{role}")
                if tracked is None or not tracked.alive():
                    raise RuntimeError(
                        f"{spec.name}-{role} exited; see {self.paths.logs}/{spec.name}-{role}.log"
                    )
            try:
                return (
                    httpx.get(f"http://127.0.0.1:{self.api_port(spec)}/readyz", timeout=3).status_code == 200
                )
            except httpx.HTTPError:
                return False

        return procs.wait_for(ready, timeout_s=timeout_s, interval_s=0.3)

    def up(self, say: _Say = print) -> float:
        t0 = time.monotonic()
        self.paths.logs.mkdir(parents=True, exist_ok=True)
        self.start_infra(say)
        for spec in self.services:
            self.start_service(spec)
        for spec in self.services:
            ok = self.wait_ready(spec)
            state = "就绪 ready" if ok else "未就绪 NOT READY"
            say(
                f"{spec.name:<17} http://127.0.0.1:{self.api_port(spec)}/  {state}  "
                f"(worker metrics :{self.metrics_port(spec)})"
            )
            if not ok:
                raise RuntimeError(f"{spec.name} not ready; see {self.paths.logs}")
        if not self.services:
            say("(no service is built yet: only Kafka and PostgreSQL were started)")
        took = time.monotonic() - t0
        say(f"Stack up in {took:.1f}s. Logs: {self.paths.logs}")
        return took

    def down_services(self, say: _Say | None = None) -> None:
        """Stop every service process (API and worker) this stack instance started."""
        for tracked in procs.all_tracked(self.paths.pids):
            if any(tracked.name in (f"{s.name}-api", f"{s.name}-worker") for s in self.services):
                procs.stop(self.paths.pids, tracked.name)
                if say is not None:
                    say(f"stopped {tracked.name}")

    def down(self, say: _Say = print) -> None:
        for tracked in procs.all_tracked(self.paths.pids):
            if tracked.name != "kafka":
                procs.stop(self.paths.pids, tracked.name)
                say(f"stopped {tracked.name}")
        if self.kafka.stop():
            say("stopped kafka")
        if self.postgres.stop():
            say("stopped postgresql")

    def status(self) -> list[tuple[str, str]]:
        """(component, state) rows; a PID file whose process is gone is reported as crashed."""
        rows: list[tuple[str, str]] = []
        kafka = procs.read(self.paths.pids, "kafka")
        rows.append(("kafka", _proc_state(kafka)))
        rows.append(("postgresql", "running" if self.postgres.running() else "stopped"))
        for spec in self.services:
            for role in ("api", "worker"):
                tracked = procs.read(self.paths.pids, f"{spec.name}-{role}")
                state = _proc_state(tracked)
                if role == "api" and state.startswith("running"):
                    state += " " + _readyz(self.api_port(spec))
                rows.append((f"{spec.name}-{role}", state))
        return rows


def _proc_state(tracked: procs.Tracked | None) -> str:
    if tracked is None:
        return "stopped"
    if tracked.alive():
        return f"running (pid {tracked.pid})"
    return f"CRASHED (pid {tracked.pid} gone; log {tracked.log})"


def _readyz(port: int) -> str:
    try:
        r = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=3)
        return "ready" if r.status_code == 200 else f"not ready ({r.text[:200]})"
    except httpx.HTTPError as exc:
        return f"unreachable ({type(exc).__name__})"


def local_stack() -> Stack:
    """The stack `make up` runs: data under var/<instance>, Kafka on 9092 unless overridden."""
    paths = StackPaths(project_root(), os.environ.get("CASEWORK_STACK_INSTANCE", "local"))
    port = int(os.environ.get("CASEWORK_STACK_KAFKA_PORT", "9092"))
    offset = int(os.environ.get("CASEWORK_STACK_PORT_OFFSET", "0"))
    return Stack(
        paths,
        kafka_port=port,
        kafka_controller_port=port + 1,
        services=built_services(paths.root),
        port_offset=offset,
    )
