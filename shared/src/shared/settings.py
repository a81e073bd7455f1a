"""Settings common to every service; each service subclasses with its own env prefix."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

DEV_PERSONKEY_SECRET = "dev-personkey-secret-change-me"
DEV_JWT_KEY = "dev-jwt-signing-key-change-me-0123456789abcdef"
# Never read in production (tokens are verified against the provider's JWKS there), so not refused.
_UNUSED_IN_PRODUCTION = frozenset({"jwt_dev_key"})


def _holds_secret(annotation: Any) -> bool:
    return "SecretStr" in repr(annotation)


def _reuses_default(value: Any, default: Any) -> bool:
    """Whether a secret (or a mapping of secrets, like the 12345 keys) still holds a development value."""
    if isinstance(value, dict) and isinstance(default, dict):
        return any(v in default.values() for v in value.values())
    if isinstance(value, list) and isinstance(default, list):
        return any(v in default for v in value)
    return bool(value == default)


class ServiceSettings(BaseSettings):
    """Base settings; a service sets `env_prefix` (for example `INTAKE_`) in its subclass."""

    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore", populate_by_name=True)

    service_name: str = "casework"
    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"

    # Any request body larger than this is refused with 413 before a route sees it.
    max_body_bytes: int = 1024 * 1024

    database_url: str = "postgresql+asyncpg://postgres@/casework"
    db_pool_size: int = 10

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_client_id: str | None = None

    relay_batch_size: int = 500
    relay_poll_interval_s: float = 0.2
    consumer_max_attempts: int = 3
    consumer_retry_backoff_s: float = 0.2

    # Standard OpenTelemetry variable, read without the service prefix.
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    # Share of new traces recorded when spans are exported (head sampling; a recorded parent is followed).
    otel_sampling_ratio: float = Field(default=1.0, ge=0.0, le=1.0)

    jwt_jwks_url: str | None = None
    jwt_issuer: str = "casework-dev"
    jwt_audience: str = "casework"
    jwt_dev_key: SecretStr | None = SecretStr(DEV_JWT_KEY)
    dev_login_enabled: bool = True
    # Attempts per client address at the development login page.
    login_rate_limit: str = "20/minute"

    personkey_secret: SecretStr = SecretStr(DEV_PERSONKEY_SECRET)
    # Retired data keys, still read after a rotation until `casework crypto reencrypt` has run.
    data_keys_previous: list[SecretStr] = []

    worker_metrics_port: int | None = None
    # `/metrics` of the APIs answers only a scraper with this bearer token, when set (set it in production).
    metrics_token: SecretStr | None = None
    # `/docs` and `/openapi.json`: always outside production; in production only when this is set.
    api_docs_in_production: bool = False

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """`<SERVICE>_X` wins over the platform-wide `CASEWORK_X`, which wins over the default."""
        platform_env = EnvSettingsSource(settings_cls, env_prefix="CASEWORK_")
        return init_settings, env_settings, platform_env, dotenv_settings, file_secret_settings

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> Self:
        """Production refuses every secret still at its development default, naming the setting."""
        if self.environment != "production":
            return self
        missing = [
            self.env_name(name)
            for name, field in type(self).model_fields.items()
            if name not in _UNUSED_IN_PRODUCTION
            and _holds_secret(field.annotation)
            and _reuses_default(getattr(self, name), field.get_default(call_default_factory=True))
        ]
        if not self.jwt_jwks_url:
            missing.append(
                f"{self.env_name('jwt_jwks_url')} (production verifies tokens with an OIDC provider)"
            )
        if missing:
            raise ValueError(
                "ENVIRONMENT=production refuses the development value of: "
                + "; ".join(missing)
                + ". Set each of these to the deployment's own value."
            )
        return self

    def env_name(self, field: str) -> str:
        """The environment variable that sets `field` for this service (the platform-wide one also works)."""
        prefix = str(self.model_config.get("env_prefix") or "CASEWORK_")
        own = f"{prefix}{field.upper()}"
        return own if prefix == "CASEWORK_" else f"{own} (or CASEWORK_{field.upper()})"

    @property
    def client_id(self) -> str:
        """Kafka client id, defaulting to the service name."""
        return self.kafka_client_id or self.service_name


@lru_cache
def get_settings() -> ServiceSettings:
    """Settings for code that is not tied to one service (the CLI, tests)."""
    return ServiceSettings()
