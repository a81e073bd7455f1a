"""timeline settings (env prefix TIMELINE_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# Every domain topic `<service>.<aggregate>.v1`; dead-letter topics (`<group>.dlq`) never match.
DOMAIN_TOPIC_PATTERN = r"^[a-z_]+\.[a-z_]+\.v1$"


class TimelineSettings(ServiceSettings):
    """Settings of the timeline service."""

    model_config = SettingsConfigDict(env_prefix="TIMELINE_", extra="ignore", populate_by_name=True)

    service_name: str = "timeline"
    # The projection's consumer group and the topics it reads (a regex, so a new service needs no change).
    consumer_group: str = "timeline"
    topic_pattern: str = DOMAIN_TOPIC_PATTERN
    # Where each service's own UI lives, for the link of an entry to its case.
    ui_base_urls: dict[str, str] = {
        "intake": "http://127.0.0.1:8001",
        "assistance": "http://127.0.0.1:8002",
        "child_protection": "http://127.0.0.1:8003",
        "vagrant_rescue": "http://127.0.0.1:8004",
    }
    # /readyz fails when the projection is more than this many events behind its topics.
    ready_max_lag: int = 10_000
    # How often the API measures the lag and the entry count for /metrics and /readyz (seconds).
    lag_refresh_s: float = 5.0
    # A query assembles at most this many entries (then pages through them).
    max_query_entries: int = 5_000
