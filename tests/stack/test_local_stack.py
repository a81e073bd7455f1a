"""`casework up|status|down` on a separate stack instance: idempotent up, crash reporting, clean down."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from shared.stack import procs
from shared.stack.paths import project_root
from shared.stack.services import built_services

pytestmark = pytest.mark.integration
INSTANCE = "stacktest"
KAFKA_PORT = 31592  # below the ephemeral range (32768+), so no client socket can hold it
PORT_OFFSET = 14000  # APIs on 22001+, worker metrics on 23001+


def casework(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        CASEWORK_STACK_INSTANCE=INSTANCE,
        CASEWORK_STACK_KAFKA_PORT=str(KAFKA_PORT),
        CASEWORK_STACK_PORT_OFFSET=str(PORT_OFFSET),
    )
    return subprocess.run(
        [sys.executable, "-m", "shared.cli.main", *args], env=env, capture_output=True, text=True, timeout=600
    )


def stack_processes(var: Path) -> list[psutil.Process]:
    """Every live process whose command line points into this instance's folder."""
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if str(var) in cmdline and proc.info["status"] != psutil.STATUS_ZOMBIE:
            found.append(proc)
    return found


def test_up_twice_status_crash_and_down() -> None:
    var = project_root() / "var" / INSTANCE
    try:
        first = casework("up")
        assert first.returncode == 0, first.stdout + first.stderr
        assert "Stack up in" in first.stdout
        second = casework("up")
        assert second.returncode == 0, second.stdout + second.stderr
        assert "Topics" in second.stdout and "(0 new)" in second.stdout

        status = casework("status")
        assert status.returncode == 0, status.stdout
        assert "kafka" in status.stdout and "running" in status.stdout
        assert "postgresql                 running" in status.stdout
        for spec in built_services(project_root()):
            assert f"http://127.0.0.1:{spec.port + PORT_OFFSET}/  就绪 ready" in first.stdout
            assert re.search(rf"{spec.name}-api +running \(pid \d+\) ready", status.stdout), status.stdout
            assert re.search(rf"{spec.name}-worker +running", status.stdout), status.stdout

        procs.kill(var / "pids", "kafka")
        crashed = casework("status")
        assert crashed.returncode == 1
        assert "CRASHED" in crashed.stdout

        again = casework("up")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "CRASHED" not in casework("status").stdout
    finally:
        down = casework("down")
    assert down.returncode == 0, down.stderr
    assert stack_processes(var) == []
