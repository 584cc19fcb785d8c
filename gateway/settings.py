from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from deploy.topology import GATEWAY_PORT, GATEWAY_URL, METRICS_PORT, local_service_urls
from shared.settings import PlatformSettings

DEFAULT_SERVICES = local_service_urls()  # planned services too: 503 until they listen


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    host: str = "127.0.0.1"
    port: int = GATEWAY_PORT
    public_url: str = GATEWAY_URL
    # The gateway's Prometheus metrics, on a port of their own (0: nowhere): never on the public one.
    metrics_port: int = METRICS_PORT
    # Where each service listens (JSON in GATEWAY_SERVICES); only these are routed.
    services: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_SERVICES))
    upstream_timeout_seconds: float = 30.0
    # Uploads stream through; anything bigger is cut off here before a service sees it.
    max_body_bytes: int = 12 * 1024 * 1024
    # Per client (session, else address), in the `limits` notation; several separated by ';'.
    rate_limit: str = "20/second;600/minute"
    # Per address, whatever the sessions: generous, since a whole unit may share one address.
    rate_limit_per_address: str = "300/second;6000/minute"
    # 证书查验 and the public 公示 (pages and API) per client, on top of the above: bounds guessing
    # certificate numbers and harvesting the names a notice lists.
    verify_rate_limit: str = "20/minute"
    cookie_secure: bool = True
    platform: PlatformSettings = Field(default_factory=PlatformSettings)


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
