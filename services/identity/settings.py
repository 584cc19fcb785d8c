from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from deploy.topology import GATEWAY_URL, MZT_URL, port_of
from shared.revocations import KEEP_SECONDS
from shared.settings import ServiceSettings


class IdentitySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore")

    secret_fields = ("mzt_client_secret", "session_secret")
    service_name: str = "identity"
    port: int = port_of("identity")
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/zc_identity"

    # 闽政通 (OIDC). The issuer is configuration: the simulator in development, the real one live.
    mzt_issuer: str = MZT_URL
    # Where identity fetches the discovery document, when not at the issuer (docker-compose).
    mzt_metadata_url: str | None = None
    mzt_client_id: str = "zc-platform"
    mzt_client_secret: SecretStr = SecretStr("dev-mzt-secret")
    # Where browsers reach the platform (the gateway); the OIDC redirect URI hangs off it.
    public_url: str = GATEWAY_URL
    # Signs the short-lived cookie that carries OIDC state, nonce and PKCE verifier.
    session_secret: SecretStr = SecretStr("dev-session-secret")
    cookie_secure: bool = True
    session_hours: int = 8
    # Services remember a revoked session or changed access KEEP_SECONDS: no token may outlive that.
    access_token_seconds: int = Field(300, gt=30, le=KEEP_SECONDS)
    # Register the demo persons of the 闽政通 simulator at start (dev stack, docker-compose).
    seed_demo_data: bool = False


@lru_cache
def get_settings() -> IdentitySettings:
    return IdentitySettings()
