"""The event bus against real PostgreSQL and RabbitMQ: outbox, inbox, retries, dead letters,
replay, and a consumer that comes back after its connection is dropped."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from urllib.parse import urlsplit

import aio_pika
import pytest
import sqlalchemy as sa

from shared.events import Envelope, OutboxRelay
from shared.events.deadletters import list_dead_letters, replay_dead_letters
from shared.events.outbox import to_message
from shared.tests.eventbus import ThingHappened, effects, has, make_consumer, record, until, write_effect


async def test_a_rolled_back_change_publishes_nothing(db, amqp_url, names, running):
    consumer = await running(make_consumer(db, amqp_url, names))
    await record(db, "rolled-back", commit=False)
    relay = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"])
    assert await relay.publish_pending() == 0
    await record(db, "committed")
    assert await relay.publish_pending() == 1
    await until(lambda: has(db, ["committed"]))
    await asyncio.sleep(0.3)
    assert await effects(db) == ["committed"] and consumer.deliveries == 1
    await relay.close()


async def test_relay_dying_between_publish_and_mark_still_gives_one_effect(db, amqp_url, names, running):
    consumer = await running(make_consumer(db, amqp_url, names))
    await record(db, "once")

    async def crash() -> None:
        raise RuntimeError("relay killed after the broker confirmed, before marking sent")

    dying = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"])
    dying.after_publish_hook = crash
    with pytest.raises(RuntimeError):
        await dying.publish_pending()
    await dying.close()
    async with db.engine.connect() as conn:  # the row is still unsent, so it is published again
        assert await conn.scalar(sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")) == 1

    relay = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"])
    assert await relay.publish_pending() == 1
    await relay.close()
    await until(lambda: _delivered(consumer, 2))
    assert await effects(db) == ["once"]
    async with db.engine.connect() as conn:
        assert await conn.scalar(sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")) == 0


async def _delivered(consumer, n):
    return consumer.deliveries >= n


async def test_the_same_event_delivered_twice_has_one_effect(db, amqp_url, names, running):
    consumer = await running(make_consumer(db, amqp_url, names))
    env = Envelope.of("test", uuid.uuid4(), ThingHappened(thing_id=uuid.uuid4(), label="dup"))
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(names["exchange"])
        await exchange.publish(to_message(env), routing_key=env.type)
        await exchange.publish(to_message(env), routing_key=env.type)
    await until(lambda: _delivered(consumer, 2))
    await until(lambda: has(db, ["dup"]))
    await asyncio.sleep(0.3)
    assert await effects(db) == ["dup"]


async def test_a_failing_handler_dead_letters_after_the_attempts_and_replay_works(db, amqp_url, names, running):
    calls = {"n": 0, "healthy": False}

    async def flaky(session, envelope):
        calls["n"] += 1
        if not calls["healthy"]:
            raise RuntimeError("downstream is broken")
        await write_effect(session, envelope)

    consumer = await running(make_consumer(db, amqp_url, names, handler=flaky, max_attempts=3))
    env = await record(db, "poison")
    relay = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"])
    await relay.publish_pending()
    await relay.close()

    async def dead_lettered():
        return len(await list_dead_letters(amqp_url, names["queue"])) == 1

    await until(dead_lettered)
    assert calls["n"] == 3  # exactly the configured attempts, then the consumer dead-lettered it
    assert await effects(db) == []
    [dead] = await list_dead_letters(amqp_url, names["queue"])
    assert dead["event_id"] == str(env.id) and dead["type"] == "test.thing.happened"
    assert await dead_lettered()  # listing does not consume

    calls["healthy"] = True  # the operator fixed the cause; now replay
    assert await replay_dead_letters(amqp_url, names["queue"]) == 1
    await until(lambda: has(db, ["poison"]))
    assert await list_dead_letters(amqp_url, names["queue"]) == []
    assert consumer.deliveries == 4


def _drop_connections(vhost: str) -> None:
    if shutil.which("rabbitmqctl") is None:
        pytest.skip("rabbitmqctl is needed to drop the broker's connections")
    subprocess.run(["rabbitmqctl", "-q", "close_all_connections", "--vhost", vhost, "test: broker connection lost"],
                   check=True, capture_output=True, timeout=60)


async def test_consumer_comes_back_after_the_broker_drops_its_connection(db, amqp_url, names, running):
    consumer = await running(make_consumer(db, amqp_url, names))
    stop = asyncio.Event()
    relay = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"], idle_interval=0.05)
    relay_task = asyncio.create_task(relay.run(stop))
    try:
        await record(db, "a-before")
        await until(lambda: has(db, ["a-before"]))

        vhost = urlsplit(amqp_url).path.lstrip("/") or "/"
        await asyncio.to_thread(_drop_connections, vhost)
        await record(db, "b-during")  # written while the bus is reconnecting: must not be lost
        await until(lambda: _back(consumer), timeout=30)
        assert consumer.subscriptions == 2  # it really lost the connection and subscribed again
        await record(db, "c-after")
        await until(lambda: has(db, ["a-before", "b-during", "c-after"]), timeout=30)
    finally:
        stop.set()
        await relay_task


async def _back(consumer):
    return consumer.consuming.is_set() and consumer.subscriptions == 2


async def test_a_consumer_that_arrives_later_gets_the_history_when_it_is_republished(db, amqp_url, names, running):
    from shared.events.republish import mark_unsent

    await record(db, "history-1")
    await record(db, "history-2")
    relay = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"])
    assert await relay.publish_pending() == 2  # nobody listens yet: the broker drops them
    consumer = await running(make_consumer(db, amqp_url, names))
    await record(db, "live")
    await relay.publish_pending()
    await until(lambda: has(db, ["live"]))

    async with db.sessionmaker() as session, session.begin():
        assert await mark_unsent(session, "test.thing.*") == 3
    assert await relay.publish_pending() == 3
    await relay.close()
    await until(lambda: has(db, ["history-1", "history-2", "live"]))
    await asyncio.sleep(0.3)
    assert await effects(db) == ["history-1", "history-2", "live"]  # "live" twice, handled once
    assert consumer.deliveries == 4


async def test_old_inbox_rows_are_pruned_and_recent_ones_kept(db):
    import datetime as dt

    from shared.events.consumer import prune_inbox

    async with db.engine.begin() as conn:
        await conn.execute(sa.text("INSERT INTO inbox (event_id, consumer, processed_at) VALUES "
                                   "(gen_random_uuid(), 'old', now() - interval '20 days'), "
                                   "(gen_random_uuid(), 'recent', now() - interval '1 day')"))
    assert await prune_inbox(db.sessionmaker, older_than=dt.timedelta(days=14)) == 1
    async with db.engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT consumer FROM inbox"))).scalars().all() == ["recent"]
        await conn.execute(sa.text("DELETE FROM inbox"))
        await conn.commit()


async def test_a_queue_declared_by_the_previous_version_is_used_as_it_is(db, amqp_url, names, running):
    connection = await aio_pika.connect(amqp_url)
    async with connection:  # as the previous version declared it: the broker's limit was the attempts
        channel = await connection.channel()
        await channel.declare_queue(names["queue"], durable=True, arguments={
            "x-queue-type": "quorum", "x-delivery-limit": 4, "x-dead-letter-exchange": "zc.dead",
            "x-dead-letter-routing-key": names["queue"], "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish"})
    await running(make_consumer(db, amqp_url, names))
    relay = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"])
    await record(db, "upgraded")
    assert await relay.publish_pending() == 1
    await relay.close()
    await until(lambda: has(db, ["upgraded"]))
