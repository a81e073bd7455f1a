"""The probe service's API and worker as real OS processes, for the messaging-core tests."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field

import httpx

from infra import Database, support_path
from shared.stack import procs
from shared.stack.stack import Stack

PROBE_API_PORT = 28101
PROBE_METRICS_PORT = 28102


@dataclass
class ProbeProcesses:
    """The probe's API and worker as real OS processes."""

    stack: Stack
    db: Database
    started: list[str] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PYTHONPATH": os.pathsep.join([str(support_path()), env.get("PYTHONPATH", "")]),
                "PROBE_DATABASE_URL": self.db.url,
                "CASEWORK_KAFKA_BOOTSTRAP_SERVERS": self.stack.kafka.bootstrap,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra)
        return env

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        procs.spawn(
            name,
            argv,
            pids_dir=self.stack.paths.pids,
            log_path=self.stack.paths.logs / f"{name}.log",
            env=env,
            cwd=self.stack.paths.root,
        )
        self.started.append(name)

    async def start_api(self) -> str:
        argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "probe.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(PROBE_API_PORT),
            "--no-access-log",
        ]
        self._spawn("probe-api", argv, self.env())
        url = f"http://127.0.0.1:{PROBE_API_PORT}"
        async with httpx.AsyncClient() as client:
            for _ in range(150):
                try:
                    if (await client.get(f"{url}/readyz")).status_code == 200:
                        return url
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"probe API not ready; see {self.stack.paths.logs}/probe-api.log")

    def start_worker(self, *, handler_delay_s: float = 0.0) -> None:
        env = self.env(
            PROBE_HANDLER_DELAY_S=str(handler_delay_s),
            PROBE_WORKER_METRICS_PORT=str(PROBE_METRICS_PORT),
            PROBE_CONSUMER_RETRY_BACKOFF_S="0.05",
        )
        self._spawn("probe-worker", [sys.executable, "-m", "probe.worker"], env)

    def kill_worker(self) -> None:
        procs.kill(self.stack.paths.pids, "probe-worker")

    def stop(self, name: str) -> None:
        procs.stop(self.stack.paths.pids, name, timeout_s=20)

    def stop_all(self) -> None:
        for name in set(self.started):
            self.stop(name)
