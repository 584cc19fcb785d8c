"""Before a service serves: wait for its database, create it if missing, migrate to head.

`python -m services.<name>` does it all, then serves (the dev stack, docker-compose). On Kubernetes
a Job runs `python -m services.<name> migrate` once per rollout, every pod of the service waits for
it with `python -m services.<name> wait-for-migrations` (an init container), and the API starts
with ``<NAME>_MIGRATE_ON_START=false``."""
from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI

from shared.db import alembic_config, ensure_database, upgrade_to_head
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


async def current_revisions(url: str) -> set[str]:
    """The Alembic revisions the database is at (none before the first migration)."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, poolclass=sa.pool.NullPool)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads()))
    finally:
        await engine.dispose()


def wait_for_migrations(url: str, migrations_dir: Path, *, wait_seconds: float = 900, every: float = 2) -> None:
    """Return once the database is at this code's head revisions (the migration Job has run);
    raise TimeoutError after ``wait_seconds``."""
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(migrations_dir, url)).get_heads())
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            at, why = asyncio.run(current_revisions(url)), ""
        except (OSError, sa.exc.DBAPIError) as exc:  # the server is not up, the Job has not created the database yet
            at, why = set(), f" ({getattr(exc, 'orig', exc)!r})"
        if at == heads:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the database is at {sorted(at)}, this code needs {sorted(heads)}{why}")
        log.info("waiting for the migrations: at %s, head %s%s", sorted(at), sorted(heads), why)
        time.sleep(every)


def serve(create_app: Callable[[], FastAPI], settings: ServiceSettings, migrations_dir: Path,
          seed: Callable[[], Awaitable[None]] | None = None, argv: list[str] | None = None) -> None:
    """What `python -m services.<name> [migrate | wait-for-migrations]` does: migrate and seed demo
    data if asked (unless ``migrate_on_start`` is off), then serve; or only migrate (and seed); or
    only wait until the database is migrated."""
    import uvicorn

    command = (sys.argv[1:] if argv is None else argv) or ["serve"]
    if command not in (["serve"], ["migrate"], ["wait-for-migrations"]):
        raise SystemExit(f"usage: python -m services.{settings.service_name} [migrate | wait-for-migrations]")
    if command != ["serve"]:  # a Job's or init container's only output: say what it waits for
        from shared.logging import configure_logging

        configure_logging(f"{settings.service_name}-{command[0]}", settings.platform.log_level,
                          settings.platform.log_json)
    if command == ["wait-for-migrations"]:
        wait_for_migrations(settings.database_url, migrations_dir)
        return
    if command == ["migrate"] or settings.migrate_on_start:
        prepare_database(settings.database_url, migrations_dir)
        if seed is not None and getattr(settings, "seed_demo_data", False):
            asyncio.run(seed())
    if command == ["migrate"]:
        return
    uvicorn.run(create_app(), host=settings.host, port=settings.port, log_config=None, access_log=False)
