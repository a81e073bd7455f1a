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

    # The register of children under watch (监测预防): days between contacts by risk colour. The plans
    # fix no cadence, so these defaults are ours (CHILD_PROTECTION_VISIT_INTERVAL_DAYS, JSON): red weekly,
    # yellow fortnightly, blue monthly, green quarterly; the next visit is scheduled when one is recorded.
    visit_interval_days: dict[str, int] = {"red": 7, "yellow": 14, "blue": 30, "green": 90}
    # Left-behind children are contacted at least weekly (MP-74 「每周联系和交流不少于1次」): a phone
    # contact in the weeks between the home visits of the colour's cadence.
    left_behind_contact_days: int = 7
    # After a missed visit (which opens a report) a replacement visit is due within this many days.
    missed_visit_retry_days: int = 3
    # A child is "due" on the register when a visit falls within this many days.
    visit_due_window_days: int = 7
    visit_scan_interval_s: float = 60.0
