"""units' app factory."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.units import handlers, routes
from services.units.departments import sync_departments
from services.units.settings import UnitsSettings, get_settings
from shared.app import create_service_app
from shared.http import internal_client

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: UnitsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    async def on_startup(app: FastAPI) -> None:
        async with app.state.db.sessionmaker() as session, session.begin():
            await sync_departments(session)
        app.state.identity = internal_client(settings.platform.identity_url, settings.platform)

    async def on_shutdown(app: FastAPI) -> None:
        await app.state.identity.aclose()

    return create_service_app(settings=settings, title="units — 工作单位与绑定", routers=[routes.api],
                              consumers=handlers.consumers, on_startup=on_startup, on_shutdown=on_shutdown)
