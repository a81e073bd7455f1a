"""Where the local stack keeps jars, data, logs and PID files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def project_root() -> Path:
    """The repository root: `CASEWORK_ROOT`, or the first parent holding the workspace files."""
    if env := os.environ.get("CASEWORK_ROOT"):
        return Path(env).resolve()
    for parent in [Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents]:
        if (parent / "shared" / "pyproject.toml").exists() and (parent / "uv.lock").exists():
            return parent
    raise RuntimeError("cannot find the casework repository root; set CASEWORK_ROOT")


@dataclass(frozen=True)
class StackPaths:
    """Folders of one stack instance (`local` for `make up`, `test` for the test suite)."""

    root: Path
    instance: str = "local"

    @property
    def var(self) -> Path:
        return self.root / "var" / self.instance

    @property
    def kafka_libs(self) -> Path:
        # Jars are shared by every instance: they only depend on the pom.
        return self.root / ".cache" / "kafka" / "libs"

    @property
    def kafka_pom(self) -> Path:
        return self.root / "deploy" / "local" / "kafka" / "pom.xml"

    @property
    def kafka_log4j(self) -> Path:
        return self.root / "deploy" / "local" / "kafka" / "log4j2.properties"

    @property
    def kafka_dir(self) -> Path:
        return self.var / "kafka"

    @property
    def pgdata(self) -> Path:
        return self.var / "pgdata"

    @property
    def logs(self) -> Path:
        return self.var / "logs"

    @property
    def pids(self) -> Path:
        return self.var / "pids"
