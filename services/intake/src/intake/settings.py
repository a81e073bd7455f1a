"""Intake settings (env prefix INTAKE_)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

DEV_HOTLINE_KEYS = {"dev-12345": "dev-12345-secret"}
# A Fernet key for development only; production sets INTAKE_DATA_KEY.
DEV_DATA_KEY = "ZGV2LWludGFrZS1kYXRhLWtleS0wMTIzNDU2Nzg5YWI="


class IntakeSettings(ServiceSettings):
    """Settings of the intake service."""

    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    service_name: str = "intake"
    # key id -> shared secret of each 12345 integration (JSON in the environment).
    hotline_keys: dict[str, SecretStr] = {k: SecretStr(v) for k, v in DEV_HOTLINE_KEYS.items()}
    # Keys still allowed the deprecated version-1 signature (no method and path in it).
    hotline_legacy_keys: set[str] = set(DEV_HOTLINE_KEYS)
    signature_window_s: int = 300
    # Calls per 12345 key (in each API process): enough for a province's hotline, a stop for a runaway loop.
    hotline_rate_limit: str = "2000/second"
    # How long an API process reuses the routing table it read; a process that saves one drops it at once.
    routing_cache_s: float = 2.0
    data_key: SecretStr = SecretStr(DEV_DATA_KEY)
