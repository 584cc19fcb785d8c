"""Before a service serves: wait for its database, create it if missing, migrate to head."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI

from shared.db import ensure_database, upgrade_to_head
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)


def prepare_database(url: str, migrations_dir: Path, *, wait_seconds: float = 60) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            asyncio.run(ensure_database(url))
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            log.warning("database not reachable yet; waiting")
            time.sleep(1)
    upgrade_to_head(migrations_dir, url)


def serve(create_app: Callable[[], FastAPI], settings: ServiceSettings, migrations_dir: Path,
          seed: Callable[[], Awaitable[None]] | None = None) -> None:
    """What `python -m services.<name>` does: migrate, seed demo data if asked, serve."""
    import uvicorn

    prepare_database(settings.database_url, migrations_dir)
    if seed is not None and getattr(settings, "seed_demo_data", False):
        asyncio.run(seed())
    uvicorn.run(create_app(), host=settings.host, port=settings.port, log_config=None, access_log=False)
