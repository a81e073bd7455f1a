"""Probe settings (env prefix PROBE_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ProbeSettings(ServiceSettings):
    """Settings of the test-only probe service."""

    model_config = SettingsConfigDict(env_prefix="PROBE_", extra="ignore", populate_by_name=True)

    service_name: str = "probe"
    handler_delay_s: float = 0.0
