"""Outbox lag at a fixed event rate: from the commit of the transaction that records an event to its
delivery to a consumer, through the platform's own relay (shared.events.outbox) and RabbitMQ.
Not a test.

    .venv/bin/python -m bench.outbox_lag [--rate 1000] [--seconds 20] [--producers 20]

Builds its own database (zcb_outbox, migrated like the units service, whose outbox is the same
as every service's) and its own exchange (``zcb.events``) and queue on the local broker. Producer
processes record one event per transaction at the offered rate (open loop, evenly spaced); one relay
process runs as a service's worker runs it; a consumer takes each message and measures now minus
the time the event was recorded.
Prints the achieved rate and the lag's p50/p95/p99/max.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
import uuid

import aio_pika

from services.units.app import MIGRATIONS
from shared.db import Database, upgrade_to_head
from shared.events.catalogue import UnitUpdated
from shared.events.envelope import Envelope
from shared.events.outbox import OutboxRelay, record_event
from shared.testing.infra import LOCAL_PG, recreate_database

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
EXCHANGE = "zcb.events"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _relay(url: str, seconds: float) -> None:
    """The relay in a process of its own, as `python -m services.<name>.worker` runs it."""
    async def run() -> None:
        db = Database(url, pool_size=2, max_overflow=0)
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(seconds, stop.set)
        await OutboxRelay(db.sessionmaker, AMQP, EXCHANGE, service="bench").run(stop)
        await db.dispose()
    asyncio.run(run())


def _produce(url: str, rate: float, total: int, producers: int, start: float, k0: int, step: int) -> None:
    """Evenly spaced events from ``start`` (wall clock), one transaction each, in a process of its own."""
    async def run() -> None:
        db = Database(url, pool_size=producers, max_overflow=0)

        async def producer(k: int) -> None:
            for n in range(k, total, step):
                if (wait := start + n / rate - time.time()) > 0:
                    await asyncio.sleep(wait)
                async with db.sessionmaker() as session, session.begin():
                    await record_event(session, "bench", uuid.uuid4(), UnitUpdated(
                        unit_id=uuid.uuid4(), name="压测单位", credit_code="91350000MA00000000",
                        department_code="FJ-RSW", legal_account_id=uuid.uuid4()))

        await asyncio.gather(*(producer(k) for k in range(k0, k0 + producers)))
        await db.dispose()
    asyncio.run(run())


async def main(rate: float, seconds: float, producers: int, processes: int) -> None:
    url = await recreate_database(LOCAL_PG, "zcb_outbox")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    total = int(rate * seconds)
    lags: list[float] = []

    connection = await aio_pika.connect(AMQP)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=1000)
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    queue = await channel.declare_queue("", exclusive=True)
    await queue.bind(exchange, routing_key="#")
    done = asyncio.Event()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        env = Envelope.model_validate_json(message.body)
        lags.append((time.time() - env.occurred_at.timestamp()) * 1000)  # recorded → delivered
        await message.ack()
        if len(lags) >= total:
            done.set()

    await queue.consume(on_message)
    spawn = multiprocessing.get_context("spawn")
    start = time.time() + 3  # the processes' start-up
    step = producers * processes
    procs = [spawn.Process(target=_relay, args=(url, seconds + 30))] + [
        spawn.Process(target=_produce, args=(url, rate, total, producers, start, p * producers, step))
        for p in range(processes)]
    for proc in procs:
        proc.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=seconds + 30)
    except TimeoutError:
        pass
    elapsed = time.time() - start
    for proc in procs:
        proc.terminate()
        proc.join()
    await connection.close()
    print(f"offered {rate:.0f} events/s for {seconds:.0f}s ({processes} producer processes, one relay process): "
          f"delivered {len(lags)} of {total} in {elapsed:.1f}s")
    if lags:
        print(f"lag recorded → consumer: p50 {statistics.median(lags):.0f} ms, p95 {pct(lags, 95):.0f} ms, "
              f"p99 {pct(lags, 99):.0f} ms, max {max(lags):.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--producers", type=int, default=10, help="concurrent transactions per producer process")
    parser.add_argument("--processes", type=int, default=2, help="producer processes (services recording events)")
    args = parser.parse_args()
    asyncio.run(main(args.rate, args.seconds, args.producers, args.processes))
