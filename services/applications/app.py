"""applications' app factory."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.applications import handlers, routes
from services.applications.settings import ApplicationsSettings, get_settings
from shared.app import create_service_app
from shared.http import internal_client

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: ApplicationsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()

    async def on_startup(app: FastAPI) -> None:
        app.state.documents = internal_client(settings.documents_url, settings.platform)
        app.state.identity = internal_client(settings.platform.identity_url, settings.platform)

    async def on_shutdown(app: FastAPI) -> None:
        await app.state.documents.aclose()
        await app.state.identity.aclose()

    return create_service_app(settings=settings, title="applications — 职称申报", routers=[routes.api],
                              consumers=handlers.consumers, on_startup=on_startup, on_shutdown=on_shutdown)
