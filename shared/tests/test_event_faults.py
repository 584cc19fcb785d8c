"""Fault tests of the event bus against real connections: the database cut away from a consumer,
the broker connection lost again and again, poison messages among healthy ones, dead letters that
are not JSON or come back during a replay, and a broker of the test's own restarted. Every
committed event is counted: none lost, none with two effects."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from urllib.parse import urlsplit

import aio_pika
import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from shared.db import Database
from shared.events import Envelope, OutboxRelay
from shared.events.broker import dead_letter_queue_name
from shared.events.consumer import queue_status
from shared.events.deadletters import list_dead_letters, replay_dead_letters
from shared.events.outbox import to_message
from shared.testing.proxy import tcp_proxy
from shared.testing.rabbit import RabbitNode, rabbitmq_bin
from shared.tests.eventbus import EFFECTS, CountingConsumer, ThingHappened, effects, make_consumer, record, until


async def _counts(db: Database) -> dict[str, int]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(sa.select(EFFECTS.c.label, sa.func.count()).group_by(EFFECTS.c.label))
        return dict(rows.all())


async def _all_once(db: Database, labels: list[str], timeout: float = 30) -> None:
    async def done():
        return set(await _counts(db)) >= set(labels)

    await until(done, timeout)
    await asyncio.sleep(0.5)  # late duplicates would show now
    counts = await _counts(db)
    assert sorted(counts) == sorted(labels), "lost or unexpected effects"
    assert {label: n for label, n in counts.items() if n != 1} == {}, "duplicated effects"


async def _publish(amqp_url: str, exchange_name: str, envelopes: list[Envelope]) -> None:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name)
        for env in envelopes:
            await exchange.publish(to_message(env), routing_key=env.type)


def _thing(label: str) -> Envelope:
    return Envelope.of("test", uuid.uuid4(), ThingHappened(thing_id=uuid.uuid4(), label=label))


@pytest.fixture
async def relay(db, amqp_url, names):
    stop = asyncio.Event()
    outbox = OutboxRelay(db.sessionmaker, amqp_url, names["exchange"], idle_interval=0.05)
    task = asyncio.create_task(outbox.run(stop))
    yield outbox
    stop.set()
    await task


async def test_a_database_outage_pauses_the_consumer_and_uses_no_attempt(db, amqp_url, names, running, relay):
    target = make_url(db.engine.url.render_as_string(hide_password=False))
    with tcp_proxy(target.host or "127.0.0.1", target.port or 5432) as proxy:
        proxied = Database(target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
                           pool_size=5, max_overflow=5)

        async def slow_effect(session, envelope):
            await asyncio.sleep(0.02)
            await session.execute(sa.insert(EFFECTS).values(event_id=envelope.id, label=envelope.payload().label))

        consumer = await running(CountingConsumer(
            queue=names["queue"], routing_keys=["test.thing.#"], handler=slow_effect, sessionmaker=proxied.sessionmaker,
            amqp_url=amqp_url, exchange=names["exchange"], max_attempts=2, retry_delays=(0.1,),
            outage_backoff_max=1.0))
        labels = [f"before-{i:02}" for i in range(30)]
        for label in labels:
            await record(db, label)

        async def some_handled():
            return len(await effects(db)) >= 5

        await until(some_handled)
        proxy.cut()  # the consumer's database goes away mid-stream
        for i in range(30):
            labels.append(f"during-{i:02}")
            await record(db, labels[-1])

        async def paused():
            return consumer.state.startswith("paused") and not consumer.consuming.is_set()

        await until(paused, timeout=10)
        await asyncio.sleep(3)  # longer than both attempts with their retry delay
        status = (await queue_status(amqp_url, [consumer], running_here=True))[names["queue"]]
        assert status["depth"] > 0 and status["consumer"]["state"].startswith("paused")  # the operator sees it
        proxy.restore()

        await _all_once(db, labels)
        assert consumer.consuming.is_set() and consumer.outages >= 1 and consumer.failures == 0
        assert await list_dead_letters(amqp_url, names["queue"]) == []
        await proxied.dispose()


class GatedConsumer(CountingConsumer):
    """Holds every message until the gate opens, without a database connection."""

    gate: asyncio.Event

    async def handle(self, envelope: Envelope) -> bool:
        await self.gate.wait()
        return await super().handle(envelope)


async def test_lost_connections_of_a_consumer_do_not_dead_letter_what_it_had_in_hand(db, amqp_url, names, running):
    url = urlsplit(amqp_url)
    with tcp_proxy(url.hostname or "127.0.0.1", url.port or 5672) as proxy:
        proxied_url = url._replace(netloc=f"{url.username}:{url.password}@127.0.0.1:{proxy.port}").geturl()
        consumer = make_consumer(db, proxied_url, names, cls=GatedConsumer, max_attempts=2)
        consumer.gate = asyncio.Event()
        await running(consumer)
        envelopes = [_thing(f"thing-{i:02}") for i in range(40)]
        await _publish(amqp_url, names["exchange"], envelopes)
        crashes = 6  # more than the old delivery limit (attempts - 1) allowed
        for n in range(1, crashes + 1):
            async def in_hand(n=n):
                return consumer.subscriptions == n and consumer.status()["in_hand"] >= 32

            await until(in_hand, timeout=20)
            proxy.cut()  # as for a consumer killed with its prefetch in hand
            await asyncio.sleep(0.3)
            proxy.restore()
        await asyncio.wait_for(consumer.consuming.wait(), 20)
        consumer.gate.set()
        await _all_once(db, [e.payload().label for e in envelopes])
        assert consumer.broker_deliveries >= crashes  # the broker did count every crash
        assert await list_dead_letters(amqp_url, names["queue"]) == []


async def test_poison_messages_retry_later_while_healthy_events_flow(db, amqp_url, names, running):
    async def poisoned(session, envelope):
        if envelope.payload().label.startswith("poison"):
            raise RuntimeError("this handler cannot take that one")
        await session.execute(sa.insert(EFFECTS).values(event_id=envelope.id, label=envelope.payload().label))

    consumer = await running(make_consumer(db, amqp_url, names, handler=poisoned, prefetch=4, max_attempts=3,
                                           retry_delays=(0.5, 1.0)))
    poison = [_thing(f"poison-{i:02}") for i in range(20)]
    await _publish(amqp_url, names["exchange"], poison)
    healthy = [_thing(f"healthy-{i:02}") for i in range(20)]
    await _publish(amqp_url, names["exchange"], healthy)
    await _all_once(db, [e.payload().label for e in healthy])
    async with db.engine.connect() as conn:
        waited = await conn.scalar(sa.select(sa.func.max(EFFECTS.c.at)))
    slowest = waited - min(e.occurred_at for e in healthy)
    assert slowest < dt.timedelta(seconds=1.5), f"healthy events waited {slowest} behind poison"

    async def all_dead():
        return (await queue_status(amqp_url, [consumer], running_here=True))[names["queue"]]["dead"] == 20

    await until(all_dead, timeout=30)
    dead = await list_dead_letters(amqp_url, names["queue"])
    assert sorted(d["body"]["data"]["label"] for d in dead) == [e.payload().label for e in poison]
    assert {d["attempts"] for d in dead} == {3} and all("cannot take" in d["error"] for d in dead)
    status = (await queue_status(amqp_url, [consumer], running_here=True))[names["queue"]]
    assert status["depth"] == 0 and status["retrying"] == 0 and status["consumer"]["failures"] == 60


async def test_dead_letters_that_are_not_json_are_listed(db, amqp_url, names, running):
    await running(make_consumer(db, amqp_url, names))
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.default_exchange.publish(aio_pika.Message(b"\xffnot json at all", message_id="broken-1"),
                                               routing_key=names["queue"])

    async def dead():
        return len(await list_dead_letters(amqp_url, names["queue"])) == 1

    await until(dead)
    [letter] = await list_dead_letters(amqp_url, names["queue"])
    assert letter["event_id"] == "broken-1" and letter["body"] == "\ufffdnot json at all"


async def test_replay_takes_a_snapshot_replays_each_once_and_keeps_the_history(db, amqp_url, names, running):
    fixed = asyncio.Event()

    async def broken_until_fixed(session, envelope):
        if not fixed.is_set():
            raise RuntimeError("still broken")
        await session.execute(sa.insert(EFFECTS).values(event_id=envelope.id, label=envelope.payload().label))

    await running(make_consumer(db, amqp_url, names, handler=broken_until_fixed, max_attempts=2,
                                retry_delays=(0.01,)))
    envelopes = [_thing(f"dead-{i:02}") for i in range(30)]
    await _publish(amqp_url, names["exchange"], envelopes)

    async def count_dead(n):
        return len(await list_dead_letters(amqp_url, names["queue"])) == n

    await until(lambda: count_dead(30), timeout=30)
    # Still broken: what is replayed comes straight back while the replay runs; it is not met again.
    assert await asyncio.wait_for(replay_dead_letters(amqp_url, names["queue"]), 30) == 30
    await until(lambda: count_dead(30), timeout=30)
    dead = await list_dead_letters(amqp_url, names["queue"])
    assert {d["replays"] for d in dead} == {1} and {d["attempts"] for d in dead} == {2}

    connection = await aio_pika.connect(amqp_url)  # the first life's x-death travels along
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(dead_letter_queue_name(names["queue"]))
        message = await queue.get(no_ack=False)
        [life] = message.headers["x-zc-history"]
        assert life["attempts"] == 2 and life["x-death"][0]["reason"] == "expired"
        await message.nack(requeue=True)

    fixed.set()
    assert await replay_dead_letters(amqp_url, names["queue"]) == 30
    await _all_once(db, [e.payload().label for e in envelopes])
    assert await list_dead_letters(amqp_url, names["queue"]) == []


@pytest.fixture
async def own_broker(tmp_path):
    if rabbitmq_bin("rabbitmq-server") is None:
        pytest.skip("rabbitmq-server is needed for a broker of the test's own")
    node = RabbitNode(tmp_path / "rabbit")
    await asyncio.to_thread(node.start)
    yield node
    await asyncio.to_thread(node.stop)


async def test_consumers_are_back_within_30s_of_a_broker_restart(db, own_broker, names):
    stop = asyncio.Event()
    consumer = make_consumer(db, own_broker.url, names)
    relay = OutboxRelay(db.sessionmaker, own_broker.url, names["exchange"], idle_interval=0.05)
    tasks = [asyncio.create_task(consumer.run(stop)), asyncio.create_task(relay.run(stop))]
    try:
        await asyncio.wait_for(consumer.consuming.wait(), 20)
        labels = []
        for phase in ("before", "during", "after"):
            if phase == "during":
                await asyncio.to_thread(own_broker.stop)
            if phase == "after":
                await asyncio.to_thread(own_broker.start)
                back = asyncio.get_running_loop().time()
                await asyncio.wait_for(consumer.consuming.wait(), 30)
                assert asyncio.get_running_loop().time() - back < 30
            for i in range(20):
                labels.append(f"{phase}-{i:02}")
                await record(db, labels[-1])  # committed while the broker is away too: must arrive
        await _all_once(db, labels, timeout=60)
        assert consumer.subscriptions == 2
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("TRUNCATE effects, outbox, inbox"))


def test_the_services_show_their_queues(stack):
    queues = httpx.get(f"{stack.identity}/readyz/events", timeout=10).json()["queues"]
    units = queues["identity.units"]
    assert isinstance(units["depth"], int) and units["dead"] == 0 and units["retrying"] == 0
    assert units["consumer"]["state"] == "consuming" and units["consumer"]["failures"] == 0
