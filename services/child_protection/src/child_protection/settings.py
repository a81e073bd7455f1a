"""child_protection settings (env prefix CHILD_PROTECTION_)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# A Fernet key for development only; production sets CHILD_PROTECTION_DATA_KEY.
DEV_DATA_KEY = "ZGV2LWNoaWxkLXByb3RlY3Rpb24tZGF0YS1rZXktMDE="


class ChildProtectionSettings(ServiceSettings):
    """Settings of the child_protection service."""

    model_config = SettingsConfigDict(env_prefix="CHILD_PROTECTION_", extra="ignore", populate_by_name=True)

    service_name: str = "child_protection"
    data_key: SecretStr = SecretStr(DEV_DATA_KEY)
    # A new report about a child with an open case opened within this many days is linked to it.
    duplicate_window_days: int = 90
    deadline_scan_interval_s: float = 30.0
    # Overrides of the step due times (domain/deadlines.py), e.g. {"reported": {"critical": {"hours": 1}}}.
    deadlines: dict[str, dict[str, dict[str, float]]] = {}
