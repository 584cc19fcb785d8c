"""`python -m services.<name> migrate | wait-for-migrations`: what the Kubernetes migration Job and
the pods' init containers run (deploy/k8s), against the real PostgreSQL."""
from __future__ import annotations

import asyncio

import pytest

from services.units.app import MIGRATIONS, create_app
from services.units.settings import UnitsSettings
from shared.prestart import current_revisions, serve, wait_for_migrations
from shared.testing import infra


@pytest.fixture
def database(pg_server: str):
    name = infra.run_database("prestart")
    asyncio.run(infra.drop_database(pg_server, name))
    yield infra.database_url(pg_server, name)
    asyncio.run(infra.drop_database(pg_server, name))


def test_migrate_creates_and_migrates_and_the_pods_wait_until_it_has(database, monkeypatch):
    settings = UnitsSettings(database_url=database, migrate_on_start=False)
    # Before the Job: no database at all, then one at no revision; a pod keeps waiting.
    with pytest.raises(TimeoutError):
        wait_for_migrations(database, MIGRATIONS, wait_seconds=0.3, every=0.1)
    serve(create_app, settings, MIGRATIONS, argv=["migrate"])  # creates the database, migrates, returns
    assert asyncio.run(current_revisions(database))
    wait_for_migrations(database, MIGRATIONS, wait_seconds=5)  # at head: returns at once
    # An unknown command is refused before anything runs.
    with pytest.raises(SystemExit, match="wait-for-migrations"):
        serve(create_app, settings, MIGRATIONS, argv=["upgrade"])


def test_a_database_behind_the_code_keeps_the_pods_waiting(database):
    from alembic import command

    from shared.db import alembic_config

    serve(create_app, UnitsSettings(database_url=database), MIGRATIONS, argv=["migrate"])
    command.downgrade(alembic_config(MIGRATIONS, database), "-1")
    with pytest.raises(TimeoutError, match="this code needs"):
        wait_for_migrations(database, MIGRATIONS, wait_seconds=0.3, every=0.1)
