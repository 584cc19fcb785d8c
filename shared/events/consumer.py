"""Idempotent event consumers.

Each consumer owns one durable quorum queue. A message is acknowledged only after the handler's
transaction committed; the inbox row written in that same transaction makes a redelivery a
no-op. A failing handler is retried with back-off, and after ``max_attempts`` deliveries the
broker moves the message to the queue's dead-letter queue (see ``deadletters``). The consumer
reconnects by itself when the broker goes away and resumes consuming.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import aio_pika
import sqlalchemy as sa
from aio_pika.abc import AbstractIncomingMessage
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.broker import declare_consumer_queue, declare_events_exchange
from shared.events.envelope import Envelope
from shared.logging import request_id_var

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession | None, Envelope], Awaitable[None]]

inbox = sa.table(
    "inbox",
    sa.column("event_id", pg.UUID(as_uuid=True)),
    sa.column("consumer", sa.String),
    sa.column("processed_at", sa.DateTime(timezone=True)),
)



class Consumer:
    """``sessionmaker=None`` makes a *listener*: a private queue that lives as long as its
    connection, no inbox, for process-local reactions that are harmless to repeat or miss (the
    gateway forgetting cached tokens)."""

    def __init__(self, *, queue: str, routing_keys: list[str], handler: Handler,
                 sessionmaker: async_sessionmaker[AsyncSession] | None, amqp_url: str, exchange: str,
                 max_attempts: int = 5, prefetch: int = 32, backoff_base: float = 0.5,
                 backoff_max: float = 30.0) -> None:
        self.queue = queue
        self.routing_keys = routing_keys
        self.handler = handler
        self.sessionmaker = sessionmaker
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.max_attempts = max_attempts
        self.prefetch = prefetch
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.consuming = asyncio.Event()  # set while subscribed; tests wait on it
        self.subscriptions = 0  # how many times it (re)subscribed

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        backoff = 0.5
        while not stop.is_set():
            connection = None
            try:
                connection = await aio_pika.connect(self.amqp_url, timeout=10)
                lost = asyncio.Event()
                connection.close_callbacks.add(lambda *_, lost=lost: lost.set())
                channel = await connection.channel()
                await channel.set_qos(prefetch_count=self.prefetch)
                exchange = await declare_events_exchange(channel, self.exchange)
                # The broker counts redeliveries; after limit+1 deliveries it dead-letters.
                if self.sessionmaker is None:
                    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
                    for key in self.routing_keys:
                        await queue.bind(exchange, routing_key=key)
                else:
                    queue = await declare_consumer_queue(channel, exchange, self.queue, self.routing_keys,
                                                         delivery_limit=self.max_attempts - 1)
                await queue.consume(self._on_message)
                self.consuming.set()
                self.subscriptions += 1
                backoff = 0.5
                log.info("consuming %s", self.queue)
                await _first_of(stop.wait(), lost.wait())
                if not stop.is_set():
                    log.warning("lost the broker connection of %s; reconnecting", self.queue)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("consumer %s cannot reach the broker; retrying in %.1fs", self.queue, backoff,
                            exc_info=True)
            finally:
                self.consuming.clear()
                if connection is not None and not connection.is_closed:
                    try:
                        await connection.close()
                    except Exception:
                        pass
            if not stop.is_set():
                try:
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                except TimeoutError:
                    pass
                backoff = min(backoff * 2, 15)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = Envelope.model_validate_json(message.body)
        except ValidationError:
            log.error("unreadable message %s on %s; dead-lettering it", message.message_id, self.queue)
            await message.reject(requeue=False)
            return
        token = request_id_var.set(envelope.request_id)
        try:
            await self.handle(envelope)
            await message.ack()
        except Exception:
            attempt = int((message.headers or {}).get("x-delivery-count") or 0) + 1
            delay = min(self.backoff_base * 2 ** (attempt - 1), self.backoff_max)
            log.exception("handler of %s failed on %s (attempt %d of %d)", self.queue, envelope.type, attempt,
                          self.max_attempts)
            if attempt < self.max_attempts:
                await asyncio.sleep(delay)
            try:
                await message.nack(requeue=True)
            except Exception:  # channel gone: the broker redelivers it anyway
                pass
        finally:
            request_id_var.reset(token)

    async def handle(self, envelope: Envelope) -> bool:
        """Run the handler once per event id; returns False for a duplicate."""
        if self.sessionmaker is None:
            await self.handler(None, envelope)
            return True
        async with self.sessionmaker() as session, session.begin():
            first = await session.execute(
                pg.insert(inbox).values(event_id=envelope.id, consumer=self.queue)
                .on_conflict_do_nothing().returning(inbox.c.event_id)
            )
            if first.first() is None:
                log.info("event %s already handled by %s; skipping", envelope.id, self.queue)
                return False
            await self.handler(session, envelope)
            return True


async def _first_of(*aws: Awaitable[object]) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


async def prune_inbox(sessionmaker: async_sessionmaker[AsyncSession], *, older_than: dt.timedelta) -> int:
    """Forget handled event ids older than any redelivery can be (the broker gives up long before)."""
    async with sessionmaker() as session, session.begin():
        result = await session.execute(sa.delete(inbox).where(
            inbox.c.processed_at < dt.datetime.now(dt.UTC) - older_than))
        return result.rowcount
