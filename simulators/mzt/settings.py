"""Settings of the 闽政通 simulator (env prefix ``MZT_SIM_``)."""
from __future__ import annotations

from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from deploy.topology import MZT_PORT, MZT_URL


class SimulatorSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MZT_SIM_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = MZT_PORT
    # `localhost`, not 127.0.0.1: browsers scope cookies by host name, so the simulator's and
    # the platform's cookies never overwrite each other.
    issuer: str = MZT_URL
    # Where servers (not browsers) reach the token, userinfo and JWKS endpoints, when that differs
    # from the issuer (docker-compose: browsers use localhost, containers use the service name).
    backchannel_url: str | None = None
    client_id: str = "zc-platform"
    client_secret: str = "dev-mzt-secret"
    # The registered redirect URIs: a redirect_uri must equal one of them exactly (OIDC Core
    # §3.1.2.1, RFC 6749 §3.1.2.3), as a real provider compares them. Comma-separated in the env.
    redirect_uris: Annotated[list[str], NoDecode] = ["http://127.0.0.1:8000/auth/callback",
                                                     "http://localhost:8000/auth/callback"]
    code_ttl_seconds: int = 120
    token_ttl_seconds: int = 600
    # This many wrong passwords in a row lock the account for lockout_seconds.
    lockout_failures: int = 5
    lockout_seconds: int = 900
    # POST /_admin/accounts lets tests add fresh accounts at runtime.
    allow_admin: bool = True

    @field_validator("redirect_uris", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("issuer")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")
