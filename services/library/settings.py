from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from deploy.topology import local_url, port_of
from shared.settings import ServiceSettings


class LibrarySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LIBRARY_", extra="ignore")

    service_name: str = "library"
    port: int = port_of("library")
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/zc_library"
    # documents' internal API: attachments are claimed there (ownership check, reviewer access, lock).
    documents_url: str = local_url("documents")
    seed_demo_data: bool = False


@lru_cache
def get_settings() -> LibrarySettings:
    return LibrarySettings()
