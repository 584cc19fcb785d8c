"""The event bus under test: a test event, a consumer that counts, and helpers to wait and count."""
from __future__ import annotations

import asyncio
import uuid

import sqlalchemy as sa
from aio_pika.abc import AbstractIncomingMessage

from shared.db import Database
from shared.events import Envelope, record_event
from shared.events.catalogue import EventData, register_test_event
from shared.events.consumer import Consumer


class ThingHappened(EventData):
    thing_id: uuid.UUID
    label: str


register_test_event("test.thing.happened", ThingHappened)
EFFECTS = sa.table("effects", sa.column("event_id"), sa.column("label"), sa.column("at"))


async def effects(db: Database) -> list[str]:
    async with db.engine.connect() as conn:
        return list((await conn.execute(sa.select(EFFECTS.c.label).order_by(EFFECTS.c.label))).scalars())


async def has(db: Database, labels: list[str]) -> bool:
    return await effects(db) == labels


async def record(db: Database, label: str, *, commit: bool = True) -> Envelope:
    async with db.sessionmaker() as session:
        env = await record_event(session, "test", uuid.uuid4(), ThingHappened(thing_id=uuid.uuid4(), label=label))
        await (session.commit() if commit else session.rollback())
    return env


class CountingConsumer(Consumer):
    """Counts deliveries (duplicates included) besides doing the real work, and remembers the
    highest delivery count the broker put on a message."""

    deliveries = 0
    broker_deliveries = 0

    async def handle(self, envelope: Envelope) -> bool:
        self.deliveries += 1
        return await super().handle(envelope)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        count = int((message.headers or {}).get("x-delivery-count") or 0)
        self.broker_deliveries = max(self.broker_deliveries, count)
        await super()._on_message(message)


async def write_effect(session, envelope: Envelope) -> None:
    await session.execute(sa.insert(EFFECTS).values(event_id=envelope.id, label=envelope.payload().label))


def make_consumer(db, amqp_url, names, handler=write_effect, cls=CountingConsumer, **kw) -> Consumer:
    return cls(queue=names["queue"], routing_keys=["test.thing.#"], handler=handler, sessionmaker=db.sessionmaker,
               amqp_url=amqp_url, exchange=names["exchange"], **{"retry_delays": (0.1,), **kw})


async def until(predicate, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)
