"""Benchmark: a draft with 200 imported items, its section page, 申报一览表 and the API read,
through the gateway of a running stack.

    GATEWAY_RATE_LIMIT=1000/second ./dev up   # one person's requests back to back exceed 20/s
    .venv/bin/python -m bench.application_pages [--gateway http://127.0.0.1:8000] [--items 200] [--requests 100]
                                                [--checks 1000]

Signs in a fresh person through the 闽政通 simulator, uploads 20 small scans through the gateway,
then writes a draft to one of the seeded plans straight into applications' database (its read
models know the demo plans after ./dev up): ``--items`` imported items in the plan's first
category, each with one of the scans. Then requests each page ``--requests`` times, one at a
time, and prints p50/p95. Talks to loopback only; bounded in requests.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import time
import uuid

import sqlalchemy as sa

from bench.gateway_load import pct
from deploy.topology import database_name
from services.applications.models import Application, Item, Membership, Plan
from services.documents.tests.samples import png
from shared.db import Database
from shared.testing.fixtures import Stack, csrf_header

PAPER = {"title": "大跨度桥梁抗震性能研究", "publication": "土木工程学报", "issn_cn": "ISSN 1000-131X",
         "published_on": "2021-03-01", "author_rank": 1}


def sign_in(gateway: str, mzt: str):
    stack = Stack(gateway=gateway, identity="", mzt=mzt, internal_key="", identity_db="", urls=None, procs=None)
    browser, _ = stack.person_browser("压测申报人")
    me = browser.get(f"{gateway}/api/identity/me").json()
    files = []
    for n in range(20):
        uploaded = browser.post(f"{gateway}/api/documents/files", headers=csrf_header(browser, gateway),
                                data={"kind": "entry_attachment"}, files={"file": (f"证明{n}.png", png(), "image/png")})
        uploaded.raise_for_status()
        files.append(uuid.UUID(uploaded.json()["id"]))
    return browser, uuid.UUID(me["id"]), files


async def seed_draft(url: str, person_id: uuid.UUID, files: list[uuid.UUID], items: int) -> tuple[uuid.UUID, str]:
    db = Database(url, pool_size=1, max_overflow=0)
    try:
        async with db.sessionmaker() as session, session.begin():
            plan = await session.scalar(sa.select(Plan).where(Plan.status == "published").order_by(Plan.year.desc()))
            if plan is None:
                raise SystemExit("applications knows no published plan: start the platform with ./dev up first")
            category = plan.data["standard"]["groups"][0]["categories"][0]
            session.add(Membership(person_id=person_id, unit_id=uuid.uuid4(), unit_name="压测单位", active=True,
                                   changed_at=dt.datetime.now(dt.UTC)))
            app = Application(id=uuid.uuid4(), person_id=person_id, plan_id=plan.id, plan_year=plan.year,
                              plan_name=plan.data["name"], series=plan.data["series"], form="regular",
                              major=plan.data["majors"][0], title=plan.data["titles"][0]["name"],
                              level=plan.data["titles"][0]["level"], unit_id=uuid.uuid4(), unit_name="压测单位",
                              pledged_at=dt.datetime.now(dt.UTC), profile={}, teacher_profile={}, current_titles=[],
                              current_appointments=[], attachments=[], extra={})
            session.add(app)
            await session.flush()
            session.add_all(Item(id=uuid.uuid4(), application_id=app.id, section=category["id"], position=n,
                                 entry_id=uuid.uuid4(), entry_version=1, type="paper",
                                 fields={**PAPER, "title": f"{PAPER['title']}（{n + 1}）"},
                                 attachment_ids=[files[n % len(files)]], approved_at=dt.datetime.now(dt.UTC))
                            for n in range(items))
            return app.id, category["id"]
    finally:
        await db.dispose()


def timed(browser, url: str, n: int, method: str = "GET", headers: dict | None = None,
          server: list[float] | None = None) -> list[float]:
    """Client-side milliseconds of ``n`` requests; ``server`` collects the applications service's own
    time of each (its ``Server-Timing``, passed on by the gateway)."""
    out = []
    for _ in range(n):
        started = time.perf_counter()
        response = browser.request(method, url, headers=headers)
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.text[:300]}")
        if server is not None:
            server += [float(t.split("dur=")[1]) for t in response.headers.get_list("server-timing")
                       if t.startswith("applications;")]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--mzt", default="http://localhost:9100")
    parser.add_argument("--database", default=os.environ.get(
        "APPLICATIONS_DATABASE_URL", f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database_name('applications')}"))
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--checks", type=int, default=1000, help="开始检测 requests (p99 needs many)")
    args = parser.parse_args()
    browser, person_id, files = sign_in(args.gateway, args.mzt)
    app_id, section = asyncio.run(seed_draft(args.database, person_id, files, args.items))
    g = args.gateway
    pages = {f"section ({args.items} items)": f"{g}/apply/{app_id}?section={section}",
             "申报一览表": f"{g}/apply/{app_id}/overview", "附件一览表": f"{g}/apply/{app_id}/files",
             "API GET application": f"{g}/api/applications/applications/{app_id}"}
    print(f"{'page':<26}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'KiB':>7}")
    for name, url in pages.items():
        timed(browser, url, 3)  # warm up connections and caches
        values = timed(browser, url, args.requests)
        size = len(browser.get(url).content) / 1024
        print(f"{name:<26}{len(values):>5}{statistics.median(values):>9.1f}{pct(values, 95):>9.1f}{size:>7.0f}")
    # 开始检测: every rule of the standard over the 200 items (the same functions run at submission).
    checks, csrf = f"{g}/api/applications/applications/{app_id}/checks", csrf_header(browser, g)
    timed(browser, checks, 20, "POST", csrf)
    server: list[float] = []
    values = timed(browser, checks, args.checks, "POST", csrf, server=server)
    print(f"{'开始检测 (POST checks)':<26}{len(values):>5}{statistics.median(values):>9.1f}{pct(values, 95):>9.1f}"
          f"{'':>7}  p99 {pct(values, 99):.1f}")
    print(f"{'开始检测, server time':<26}{len(server):>5}{statistics.median(server):>9.1f}{pct(server, 95):>9.1f}"
          f"{'':>7}  p99 {pct(server, 99):.1f}  max {max(server):.1f}")
    browser.close()


if __name__ == "__main__":
    main()
