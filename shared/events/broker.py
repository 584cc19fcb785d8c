"""RabbitMQ topology: one durable topic exchange for events; per consuming service and purpose a
quorum queue, its dead-letter queue and its delayed-retry queues.

A handler that failed does not hold its queue: the consumer publishes a copy to a retry queue
(``<queue>.retry.<ms>ms``, message TTL, dead-lettered back to ``<queue>`` when it expires) and
acks the original. The consumer counts the failures itself in the ``x-zc-attempts`` header of
those copies, so a crash or a lost connection (which the broker counts as a delivery) costs no
attempt; after the last attempt it publishes the message to ``<queue>.dead``. The broker's
``x-delivery-limit`` is only a far-away safety net for a message that kills its consumer each
time it is delivered."""
from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange, AbstractQueue

DEAD_LETTER_EXCHANGE = "zc.dead"
ATTEMPTS_HEADER = "x-zc-attempts"  # how many times a handler failed on this message
ERROR_HEADER = "x-zc-error"  # the last failure, for the operator
HISTORY_HEADER = "x-zc-history"  # earlier lives of a replayed dead letter (their x-death)
# Deliveries the broker allows before it dead-letters by itself. Each crash or lost connection of
# a consumer counts one for every message it had in hand; 20 such in a row mean the message is what
# kills the consumer.
SAFETY_DELIVERY_LIMIT = 20
DEFAULT_RETRY_DELAYS = (1.0, 10.0, 60.0)  # seconds before the 2nd, 3rd, and every later attempt


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dead"


def retry_queue_name(queue: str, delay: float) -> str:
    return f"{queue}.retry.{round(delay * 1000)}ms"


async def declare_events_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_consumer_queue(channel: AbstractChannel, exchange: AbstractExchange, queue: str,
                                 routing_keys: list[str], *, retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS,
                                 delivery_limit: int = SAFETY_DELIVERY_LIMIT) -> AbstractQueue:
    """The queue, its bindings, its retry queues, and where its dead letters go."""
    dlx = await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    dlq = await channel.declare_queue(dead_letter_queue_name(queue), durable=True,
                                      arguments={"x-queue-type": "quorum"})
    await dlq.bind(dlx, routing_key=queue)
    # at-least-once dead-lettering (with reject-publish): never lost between two queues.
    safe_dead_lettering = {"x-queue-type": "quorum", "x-dead-letter-strategy": "at-least-once",
                           "x-overflow": "reject-publish"}
    for delay in retry_delays:
        await channel.declare_queue(retry_queue_name(queue, delay), durable=True, arguments={
            **safe_dead_lettering, "x-message-ttl": round(delay * 1000),
            "x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue})  # back to the queue when due
    q = await channel.declare_queue(queue, durable=True, arguments={
        **safe_dead_lettering, "x-delivery-limit": delivery_limit,
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE, "x-dead-letter-routing-key": queue})
    for key in routing_keys:
        await q.bind(exchange, routing_key=key)
    return q


async def message_counts(connection: AbstractConnection, names: list[str]) -> dict[str, int | None]:
    """Ready messages per queue (``None`` for a queue that does not exist yet), without touching them."""
    counts: dict[str, int | None] = {}
    channel = await connection.channel()
    for name in names:
        try:
            counts[name] = (await channel.declare_queue(name, passive=True)).declaration_result.message_count
        except aio_pika.exceptions.ChannelClosed:  # not declared yet: the broker closed the channel
            counts[name] = None
            channel = await connection.channel()
    await channel.close()
    return counts
