"""py-spy attached to stack processes while a scenario runs: where their CPU time goes."""

from __future__ import annotations

import collections
import re
import signal
import subprocess
import sys
from pathlib import Path

from bench.common import process_table
from shared.stack.stack import Stack

PY_SPY = Path(sys.executable).parent / "py-spy"
# py-spy names a frame by its module path (relative to sys.path, or absolute): the project's packages.
OWN_CODE = re.compile(r"\((?:.*/)?(?:intake|child_protection|timeline|shared)/")


class Profiler:
    """One `py-spy record` per named process (collapsed stacks), stopped with SIGINT when done."""

    def __init__(self, stack: Stack, names: list[str], folder: Path, label: str) -> None:
        self._stack, self._names, self._folder, self._label = stack, names, folder, label
        self._running: list[tuple[str, Path, subprocess.Popen[bytes]]] = []

    def start(self) -> None:
        table = process_table(self._stack)
        self._folder.mkdir(parents=True, exist_ok=True)
        for name in self._names:
            if name not in table:
                raise SystemExit(f"no process {name!r} to profile; running: {', '.join(sorted(table))}")
            out = self._folder / f"{self._label}-{name}.txt"
            argv = [
                str(PY_SPY),
                "record",
                "-r",
                "50",
                "-f",
                "raw",
                "-o",
                str(out),
                "--pid",
                str(table[name].pid),
            ]
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self._running.append((name, out, proc))

    def stop(self) -> dict[str, str]:
        """Stop every recorder; the path of each collapsed-stack file and of its summary."""
        written: dict[str, str] = {}
        for name, out, proc in self._running:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            if out.exists():
                summary = out.with_suffix(".summary.txt")
                summary.write_text(summarize(out))
                written[name] = str(summary)
        self._running.clear()
        return written


def summarize(collapsed: Path, top: int = 30) -> str:
    """Busy samples of the event-loop thread: share per project function (inclusive) and per leaf."""
    inclusive: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    busy = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        # The event loop's thread only: other threads (executor, exporters) mostly wait. Under uvloop and
        # SQLAlchemy's greenlets a coroutine's stack can appear without its root frames, so threads are
        # recognised by theirs.
        if frames[0].startswith("Thread._bootstrap"):
            continue
        n = int(count)
        busy += n
        leaf[_short(frames[-1])] += n
        for frame in dict.fromkeys(frames):
            if OWN_CODE.search(frame):
                inclusive[_short(frame)] += n
    if not busy:
        return "no samples\n"
    lines = [f"{collapsed.name}: {busy} busy samples of the event-loop thread (50 per second)", ""]
    lines += ["inclusive, project code:"] + [f"  {n / busy:6.1%}  {f}" for f, n in inclusive.most_common(top)]
    lines += ["", "leaf functions:"] + [f"  {n / busy:6.1%}  {f}" for f, n in leaf.most_common(top)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    head, _, tail = frame.partition(" (")
    for marker in ("site-packages/", "/src/"):
        tail = tail.rsplit(marker, 1)[-1]
    return f"{head} ({tail}" if tail else head
