"""Settings: one pydantic-settings base for every service.

Platform-wide values (broker, keys, issuer) are read with the prefix ``ZC_``; each service's own
values (its database, its port) with the service's prefix, e.g. ``IDENTITY_DATABASE_URL``.
Outside development the defaults of secrets are refused, so a forgotten variable fails loudly.
"""
from __future__ import annotations

from functools import lru_cache
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from deploy.topology import METRICS_PORT, local_url

# Secrets' development defaults: refused anywhere but in development (see _no_dev_secrets).
DEV_SECRETS = {"dev-internal-key", "dev-mzt-secret", "dev-session-secret", "dev-documents-link-secret", "testing"}

# development: a process started by hand, defaults allowed; local: `./dev up` (secrets of its own);
# test: the test runs; production. All but development refuse the development defaults.
Environment = Literal["development", "local", "test", "production"]


class PlatformSettings(BaseSettings):
    """Values every process of the platform shares."""

    model_config = SettingsConfigDict(env_prefix="ZC_", extra="ignore")

    environment: Environment = "development"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    events_exchange: str = "zc.events"
    # Services call each other's /internal endpoints with this key; never routed by the gateway.
    internal_key: SecretStr = SecretStr("dev-internal-key")
    # Access tokens: identity signs them, every service verifies them against identity's JWKS.
    jwt_issuer: str = "zc-identity"
    jwt_audience: str = "zc-platform"
    identity_url: str = local_url("identity")
    log_level: str = "INFO"
    log_json: bool = True

    @model_validator(mode="after")
    def _no_dev_secrets_outside_development(self) -> PlatformSettings:
        if self.environment != "development" and self.internal_key.get_secret_value() in DEV_SECRETS:
            raise ValueError("ZC_INTERNAL_KEY still has its development default; set a real secret")
        return self


class ServiceSettings(BaseSettings):
    """Base of each service's settings; subclasses set ``env_prefix`` and the defaults."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str
    host: str = "127.0.0.1"
    port: int
    database_url: str
    db_pool_size: int = 10
    db_max_overflow: int = 20
    # Run the outbox relay and the event consumers inside the API process (dev and small
    # installs); in production run `python -m services.<name>.worker` separately instead.
    run_workers: bool = True
    # Create and migrate the database (and seed demo data) before serving; off on Kubernetes,
    # where a Job migrates once and the pods wait for it (see shared/prestart.py).
    migrate_on_start: bool = True
    # Where `python -m services.<name>.worker` serves its metrics (0: nowhere); the API process serves
    # them at /metrics on `port`.
    worker_metrics_port: int = METRICS_PORT
    platform: PlatformSettings = Field(default_factory=PlatformSettings)

    # The names of a service's secret settings, checked like ZC_INTERNAL_KEY.
    secret_fields: ClassVar[tuple[str, ...]] = ()

    @property
    def environment(self) -> Environment:
        return self.platform.environment

    @model_validator(mode="after")
    def _no_dev_secrets(self) -> ServiceSettings:
        if self.environment != "development":
            prefix = self.model_config.get("env_prefix", "")
            for name in self.secret_fields:
                if getattr(self, name).get_secret_value() in DEV_SECRETS:
                    raise ValueError(f"{prefix}{name.upper()} still has its development default; set a real secret")
        return self


@lru_cache
def platform_settings() -> PlatformSettings:
    return PlatformSettings()
