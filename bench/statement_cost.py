"""What one database statement costs the service that sends it: CPU milliseconds per statement
through asyncpg alone, through SQLAlchemy Core and through an ORM session, on identity's database
of `./dev up` (docs/benchmarks.md, issue 15: the reason the hot reads send fewer statements).

    .venv/bin/python -m bench.statement_cost [--rounds 2000]
"""
from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import asyncpg
import sqlalchemy as sa

from bench.seed_volume import database_url
from services.identity.models import Person, RoleGrant
from shared.db import Database


async def cpu_ms(rounds: int, step: Callable[[], Awaitable[object]]) -> float:
    for _ in range(50):  # warm: prepared statements, SQLAlchemy's compiled cache
        await step()
    started = time.process_time()
    for _ in range(rounds):
        await step()
    return (time.process_time() - started) / rounds * 1000


async def main(rounds: int) -> None:
    raw = await asyncpg.connect(database_url("identity"))
    db = Database(database_url("identity", sqlalchemy=True))
    try:
        person_id = await raw.fetchval("SELECT id FROM persons LIMIT 1")
        if person_id is None:
            raise SystemExit("identity has no person: start ./dev up first")
        roles = sa.select(RoleGrant.role).where(RoleGrant.person_id == person_id)

        async def core() -> None:
            async with db.engine.connect() as conn:
                await conn.execute(roles)

        async def session(statements: int, read_only: bool) -> None:
            async for s in db.session(read_only=read_only):
                for _ in range(statements):
                    await s.get(Person, person_id, populate_existing=True)

        rows = [("asyncpg: one statement", lambda: raw.fetch("SELECT role FROM role_grants WHERE person_id = $1",
                                                             person_id)),
                ("SQLAlchemy Core: connection and one statement", core),
                ("ORM session, no statement (ReadSession)", lambda: session(0, True)),
                ("ORM session, one statement (ReadSession)", lambda: session(1, True)),
                ("ORM session, four statements (ReadSession)", lambda: session(4, True)),
                ("ORM session, one statement (DbSession: BEGIN/COMMIT)", lambda: session(1, False))]
        print(f"CPU ms per round, {rounds} rounds each, one at a time")
        for label, step in rows:
            print(f"{label:<55}{await cpu_ms(rounds, step):8.3f}")
    finally:
        await raw.close()
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2000)
    asyncio.run(main(parser.parse_args().rounds))
