"""RabbitMQ topology: one durable topic exchange for events, one quorum queue per service and
purpose, each with its own dead-letter queue."""
from __future__ import annotations

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractQueue

DEAD_LETTER_EXCHANGE = "zc.dead"


def dead_letter_queue_name(queue: str) -> str:
    return f"{queue}.dead"


async def declare_events_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


async def declare_consumer_queue(channel: AbstractChannel, exchange: AbstractExchange, queue: str,
                                 routing_keys: list[str], *, delivery_limit: int) -> AbstractQueue:
    """The queue, its bindings, and where its poison messages go after ``delivery_limit`` tries."""
    dlx = await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    dlq = await channel.declare_queue(dead_letter_queue_name(queue), durable=True,
                                      arguments={"x-queue-type": "quorum"})
    await dlq.bind(dlx, routing_key=queue)
    q = await channel.declare_queue(
        queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": queue,
            # at-least-once dead-lettering: a message is never lost between queue and DLQ.
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
    )
    for key in routing_keys:
        await q.bind(exchange, routing_key=key)
    return q
