"""Transactional outbox: ``record_event`` writes the event in the caller's transaction; the
relay publishes unsent rows with publisher confirms and marks them sent.

A crash after publishing and before marking re-sends the rows on the next run; consumers are
idempotent (inbox), so the effect happens once. Several relays may run: ``SKIP LOCKED`` gives
each its own rows.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid

import aio_pika
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.broker import declare_events_exchange
from shared.events.catalogue import EventData
from shared.events.envelope import Envelope
from shared.logging import current_request_id
from shared.metrics import OUTBOX_PUBLISHED
from shared.tracing import current_context_carrier

log = logging.getLogger(__name__)

outbox = sa.table(
    "outbox",
    sa.column("id", pg.UUID(as_uuid=True)),
    sa.column("type", sa.String),
    sa.column("envelope", pg.JSONB),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("sent_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
)


async def record_event(session: AsyncSession, producer: str, subject: str | uuid.UUID, data: EventData) -> Envelope:
    """Add an event to the caller's transaction; it is published only if that commits."""
    env = Envelope.of(producer, subject, data, request_id=current_request_id(), trace=current_context_carrier())
    await session.execute(sa.insert(outbox).values(id=env.id, type=env.type, envelope=env.model_dump(mode="json")))
    return env


def to_message(env: Envelope) -> aio_pika.Message:
    return aio_pika.Message(
        body=env.model_dump_json().encode(),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,  # not the default in aio-pika
        message_id=str(env.id),
        correlation_id=env.request_id,
        type=env.type,
        timestamp=env.occurred_at,
        app_id=env.producer,
        headers={"x-event-version": env.version, **(env.trace or {})},  # traceparent, as other tools expect it
    )


class OutboxRelay:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], amqp_url: str, exchange: str, *,
                 batch_size: int = 200, idle_interval: float = 0.5, service: str = "") -> None:
        self.sessionmaker = sessionmaker
        self.published = OUTBOX_PUBLISHED.labels(service)
        self.amqp_url = amqp_url
        self.exchange_name = exchange
        self.batch_size = batch_size
        self.idle_interval = idle_interval
        self._connection: aio_pika.abc.AbstractConnection | None = None
        self._exchange: aio_pika.abc.AbstractExchange | None = None
        # Test hook: called after the broker confirmed a batch and before the rows are marked.
        self.after_publish_hook = None

    async def _ensure_exchange(self) -> aio_pika.abc.AbstractExchange:
        if self._connection is None or self._connection.is_closed or self._exchange is None:
            self._connection = await aio_pika.connect(self.amqp_url, timeout=10)
            channel = await self._connection.channel(publisher_confirms=True)
            self._exchange = await declare_events_exchange(channel, self.exchange_name)
        return self._exchange

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows; returns how many were published."""
        exchange = await self._ensure_exchange()
        async with self.sessionmaker() as session, session.begin():
            rows = (await session.execute(
                sa.select(outbox.c.id, outbox.c.type, outbox.c.envelope)
                .where(outbox.c.sent_at.is_(None))
                .order_by(outbox.c.created_at)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )).all()
            if not rows:
                return 0
            envelopes = [Envelope.model_validate(r.envelope) for r in rows]
            # Publish concurrently and await the confirms together: one round trip per batch.
            await asyncio.gather(*(exchange.publish(to_message(e), routing_key=e.type) for e in envelopes))
            if self.after_publish_hook:
                await self.after_publish_hook()
            await session.execute(
                sa.update(outbox).where(outbox.c.id.in_([r.id for r in rows]))
                .values(sent_at=dt.datetime.now(dt.UTC), attempts=outbox.c.attempts + 1)
            )
        self.published.inc(len(rows))  # once committed
        return len(rows)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        backoff = 0.5
        while not stop.is_set():
            try:
                published = await self.publish_pending()
                backoff = 0.5
                if published:
                    log.debug("outbox relay published %d events", published)
                    continue
                wait = self.idle_interval
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox relay failed; retrying in %.1fs", backoff, exc_info=True)
                await self.close()
                wait, backoff = backoff, min(backoff * 2, 15)
            try:
                await asyncio.wait_for(stop.wait(), timeout=wait)
            except TimeoutError:
                pass
        await self.close()

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed:
            try:
                await self._connection.close()
            except Exception:  # a broken connection may fail to close; it is gone either way
                pass
        self._connection = None
        self._exchange = None
