"""Idempotent event consumers.

Each consumer owns one durable quorum queue. A message is acknowledged only after the handler's
transaction committed; the inbox row written in that same transaction makes a redelivery a
no-op. The consumer reconnects by itself when the broker goes away and resumes consuming.

Two kinds of failure are told apart:

- The database (or the network to it) is unreachable: that says nothing about the message. The
  consumer cancels its subscription, keeps the messages in hand, waits with back-off until the
  database answers, then handles them again and subscribes again. No attempt is used up.
- The handler itself failed on a message: one attempt. A copy carrying the count goes to a
  delayed-retry queue and the original is acked, so the queue keeps flowing; after
  ``max_attempts`` failures the message goes to the dead-letter queue (see ``broker`` and
  ``deadletters``).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika
import aiormq
import asyncpg
import sqlalchemy as sa
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.errors import causes, database_unreachable
from shared.events.broker import (
    ATTEMPTS_HEADER,
    DEAD_LETTER_EXCHANGE,
    DEFAULT_RETRY_DELAYS,
    ERROR_HEADER,
    declare_consumer_queue,
    declare_events_exchange,
    retry_queue_name,
)
from shared.events.envelope import Envelope
from shared.logging import request_id_var
from shared.metrics import EVENT_FAILURES, EVENT_LAG, EVENTS_HANDLED
from shared.tracing import consumer_span

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession | None, Envelope], Awaitable[None]]

inbox = sa.table(
    "inbox",
    sa.column("event_id", pg.UUID(as_uuid=True)),
    sa.column("consumer", sa.String),
    sa.column("processed_at", sa.DateTime(timezone=True)),
)

# Beyond the database (shared.errors): the broker, the network, time-outs.
_INFRASTRUCTURE = (OSError, TimeoutError, asyncpg.exceptions.OperatorInterventionError, aiormq.exceptions.AMQPError)


def is_infrastructure_error(exc: BaseException) -> bool:
    """A lost or refused connection (database, broker, network) or a timeout, anywhere in the
    chain of causes: nothing the message itself is to blame for."""
    return database_unreachable(exc) or any(isinstance(c, _INFRASTRUCTURE) for c in causes(exc))


class Consumer:
    """``sessionmaker=None`` makes a *listener*: a private queue that lives as long as its
    connection, no inbox, for process-local reactions that are harmless to repeat or miss (the
    gateway forgetting cached tokens); a failure is retried in place a few times, then dropped."""

    def __init__(self, *, queue: str, routing_keys: list[str], handler: Handler,
                 sessionmaker: async_sessionmaker[AsyncSession] | None, amqp_url: str, exchange: str,
                 max_attempts: int = 5, prefetch: int = 32,
                 retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS, outage_backoff_max: float = 15.0) -> None:
        self.queue = queue
        self.routing_keys = routing_keys
        self.handler = handler
        self.sessionmaker = sessionmaker
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.max_attempts = max_attempts
        self.prefetch = prefetch
        self.retry_delays = retry_delays
        self.outage_backoff_max = outage_backoff_max
        self.consuming = asyncio.Event()  # set while subscribed; tests wait on it
        self.subscriptions = 0  # how many times it (re)subscribed
        self.state = "starting"
        self.handled = 0
        self.failures = 0  # handler failures (attempts used up), not outages
        self.outages = 0  # times it paused because the database did not answer
        self.last_handled_at: dt.datetime | None = None
        self.last_event_at: dt.datetime | None = None  # when the last handled event happened
        self._in_hand: dict[int, dt.datetime] = {}  # messages being handled: when their events happened
        self._channel: AbstractChannel | None = None
        self._database_down = asyncio.Event()  # a handler found the database unreachable
        self._database_back = asyncio.Event()
        self._stop = asyncio.Event()
        self._handled_metric, self._failures_metric = EVENTS_HANDLED.labels(queue), EVENT_FAILURES.labels(queue)
        self._lag_metric = EVENT_LAG.labels(queue)

    def status(self) -> dict[str, Any]:
        """What an operator wants to see while a queue drains (see ``shared.app``)."""
        now = dt.datetime.now(dt.UTC)
        oldest = min(self._in_hand.values(), default=None)
        return {"state": self.state, "handled": self.handled, "failures": self.failures, "outages": self.outages,
                "in_hand": len(self._in_hand),
                "oldest_in_hand_age_seconds": _seconds(now - oldest) if oldest else None,
                "last_handled_age_seconds": _seconds(now - self.last_handled_at) if self.last_handled_at else None,
                "last_lag_seconds": _seconds(self.last_handled_at - self.last_event_at) if self.last_event_at else None}

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = self._stop = stop or asyncio.Event()
        backoff = 0.5
        while not stop.is_set():
            connection = None
            try:
                self.state = "connecting"
                connection = await aio_pika.connect(self.amqp_url, timeout=10)
                lost = asyncio.Event()
                connection.close_callbacks.add(lambda *_, lost=lost: lost.set())
                channel = self._channel = await connection.channel(publisher_confirms=True)
                await channel.set_qos(prefetch_count=self.prefetch)
                exchange = await declare_events_exchange(channel, self.exchange)
                if self.sessionmaker is None:
                    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
                    for key in self.routing_keys:
                        await queue.bind(exchange, routing_key=key)
                else:
                    try:
                        queue = await declare_consumer_queue(channel, exchange, self.queue, self.routing_keys,
                                                             retry_delays=self.retry_delays)
                    except aio_pika.exceptions.ChannelPreconditionFailed:
                        log.warning("queue %s was declared by an older version with other arguments (its delivery "
                                    "limit); using it as it is: drain and delete it to get the new ones", self.queue)
                        channel = self._channel = await connection.channel(publisher_confirms=True)
                        await channel.set_qos(prefetch_count=self.prefetch)
                        exchange = await declare_events_exchange(channel, self.exchange)
                        queue = await channel.declare_queue(self.queue, passive=True)
                        for key in self.routing_keys:
                            await queue.bind(exchange, routing_key=key)
                backoff = 0.5
                await self._consume(queue, stop, lost)
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
                self.state = "disconnected"
                await _wait(stop, backoff)
                backoff = min(backoff * 2, 5)  # short: back within seconds of the broker
        self.state = "stopped"
        self._database_back.set()  # messages waiting for the database give up: the broker has them again

    async def _consume(self, queue: AbstractQueue, stop: asyncio.Event, lost: asyncio.Event) -> None:
        """Subscribe; while the database is unreachable, unsubscribe and wait for it."""
        while not stop.is_set() and not lost.is_set():
            if self._database_down.is_set():
                self.state = "paused: database unreachable"
                await self._wait_for_database(stop, lost)
                continue
            tag = await queue.consume(self._on_message)
            self.consuming.set()
            self.subscriptions += 1
            self.state = "consuming"
            log.info("consuming %s", self.queue)
            await _first_of(stop.wait(), lost.wait(), self._database_down.wait())
            self.consuming.clear()
            if self._database_down.is_set() and not stop.is_set() and not lost.is_set():
                log.warning("database of %s unreachable: stopped consuming until it answers", self.queue)
                await queue.cancel(tag)

    async def _wait_for_database(self, stop: asyncio.Event, lost: asyncio.Event) -> None:
        backoff = 0.5
        while not stop.is_set() and not lost.is_set():
            if await self._database_answers():
                log.info("database of %s answers again; resuming", self.queue)
                self._database_down.clear()
                self._database_back.set()
                return
            await _wait(stop, backoff)
            backoff = min(backoff * 2, self.outage_backoff_max)

    async def _database_answers(self) -> bool:
        assert self.sessionmaker is not None
        try:
            async with self.sessionmaker() as session:
                await asyncio.wait_for(session.execute(sa.text("SELECT 1")), timeout=5)
            return True
        except Exception:
            return False

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = Envelope.model_validate_json(message.body)
        except ValidationError as exc:
            log.error("unreadable message %s on %s; dead-lettering it", message.message_id, self.queue)
            await self._forward(message, attempts=self.max_attempts, error=exc)
            return
        token = request_id_var.set(envelope.request_id)
        key = id(message)
        self._in_hand[key] = envelope.occurred_at
        try:
            # The span continues the trace of the request that recorded the event (see shared.tracing).
            with consumer_span(f"{self.queue} process", envelope.trace, {
                    "messaging.system": "rabbitmq", "messaging.operation.type": "process",
                    "messaging.destination.name": self.queue, "messaging.message.id": str(envelope.id),
                    "zc.event.type": envelope.type, "zc.request_id": envelope.request_id or ""}):
                await self._process(message, envelope)
        finally:
            self._in_hand.pop(key, None)
            request_id_var.reset(token)

    async def _process(self, message: AbstractIncomingMessage, envelope: Envelope) -> None:
        blips = 0  # infrastructure errors although the database answered: after a few, the handler's own
        tries = 0  # a listener's tries in place
        while True:
            try:
                await self.handle(envelope)
                break
            except Exception as exc:
                if self.sessionmaker is not None and is_infrastructure_error(exc) and blips < self.max_attempts:
                    if await self._database_answers():
                        blips += 1
                        await _wait(self._stop, 0.2 * blips)
                    else:
                        await self._ride_out_outage(exc)
                    if self._stop.is_set():
                        return  # not acked: the broker delivers it again
                    continue
                self.failures += 1
                self._failures_metric.inc()
                if self.sessionmaker is None:
                    tries += 1
                    log.exception("listener %s failed on %s (try %d of %d)", self.queue, envelope.type, tries,
                                  self.max_attempts)
                    if tries < self.max_attempts:
                        await _wait(self._stop, min(0.5 * 2 ** tries, 10))
                        continue
                    break  # harmless to miss: drop it
                attempts = int((message.headers or {}).get(ATTEMPTS_HEADER) or 0) + 1
                log.exception("handler of %s failed on %s %s (attempt %d of %d)", self.queue, envelope.type,
                              envelope.id, attempts, self.max_attempts)
                await self._forward(message, attempts=attempts, error=exc)
                return
        await _settle(message.ack())
        self.handled += 1
        self.last_handled_at, self.last_event_at = dt.datetime.now(dt.UTC), envelope.occurred_at
        self._handled_metric.inc()
        self._lag_metric.observe(_seconds(self.last_handled_at - envelope.occurred_at))

    async def _ride_out_outage(self, exc: BaseException) -> None:
        if not self._database_down.is_set():
            self.outages += 1
            log.warning("handler of %s cannot reach the database (%r); pausing", self.queue, exc)
            self._database_back.clear()
            self._database_down.set()  # the run loop unsubscribes and waits for the database
        await self._database_back.wait()

    async def _forward(self, message: AbstractIncomingMessage, *, attempts: int, error: BaseException) -> None:
        """Publish the message to its retry queue (or, after the last attempt, to the dead-letter
        queue) with the attempt count, and ack the original once the broker confirmed the copy."""
        if self.sessionmaker is None or self._channel is None:
            await _settle(message.reject(requeue=False))
            return
        headers = {k: v for k, v in (message.headers or {}).items() if k != "x-delivery-count"}  # the broker's
        headers.update({ATTEMPTS_HEADER: attempts, ERROR_HEADER: repr(error)[:500]})
        copy = aio_pika.Message(body=message.body, headers=headers, content_type=message.content_type,
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=message.message_id,
                                correlation_id=message.correlation_id, type=message.type,
                                timestamp=message.timestamp, app_id=message.app_id)
        try:
            if attempts >= self.max_attempts:
                log.error("dead-lettering %s from %s after %d attempts", message.message_id, self.queue, attempts)
                exchange = await self._channel.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
                await exchange.publish(copy, routing_key=self.queue)
            else:
                delay = self.retry_delays[min(attempts, len(self.retry_delays)) - 1]
                await self._channel.default_exchange.publish(copy, routing_key=retry_queue_name(self.queue, delay))
        except Exception:  # not confirmed (broker refused, or gone): the original goes back to the queue
            log.warning("could not set %s aside for a retry; it stays in %s", message.message_id, self.queue,
                        exc_info=True)
            await _wait(self._stop, 1.0)
            await _settle(message.nack(requeue=True))
            return
        await _settle(message.ack())

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


async def _settle(op: Awaitable[object]) -> None:
    try:
        await op
    except Exception:  # the channel is gone: the broker delivers the message again (the inbox dedups)
        pass


def _seconds(delta: dt.timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0), 3)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass


async def _first_of(*aws: Awaitable[object]) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for t in tasks:
            t.cancel()


async def prune_inbox(sessionmaker: async_sessionmaker[AsyncSession], *, older_than: dt.timedelta) -> int:
    """Forget handled event ids older than any redelivery can be. Replays later than that
    (``republish``) rely on the handlers being idempotent by key instead (see README)."""
    async with sessionmaker() as session, session.begin():
        result = await session.execute(sa.delete(inbox).where(
            inbox.c.processed_at < dt.datetime.now(dt.UTC) - older_than))
        return result.rowcount


async def queue_status(amqp_url: str, consumers: list[Consumer], *, running_here: bool) -> dict[str, Any]:
    """Per consumer queue: messages waiting (``depth``), waiting for a retry (``retrying``), dead
    letters (``dead``), and — where the consumer runs in this process — its own view (state, lag)."""
    from shared.events.broker import dead_letter_queue_name, message_counts

    durable = [c for c in consumers if c.sessionmaker is not None]
    connection = await aio_pika.connect(amqp_url, timeout=5)
    async with connection:
        counts = await message_counts(connection, [n for c in durable for n in (
            c.queue, dead_letter_queue_name(c.queue), *(retry_queue_name(c.queue, d) for d in c.retry_delays))])
    return {c.queue: {
        "depth": counts[c.queue],
        "retrying": sum(counts[retry_queue_name(c.queue, d)] or 0 for d in c.retry_delays),
        "dead": counts[dead_letter_queue_name(c.queue)],
        "consumer": c.status() if running_here else None,
    } for c in durable}
