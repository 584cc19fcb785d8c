"""Operator command: list and replay dead letters.

    python -m shared.events.deadletters list QUEUE
    python -m shared.events.deadletters replay QUEUE [--id EVENT_ID]

``replay`` takes a snapshot: it counts the dead letters first and replays exactly that many, each
once, so a replay that fails again and comes back meanwhile waits for the next replay. A replayed
message goes back to its own queue only (not to the exchange), so consumers that already handled
the event are not bothered again; it starts with fresh attempts and carries its earlier lives
(their ``x-death`` and last error) in the ``x-zc-history`` header.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.events.broker import ATTEMPTS_HEADER, ERROR_HEADER, HISTORY_HEADER, dead_letter_queue_name
from shared.settings import platform_settings


def _describe(message: AbstractIncomingMessage) -> dict[str, Any]:
    headers = message.headers or {}
    deaths = headers.get("x-death") or []
    try:
        body: Any = json.loads(message.body)
    except ValueError:  # not JSON (often why it is here): show it as text
        body = message.body.decode("utf-8", errors="replace")
    return {"event_id": message.message_id, "type": message.type,
            "attempts": headers.get(ATTEMPTS_HEADER), "error": _text(headers.get(ERROR_HEADER)),
            "deaths": sum(int(d.get("count", 1)) for d in deaths),
            "replays": len(headers.get(HISTORY_HEADER) or []), "body": body}


async def _snapshot(channel: aio_pika.abc.AbstractChannel, queue: str) -> tuple[aio_pika.abc.AbstractQueue, int]:
    dlq = await channel.declare_queue(dead_letter_queue_name(queue), passive=True)
    return dlq, dlq.declaration_result.message_count or 0


async def list_dead_letters(amqp_url: str, queue: str) -> list[dict]:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        dlq, count = await _snapshot(channel, queue)
        held, out = [], []
        for _ in range(count):
            if (message := await dlq.get(no_ack=False, fail=False)) is None:
                break
            held.append(message)
            out.append(_describe(message))
        for message in held:  # only looking: put every one back
            await message.nack(requeue=True)
        return out


async def replay_dead_letters(amqp_url: str, queue: str, event_id: str | None = None) -> int:
    connection = await aio_pika.connect(amqp_url)
    replayed = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        dlq, count = await _snapshot(channel, queue)
        skipped = []
        for _ in range(count):  # what was there when we looked, not what arrives meanwhile
            if (message := await dlq.get(no_ack=False, fail=False)) is None:
                break
            if event_id and message.message_id != event_id:
                skipped.append(message)
                continue
            await channel.default_exchange.publish(_revived(message), routing_key=queue)
            await message.ack()  # only after the broker confirmed the re-publish
            replayed += 1
        for message in skipped:
            await message.nack(requeue=True)
    return replayed


def _revived(message: AbstractIncomingMessage) -> aio_pika.Message:
    """The message with fresh attempts; its broker headers move into its history."""
    old = message.headers or {}
    life = {"replayed_at": dt.datetime.now(dt.UTC).isoformat(), "attempts": old.get(ATTEMPTS_HEADER),
            "error": _text(old.get(ERROR_HEADER)), "x-death": old.get("x-death") or []}
    headers = {k: v for k, v in old.items() if not k.startswith("x-")}
    headers["x-event-version"] = old.get("x-event-version", 1)
    headers[HISTORY_HEADER] = [*(old.get(HISTORY_HEADER) or []), life]
    return aio_pika.Message(body=message.body, content_type=message.content_type,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=message.message_id,
                            correlation_id=message.correlation_id, type=message.type, timestamp=message.timestamp,
                            app_id=message.app_id, headers=headers)


def _text(value: Any) -> Any:
    return value.decode(errors="replace") if isinstance(value, bytes) else value


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
            print(json.dumps(item, ensure_ascii=False, default=str))
    else:
        print(f"replayed {asyncio.run(replay_dead_letters(url, args.queue, args.event_id))}")


if __name__ == "__main__":
    main()
