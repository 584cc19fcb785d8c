"""Fixtures of the event bus tests: a database with the event tables, fresh names, and consumers
run in the background and cleaned up afterwards."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from shared.db import Database
from shared.events.broker import dead_letter_queue_name, retry_queue_name
from shared.events.consumer import Consumer
from shared.migrations import create_event_tables
from shared.testing.infra import drop_database, recreate_database, run_database


@pytest.fixture(scope="module")
async def db(pg_server: str) -> AsyncIterator[Database]:
    url = await recreate_database(pg_server, run_database("events"))
    database = Database(url, pool_size=5, max_overflow=5)
    async with database.engine.begin() as conn:
        def create(sync_conn: sa.Connection) -> None:
            with Operations.context(MigrationContext.configure(sync_conn)):
                create_event_tables()

        await conn.run_sync(create)
        await conn.execute(sa.text("CREATE TABLE effects (event_id uuid, label text, at timestamptz DEFAULT clock_timestamp())"))
    yield database
    await database.dispose()
    await drop_database(pg_server, run_database("events"))


@pytest.fixture
def names() -> dict[str, str]:
    suffix = uuid.uuid4().hex[:8]
    return {"exchange": f"zc.test.events.{suffix}", "queue": f"test.things.{suffix}"}


@pytest.fixture
async def running(db, amqp_url, names):
    """Start consumers in the background; stop them and delete their queues afterwards."""
    stop = asyncio.Event()
    tasks: list[asyncio.Task] = []
    started: list[Consumer] = []

    async def start(consumer: Consumer) -> Consumer:
        started.append(consumer)
        tasks.append(asyncio.create_task(consumer.run(stop)))
        await asyncio.wait_for(consumer.consuming.wait(), 10)
        return consumer

    yield start
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        delays = {d for c in started for d in c.retry_delays} or {0.1}
        for q in (names["queue"], dead_letter_queue_name(names["queue"]),
                  *(retry_queue_name(names["queue"], d) for d in delays)):
            await channel.queue_delete(q)
        await channel.exchange_delete(names["exchange"])
    async with db.engine.begin() as conn:
        await conn.execute(sa.text("TRUNCATE effects, outbox, inbox"))
