from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from deploy.topology import local_url, port_of
from shared.settings import ServiceSettings


class PlansSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PLANS_", extra="ignore")

    service_name: str = "plans"
    port: int = port_of("plans")
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/zc_plans"
    # documents' internal API: plan attachments are claimed there (public, locked).
    documents_url: str = local_url("documents")
    # Organisers, demo plans with their standards, and 林建华 as a plan administrator (dev stack).
    seed_demo_data: bool = False


@lru_cache
def get_settings() -> PlansSettings:
    return PlansSettings()
