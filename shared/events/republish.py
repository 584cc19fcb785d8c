"""Operator command: publish past events again, from the producer's outbox.

    python -m shared.events.republish SERVICE TYPE [--since YYYY-MM-DD] [--subject ID]
    python -m shared.events.republish library library.entry.approved --since 2026-01-01

Sent outbox rows are kept: they are the producer's log of its facts. Marking some unsent again
lets the running relay publish them once more, so that a consumer that arrived later (a new
service, a new queue) can build its read model from the whole history. TYPE may end in ``*``
(``library.entry.*``).

What it may repeat: every consumer bound to TYPE gets those events again. An event handled in
the last 14 days is skipped by the inbox; an older one runs its handler again, which must
therefore be idempotent by key (upserts keyed by the subject that only a newer fact changes;
see services/*/handlers.py). A handler that is not (a counter, a notification) must not bind a
republished type."""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Database
from shared.events.outbox import outbox


async def mark_unsent(session: AsyncSession, type_: str, *, since: dt.datetime | None = None,
                      subject: str | None = None) -> int:
    where = [outbox.c.type.like(type_[:-1] + "%") if type_.endswith("*") else outbox.c.type == type_]
    if since is not None:
        where.append(outbox.c.created_at >= since)
    if subject is not None:
        where.append(outbox.c.envelope["subject"].astext == subject)
    result = await session.execute(sa.update(outbox).where(*where, outbox.c.sent_at.is_not(None)).values(sent_at=None))
    return result.rowcount


async def _run(args: argparse.Namespace) -> int:
    settings = importlib.import_module(f"services.{args.service}.settings").get_settings()
    db = Database(settings.database_url, pool_size=1, max_overflow=0)
    since = dt.datetime.combine(args.since, dt.time(), tzinfo=dt.UTC) if args.since else None
    try:
        async with db.sessionmaker() as session, session.begin():
            return await mark_unsent(session, args.type, since=since, subject=args.subject)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.events.republish", description="重新发布历史事件")
    parser.add_argument("service", help="the producer, e.g. library")
    parser.add_argument("type", help="event type, e.g. library.entry.approved or library.entry.*")
    parser.add_argument("--since", type=dt.date.fromisoformat)
    parser.add_argument("--subject")
    count = asyncio.run(_run(parser.parse_args()))
    print(f"{count} events will be published again by the service's relay; every consumer of them gets them "
          "again: those handled in the last 14 days are skipped (inbox), older ones are applied again by "
          "their idempotent handlers")


if __name__ == "__main__":
    main()
