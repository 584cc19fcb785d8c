"""documents' app factory."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.documents import cleanup, handlers, routes
from services.documents.settings import DocumentsSettings, get_settings
from services.documents.storage import ObjectStore
from shared.app import create_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: DocumentsSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    store = ObjectStore(settings)

    async def on_startup(app: FastAPI) -> None:
        app.state.store = store
        await store.ensure_bucket()
        handlers.configure(settings, store, app.state.db)  # before the consumers start (they render the PDFs)

    async def on_shutdown(app: FastAPI) -> None:
        handlers.close()
        store.close()

    async def storage() -> None:
        await store.check()

    return create_service_app(settings=settings, title="documents — 附件与文件",
                              routers=[routes.api, routes.internal, routes.generated_internal], consumers=handlers.consumers,
                              ready_checks=[storage], on_startup=on_startup, on_shutdown=on_shutdown,
                              background=lambda db, stop: [cleanup.run_periodically(db, store, settings, stop)])
