from __future__ import annotations

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from deploy.topology import port_of
from shared.settings import ServiceSettings


class UnitsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="UNITS_", extra="ignore")

    service_name: str = "units"
    port: int = port_of("units")
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/zc_units"
    # Register the demo units of the 闽政通 simulator's legal accounts at start (dev stack).
    seed_demo_data: bool = False


@lru_cache
def get_settings() -> UnitsSettings:
    return UnitsSettings()
