from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import PlatformSettings

DEFAULT_SERVICES = {
    "identity": "http://127.0.0.1:8101",
    "units": "http://127.0.0.1:8102",
    "library": "http://127.0.0.1:8103",
    "plans": "http://127.0.0.1:8104",
    "applications": "http://127.0.0.1:8105",
    "documents": "http://127.0.0.1:8106",
}


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    # Where each service listens (JSON in GATEWAY_SERVICES); only these are routed.
    services: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SERVICES))
    upstream_timeout_seconds: float = 30.0
    # Uploads stream through; anything bigger is cut off here before a service sees it.
    max_body_bytes: int = 12 * 1024 * 1024
    # Per client (session, else address), in the `limits` notation; several separated by ';'.
    rate_limit: str = "20/second;600/minute"
    # Per address, whatever the sessions: generous, since a whole unit may share one address.
    rate_limit_per_address: str = "300/second;6000/minute"
    cookie_secure: bool = True
    platform: PlatformSettings = Field(default_factory=PlatformSettings)


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
