"""Benchmark: unit search by partial Chinese name over 100,000 units.

    .venv/bin/python -m bench.units_search [--units 100000] [--rounds 400] [--concurrency 16]

Builds its own database (zcb_units) migrated like the service, seeds plausible unit names,
then runs the service's own search (the same query and index the API uses) for a mix of short,
common and rare terms, sequentially and concurrently, and prints p50/p95/p99 per term length.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time

import sqlalchemy as sa

from services.units.app import MIGRATIONS
from services.units.departments import sync_departments
from services.units.models import Unit
from services.units.search import forget_answers, search_units
from services.units.seed import filler_units
from shared.db import Database, upgrade_to_head
from shared.deps import PageParams
from shared.testing.infra import LOCAL_PG, recreate_database

TERMS = {
    "2 字（常见）": ["福州", "医院", "工程", "科技", "中学"],
    "3-4 字": ["设计院", "人民医院", "建筑工程", "实验小学", "疾病预防"],
    "5 字以上": ["厦门市华盛建筑", "泉州市鑫达电子科技", "龙岩市宏泰测绘院", "职业技术学院"],
    "无结果": ["不存在的单位", "火星研究所"],
}


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def main(units: int, rounds: int, concurrency: int) -> None:
    url = await recreate_database(LOCAL_PG, "zcb_units")
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    db = Database(url, pool_size=concurrency, max_overflow=0)
    started = time.perf_counter()
    async with db.sessionmaker() as session, session.begin():
        await sync_departments(session)
        rows = filler_units(units, seed=42)
        for i in range(0, len(rows), 5000):
            await session.execute(sa.insert(Unit), rows[i:i + 5000])
    async with db.engine.begin() as conn:
        await conn.execute(sa.text("ANALYZE units"))
    print(f"seeded {units:,} units in {time.perf_counter() - started:.1f}s")

    page = PageParams(page=1, page_size=10)

    served = False  # False: every search reaches the database; True: as the service answers (kept answers)

    async def one(term: str) -> float:
        if not served:
            forget_answers()
        async with db.sessionmaker() as session:
            t = time.perf_counter()
            await search_units(session, term, page)
            return (time.perf_counter() - t) * 1000

    for term in (t for ts in TERMS.values() for t in ts):  # warm caches and the plan cache
        await one(term)
    for served in (False, True):
        await report(one, rounds, concurrency, "as served (answers kept 30 s)" if served else "database (no kept answers)")
    await db.dispose()


async def report(one, rounds: int, concurrency: int, title: str) -> None:
    print(f"\n{title}\n{'terms':<14}{'mode':<14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for label, terms in TERMS.items():
        seq = [await one(random.choice(terms)) for _ in range(rounds)]
        sem = asyncio.Semaphore(concurrency)

        async def guarded(term: str, sem: asyncio.Semaphore = sem) -> float:
            async with sem:
                return await one(term)

        wall = time.perf_counter()
        conc = list(await asyncio.gather(*(guarded(random.choice(terms)) for _ in range(rounds))))
        rate = rounds / (time.perf_counter() - wall)
        for mode, values in (("sequential", seq), (f"{concurrency} at once", conc)):
            print(f"{label:<14}{mode:<14}{len(values):>6}{statistics.median(values):>9.1f}{pct(values, 95):>9.1f}"
                  f"{pct(values, 99):>9.1f}{max(values):>9.1f}")
        print(f"{'':<14}{'throughput':<14}{rate:>6.0f}/s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(main(args.units, args.rounds, args.concurrency))
