"""The import contracts of `make lint` hold, and fail when a boundary is broken on purpose.

The broken cases run import-linter on a copy of intake's package in a temporary folder (so the real tree
is never touched), with a copy of the project's contracts pointed at it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contracts_for_copy() -> str:
    """The project's contracts with intake and a stand-in second service as the only services (TOML)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    # Every service but intake (the copy) is left out; `other_service` stands in for them.
    others = tuple(p for p in config["root_packages"] if p not in ("shared", "intake"))

    def keep(values: list[str]) -> list[str]:
        kept = [v for v in values if v.split(".")[0] not in others]
        return [*kept, "other_service"] if kept != values and "intake" in kept else kept

    out = [
        "[tool.importlinter]",
        'root_packages = ["shared", "intake", "other_service"]',
        "include_external_packages = true",
    ]
    for contract in config["contracts"]:
        out.append("[[tool.importlinter.contracts]]")
        for key, value in contract.items():
            if isinstance(value, list):
                items = (
                    keep(value)
                    if key in ("modules", "source_modules", "forbidden_modules", "containers")
                    else value
                )
                if key == "containers":
                    items = [v for v in items if v != "other_service"]
                out.append(f"{key} = [{', '.join(repr(v).replace(chr(39), chr(34)) for v in items)}]")
            else:
                out.append(f'{key} = "{value}"')
    return "\n".join(out) + "\n"


def _lint(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "contracts.toml").write_text(_contracts_for_copy())
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), str(tmp_path / "contracts.toml"), "--no-cache"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def intake_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "services" / "intake" / "src" / "intake", tmp_path / "intake")
    (tmp_path / "other_service").mkdir()
    (tmp_path / "other_service" / "__init__.py").write_text('"""A second service."""\nVALUE = 1\n')
    return tmp_path


def test_the_project_keeps_every_contract() -> None:
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_untouched_copy_keeps_the_contracts(intake_copy: Path) -> None:
    result = _lint(intake_copy)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("domain/model.py", "import sqlalchemy  # noqa", "domain models are free of frameworks and I/O"),
        ("domain/model.py", "import intake.service_layer.handlers  # noqa", "layers inside each service"),
        (
            "adapters/repository.py",
            "import intake.entrypoints.api.routes  # noqa",
            "layers inside each service",
        ),
        ("service_layer/handlers.py", "import other_service  # noqa", "services never import each other"),
    ],
)
def test_breaking_a_boundary_fails_the_lint(intake_copy: Path, module: str, line: str, broken: str) -> None:
    target = intake_copy / "intake" / module
    target.write_text(target.read_text() + f"\n{line}\n")
    result = _lint(intake_copy)
    assert result.returncode != 0
    assert f"{broken} BROKEN" in result.stdout, result.stdout
