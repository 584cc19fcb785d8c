"""Watching the bus in end-to-end tests: what did the services publish while something happened?"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aio_pika


@dataclass
class Seen:
    body: dict[str, Any]
    persistent: bool


def capture_events(amqp_url: str, routing_key: str, action: Callable[[], Any], *,
                   until: Callable[[list[Seen]], bool] | None = None, timeout: float = 10.0) -> tuple[Any, list[Seen]]:
    """Run ``action`` (blocking, in a thread) while listening on ``routing_key``; returns its
    result and the events seen, once ``until(seen)`` holds or ``timeout`` passed quietly."""

    async def run() -> tuple[Any, list[Seen]]:
        connection = await aio_pika.connect(amqp_url)
        async with connection:
            channel = await connection.channel()
            exchange = await channel.declare_exchange("zc.events", aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue(exclusive=True)
            await queue.bind(exchange, routing_key)
            result = await asyncio.to_thread(action)
            seen: list[Seen] = []
            try:
                async with queue.iterator(timeout=timeout) as messages:
                    async for message in messages:
                        seen.append(Seen(json.loads(message.body), message.delivery_mode == 2))
                        await message.ack()
                        if until and until(seen):
                            break
            except TimeoutError:
                pass
            return result, seen

    # In a thread of its own: Playwright's sync API (browser tests of the same session) keeps an
    # event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()
