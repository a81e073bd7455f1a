"""docker-compose.yml cannot run here (no Docker engine), so check that everything it names exists."""

from __future__ import annotations

import re
from typing import Any

import yaml

from shared.settings import ServiceSettings
from shared.stack.paths import project_root
from shared.stack.services import SERVICES, built_services

ROOT = project_root()
INFRA = {"kafka", "postgres", "topics", "otel-collector", "jaeger"}


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_every_built_service_has_an_api_and_a_worker_and_nothing_else_is_named() -> None:
    names = set(compose()["services"])
    expected = INFRA | {f"{s.name}-{role}" for s in built_services(ROOT) for role in ("api", "worker")}
    assert names == expected


def test_files_referenced_exist() -> None:
    data = compose()
    for name, service in data["services"].items():
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / build["dockerfile"]).exists(), name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source}"
    assert (ROOT / "deploy" / "docker" / "entrypoint.sh").exists()


def test_service_commands_and_ports_match_the_registry() -> None:
    specs = {s.name: s for s in SERVICES}
    for name, service in compose()["services"].items():
        if name in INFRA:
            continue
        svc, role = name.rsplit("-", 1)
        assert svc in specs and role in {"api", "worker"}
        assert service["command"] == [svc, role]
        if role == "api":
            assert service["environment"]["PORT"] == str(specs[svc].port)
        assert (
            ROOT
            / "services"
            / svc
            / "src"
            / svc
            / "entrypoints"
            / f"{'api/app' if role == 'api' else role}.py"
        ).exists()


def test_every_setting_named_is_a_real_setting() -> None:
    fields = set(ServiceSettings.model_fields)
    prefixes = {"CASEWORK_"} | {s.env_prefix for s in SERVICES}
    for name, service in compose()["services"].items():
        env = service.get("environment") or {}
        for key in env:
            if key in {"OTEL_EXPORTER_OTLP_ENDPOINT", "PORT"} or key.startswith(("KAFKA_", "POSTGRES_")):
                continue
            prefix = next((p for p in prefixes if key.startswith(p)), None)
            assert prefix is not None, f"{name}: {key} has no known prefix"
            assert key[len(prefix) :].lower() in fields, f"{name}: {key} is not a setting"


def test_topics_job_uses_a_real_cli_option() -> None:
    from typer.testing import CliRunner

    from shared.cli.main import app

    entry = compose()["services"]["topics"]["entrypoint"]
    assert entry[:2] == ["casework", "topics"]
    help_text = CliRunner().invoke(app, ["topics", "--help"]).output
    assert all(opt in help_text for opt in entry[2:])


def test_images_are_pinned() -> None:
    for name, service in compose()["services"].items():
        image = service.get("image", "")
        assert re.search(r":[\w.\-]+$", image), f"{name} image {image!r} has no tag"


def test_otel_config_exports_to_jaeger() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "otel" / "collector.yaml").read_text())
    assert "otlp" in config["receivers"]
    assert config["exporters"]["otlp/jaeger"]["endpoint"].startswith("jaeger:")
