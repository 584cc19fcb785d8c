"""Operator command: list and replay dead letters.

    python -m shared.events.deadletters list QUEUE
    python -m shared.events.deadletters replay QUEUE [--id EVENT_ID]

A replayed message goes back to its own queue only (not to the exchange), so consumers that
already handled the event are not bothered again.
"""
from __future__ import annotations

import argparse
import asyncio
import json

import aio_pika

from shared.events.broker import dead_letter_queue_name
from shared.settings import platform_settings


async def list_dead_letters(amqp_url: str, queue: str) -> list[dict]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        dlq = await channel.declare_queue(dead_letter_queue_name(queue), passive=True)
        held, out = [], []
        while (message := await dlq.get(no_ack=False, fail=False)) is not None:
            held.append(message)
            deaths = (message.headers or {}).get("x-death") or []
            out.append({"event_id": message.message_id, "type": message.type,
                        "deaths": sum(int(d.get("count", 1)) for d in deaths) if deaths else 0,
                        "body": json.loads(message.body)})
        for message in held:  # only looking: put every one back
            await message.nack(requeue=True)
        return out


async def replay_dead_letters(amqp_url: str, queue: str, event_id: str | None = None) -> int:
    connection = await aio_pika.connect(amqp_url)
    replayed = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        dlq = await channel.declare_queue(dead_letter_queue_name(queue), passive=True)
        skipped = []
        while (message := await dlq.get(no_ack=False, fail=False)) is not None:
            if event_id and message.message_id != event_id:
                skipped.append(message)
                continue
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            headers["x-event-version"] = (message.headers or {}).get("x-event-version", 1)
            await channel.default_exchange.publish(
                aio_pika.Message(body=message.body, content_type=message.content_type,
                                 delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=message.message_id,
                                 correlation_id=message.correlation_id, type=message.type,
                                 app_id=message.app_id, headers=headers),
                routing_key=queue,
            )
            await message.ack()  # only after the broker confirmed the re-publish
            replayed += 1
        for message in skipped:
            await message.nack(requeue=True)
    return replayed


def main() -> None:
    parser = argparse.ArgumentParser(description="列出或重放死信（dead letters）")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_list = sub.add_parser("list")
    p_list.add_argument("queue")
    p_replay = sub.add_parser("replay")
    p_replay.add_argument("queue")
    p_replay.add_argument("--id", dest="event_id")
    args = parser.parse_args()
    url = platform_settings().amqp_url
    if args.cmd == "list":
        for item in asyncio.run(list_dead_letters(url, args.queue)):
            print(json.dumps(item, ensure_ascii=False))
    else:
        print(f"replayed {asyncio.run(replay_dead_letters(url, args.queue, args.event_id))}")


if __name__ == "__main__":
    main()
