"""Detached processes tracked by PID files, so `down` stops exactly what `up` started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class Tracked:
    """A process this stack started: its PID and start time (guards against PID reuse)."""

    name: str
    pid: int
    create_time: float
    log: str

    def process(self) -> psutil.Process | None:
        """The live process, or None if it has exited or the PID now belongs to another."""
        try:
            proc = psutil.Process(self.pid)
            if abs(proc.create_time() - self.create_time) > 0.5 or proc.status() == psutil.STATUS_ZOMBIE:
                return None
            return proc
        except psutil.Error:
            return None

    def alive(self) -> bool:
        return self.process() is not None


def pidfile(pids_dir: Path, name: str) -> Path:
    return pids_dir / f"{name}.json"


def read(pids_dir: Path, name: str) -> Tracked | None:
    """The tracked process recorded under `name`, if any (alive or not)."""
    path = pidfile(pids_dir, name)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return Tracked(name=name, pid=data["pid"], create_time=data["create_time"], log=data["log"])


def all_tracked(pids_dir: Path) -> list[Tracked]:
    if not pids_dir.exists():
        return []
    return [t for p in sorted(pids_dir.glob("*.json")) if (t := read(pids_dir, p.stem)) is not None]


def spawn(
    name: str, argv: list[str], *, pids_dir: Path, log_path: Path, env: dict[str, str], cwd: Path
) -> Tracked:
    """Start `argv` detached from this terminal, logging to `log_path`, and record it."""
    pids_dir.mkdir(parents=True, exist_ok=True)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    tracked = Tracked(name, proc.pid, psutil.Process(proc.pid).create_time(), str(log_path))
    pidfile(pids_dir, name).write_text(
        json.dumps({"pid": tracked.pid, "create_time": tracked.create_time, "log": tracked.log, "argv": argv})
    )
    return tracked


def stop(pids_dir: Path, name: str, *, timeout_s: float = 30.0) -> bool:
    """SIGTERM the tracked process (then SIGKILL after `timeout_s`); True if it was running."""
    tracked = read(pids_dir, name)
    if tracked is None:
        return False
    proc = tracked.process()
    was_running = proc is not None
    if proc is not None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout_s)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        except psutil.NoSuchProcess:
            pass
    pidfile(pids_dir, name).unlink(missing_ok=True)
    return was_running


def kill(pids_dir: Path, name: str) -> None:
    """SIGKILL the tracked process (fault tests); the PID file stays for `status` to report."""
    tracked = read(pids_dir, name)
    if tracked is not None and (proc := tracked.process()) is not None:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)


def wait_for(predicate: object, *, timeout_s: float, interval_s: float = 0.2) -> bool:
    """Poll a zero-argument callable until it returns true or the timeout passes."""
    assert callable(predicate)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval_s)
    return bool(predicate())
