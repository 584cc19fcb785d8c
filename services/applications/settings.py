from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from deploy.topology import local_url, port_of
from shared.settings import ServiceSettings


class ApplicationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="APPLICATIONS_", extra="ignore")

    service_name: str = "applications"
    port: int = port_of("applications")
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/zc_applications"
    # documents' internal API: the files an application uses are claimed (and locked) there.
    documents_url: str = local_url("documents")
    seed_demo_data: bool = False
    # The shortest 公示 a unit or an organiser may publish, in working days (the plans say 不少于5个工作日).
    notice_min_workdays: int = 5


@lru_cache
def get_settings() -> ApplicationsSettings:
    return ApplicationsSettings()
