"""A service started with ENVIRONMENT=production and any development secret exits, naming the setting."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from shared.settings import ServiceSettings, _holds_secret
from shared.stack.paths import project_root
from shared.stack.services import ServiceSpec, built_services

SERVICES = built_services(project_root())


def _settings_class(spec: ServiceSpec) -> type[ServiceSettings]:
    module = importlib.import_module(f"{spec.name}.settings")
    found = [
        cls
        for cls in vars(module).values()
        if inspect.isclass(cls) and issubclass(cls, ServiceSettings) and cls is not ServiceSettings
    ]
    assert len(found) == 1, found
    return found[0]


def _secret_fields(spec: ServiceSpec) -> list[str]:
    fields = _settings_class(spec).model_fields
    return [n for n, f in fields.items() if _holds_secret(f.annotation) and n != "jwt_dev_key"]


def _own_value(field: str) -> str:
    if field == "data_keys_previous":
        return json.dumps([Fernet.generate_key().decode()])
    if field.endswith("data_key"):
        return Fernet.generate_key().decode()
    if field == "hotline_keys":
        return json.dumps({"prod-12345": secrets.token_hex(16)})
    return secrets.token_hex(24)


def _start(spec: ServiceSpec, keep_dev: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith((spec.env_prefix, "CASEWORK_"))}
    env[f"{spec.env_prefix}ENVIRONMENT"] = "production"
    env[f"{spec.env_prefix}JWT_JWKS_URL"] = "https://idp.example/jwks"
    for field in _secret_fields(spec):
        if field != keep_dev:
            env[f"{spec.env_prefix}{field.upper()}"] = _own_value(field)
    code = (
        f"from {spec.name}.entrypoints.api.app import create_app; app = create_app(); "
        "print('started', app.openapi_url, app.docs_url)"
    )
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])
def test_each_development_secret_is_refused_by_name(spec: ServiceSpec) -> None:
    fields = _secret_fields(spec)
    assert "personkey_secret" in fields
    for field in (f for f in fields if f != "data_keys_previous"):
        result = _start(spec, keep_dev=field)
        assert result.returncode != 0, f"{spec.name} started in production with the development {field}"
        assert f"{spec.env_prefix}{field.upper()}" in result.stderr
        assert "started" not in result.stdout


@pytest.mark.parametrize("spec", SERVICES, ids=[s.name for s in SERVICES])
def test_with_its_own_secrets_a_service_builds_in_production(spec: ServiceSpec) -> None:
    result = _start(spec, keep_dev=None)
    assert result.returncode == 0, result.stderr
    # Production publishes no API documentation unless asked to (CASEWORK_API_DOCS_IN_PRODUCTION).
    assert "started None None" in result.stdout
