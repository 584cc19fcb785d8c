"""Deadline-day volumes in the databases of a running `./dev up` stack (issue 15).

    ./dev up
    .venv/bin/python -m bench.seed_volume [--persons 100000] [--units 100000] [--entries 1000000] [--plans 50]
                                          [--load-users 500]
    .venv/bin/python -m bench.seed_volume --remove   # afterwards: the dev databases are shared

Fills every service's database as the events of a real history would have left it: identity's
persons (valid 身份证号, region code 350128 — the marker of this seed) with their approved
bindings (``person_units``) and the units' legal-person accounts; units' units (valid
统一社会信用代码; ``grams``, the search column, is computed by the database), bindings and its
persons read model; library's entries in realistic types and states (approved ones with their
approved snapshot); plans' persons read model and ``--plans`` published plans; and the read models
of applications (persons, memberships, units, approved snapshots).

How: the volume rows are written with PostgreSQL COPY (asyncpg ``copy_records_to_table``) straight
into the tables, *read models included*, and no event is published for them — relaying millions of
events would take hours and measure the relay, not deadline day. The plans alone go through
plans' own code (``plans.add_draft`` + ``mark_published``), so their ``plans.plan.published``
events reach applications as in production (50 events). The demo accounts' rows are not touched.

The first ``--load-users`` persons are the load driver's users (bench/deadline_day.py): every one
of their entries is approved, so that they can import into a draft. Refuses to run twice: a
person with the marker's region code means the databases are already seeded. ``--remove``
deletes what it wrote (persons by region code, units by their legal person 压测法人, plans by
name, and the plans' events, which ./dev up would otherwise republish), leaving the demo data.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import time
import uuid
from collections.abc import Iterator

import asyncpg
import httpx

from deploy.topology import database_name
from services.plans import plans as plan_ops
from services.plans.models import Organizer
from services.plans.seed import HEALTH, HRSS, engineering_intermediate, engineering_senior, health_senior
from services.units.seed import filler_units
from shared.db import Database
from shared.entry_types import ENTRY_TYPES, EntryType
from shared.idnumbers import id_check_digit, mask_id_number

REGION = "350128"  # 平潭: no demo account lives there, so it marks this seed's persons
LEGAL_MARK = "压测法人"  # the legal person's name of this seed's units (and their accounts)
PLAN_MARK = "%（压测第%批）"  # the names of this seed's plans
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉玲燕萍鹏斌宇浩凯婷雪琳晨欣怡"
# Ten entries of a typical applicant, in the proportions of a library (cycled when a person has more).
TYPE_CYCLE = ["work_experience", "work_experience", "education", "continuing_education", "continuing_education",
              "annual_assessment", "annual_assessment", "paper", "achievement", "honor"]
# Library states of the other persons' entries (the load users' are all approved).
STATES = [("approved", 70), ("submitted", 12), ("draft", 10), ("returned", 8)]
CHUNK = 20_000
NOW = dt.datetime.now(dt.UTC)


def database_url(service: str, sqlalchemy: bool = False) -> str:
    default = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database_name(service)}"
    url = os.environ.get(f"{service.upper()}_DATABASE_URL", default)
    return url if sqlalchemy else url.replace("postgresql+asyncpg://", "postgresql://")


def person_number(i: int) -> str:
    """The i-th seeded 身份证号: birth dates spread over 27 years, the sequence code makes it unique."""
    birth = dt.date(1965, 1, 1) + dt.timedelta(days=i % 10_000)
    first17 = f"{REGION}{birth:%Y%m%d}{i // 10_000:03d}"
    return first17 + id_check_digit(first17)


def persons(count: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(count):
        number = person_number(i)
        out.append({"id": uuid.UUID(int=rng.getrandbits(128), version=4), "id_number": number,
                    "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    "gender": "male" if int(number[16]) % 2 else "female",
                    "birth_date": dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                    "mobile": f"13{rng.randint(100000000, 999999999)}", "masked": mask_id_number(number)})
    return out


def field_values(kind: EntryType, rng: random.Random, n: int) -> dict:
    """Plausible values for every required field (and most optional ones) of an entry type; the
    dates of one entry go forward in field order (入学 before 毕业, 起始 before 截止)."""
    day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 8000))
    values: dict = {}
    for spec in kind.fields:
        if not spec.required and rng.random() < 0.3:
            continue
        if spec.type == "date":
            values[spec.code] = day.isoformat()
            day += dt.timedelta(days=rng.randint(200, 1500))
        elif spec.type == "year":
            values[spec.code] = 2015 + n % 10
        elif spec.type == "int":
            values[spec.code] = rng.randint(1, 5) if spec.code != "hours" else rng.choice((24, 48, 72, 90))
        elif spec.type == "choice":
            values[spec.code] = rng.choice(spec.choices)
        elif spec.type == "textarea":
            values[spec.code] = f"负责{spec.label}相关工作，按期完成各项任务（第{n + 1}项）。"
        else:
            values[spec.code] = f"{spec.label}{rng.randint(1, 999)}号"
    return values


def entries_per_person(total: int, people: int) -> Iterator[int]:
    base, extra = divmod(total, people)
    for i in range(people):
        yield base + (1 if i < extra else 0)


async def copy(conn: asyncpg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    for start in range(0, len(rows), CHUNK):
        await conn.copy_records_to_table(table, records=rows[start:start + CHUNK], columns=columns)


async def already_seeded(identity: asyncpg.Connection) -> bool:
    return await identity.fetchval("SELECT exists(SELECT 1 FROM persons WHERE id_number LIKE $1)", REGION + "%")


async def seed_people_and_units(conns: dict[str, asyncpg.Connection], people: list[dict], units: list[dict],
                                rng: random.Random) -> list[tuple[dict, dict]]:
    """Persons, units and one approved binding per person; returns (person, unit) pairs."""
    identity, units_db, plans, apps = conns["identity"], conns["units"], conns["plans"], conns["applications"]
    await copy(identity, "persons", ["id", "id_number", "name", "gender", "birth_date", "mobile", "address", "email",
                                     "registered_at", "updated_at"],
               [(p["id"], p["id_number"], p["name"], p["gender"], p["birth_date"], p["mobile"], "福建省平潭综合实验区",
                 None, NOW, NOW) for p in people])
    person_ref = [(p["id"], p["name"], p["masked"], NOW) for p in people]
    await copy(units_db, "persons", ["id", "name", "id_number_masked", "registered_at"], person_ref)
    await copy(plans, "persons", ["id", "name", "id_number_masked", "registered_at"], person_ref)
    await copy(apps, "persons", ["id", "name", "gender", "birth_date", "id_number_masked", "mobile", "changed_at"],
               [(p["id"], p["name"], p["gender"], p["birth_date"], p["masked"], p["mobile"], NOW) for p in people])
    unit_cols = ["id", "name", "credit_code", "address", "contact_name", "contact_phone", "department_code",
                 "legal_account_id", "legal_person_name", "registered_at"]
    await copy(units_db, "units", unit_cols, [tuple(u[c] for c in unit_cols[:-1]) + (NOW,) for u in units])
    await copy(identity, "unit_accounts", ["id", "credit_code", "unit_name", "legal_person_name", "unit_id",
                                           "created_at", "last_login_at"],
               [(u["legal_account_id"], u["credit_code"], u["name"], u["legal_person_name"], u["id"], NOW, NOW)
                for u in units])
    await copy(apps, "units", ["id", "name", "department_code", "changed_at"],
               [(u["id"], u["name"], u["department_code"], NOW) for u in units])
    # Big units have many people: the square skews the draw towards the first units.
    pairs = [(p, units[int(len(units) * rng.random() ** 2)]) for p in people]
    bindings = [(uuid.UUID(int=rng.getrandbits(128), version=4), p, u) for p, u in pairs]
    await copy(units_db, "bindings", ["id", "person_id", "person_name", "id_number_masked", "unit_id", "status", "note",
                                      "requested_at", "decided_at", "decided_by"],
               [(b, p["id"], p["name"], p["masked"], u["id"], "approved", "本人在该单位工作", NOW, NOW, "办公室")
                for b, p, u in bindings])
    await copy(identity, "person_units", ["person_id", "binding_id", "unit_id", "unit_name", "active", "changed_at"],
               [(p["id"], b, u["id"], u["name"], True, NOW) for b, p, u in bindings])
    await copy(apps, "memberships", ["person_id", "unit_id", "unit_name", "active", "changed_at"],
               [(p["id"], u["id"], u["name"], True, NOW) for _, p, u in bindings])
    return pairs


async def seed_entries(conns: dict[str, asyncpg.Connection], pairs: list[tuple[dict, dict]], total: int,
                       load_users: int, rng: random.Random) -> dict[str, int]:
    """Library entries, streamed in chunks; approved ones also land in applications' snapshots."""
    library, apps = conns["library"], conns["applications"]
    entry_cols = ["id", "owner_id", "owner_name", "owner_id_number_masked", "type", "status", "version", "fields",
                  "attachment_ids", "unit_id", "submitted_at", "decided_at", "decided_by", "return_reason", "approved",
                  "created_at", "updated_at"]
    snap_cols = ["entry_id", "version", "owner_id", "type", "fields", "attachment_ids", "approved_at"]
    states = [s for s, w in STATES for _ in range(w)]
    counts: dict[str, int] = {}
    entries: list[tuple] = []
    snapshots: list[tuple] = []
    for index, ((person, unit), n_entries) in enumerate(zip(pairs, entries_per_person(total, len(pairs)),
                                                            strict=True)):
        for n in range(n_entries):
            kind = TYPE_CYCLE[n % len(TYPE_CYCLE)]
            status = "approved" if index < load_users else rng.choice(states)
            counts[status] = counts.get(status, 0) + 1
            fields = field_values(ENTRY_TYPES[kind], rng, n)
            entry_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            text = json.dumps(fields, ensure_ascii=False)
            submitted = NOW if status != "draft" else None
            decided = NOW if status in ("approved", "returned") else None
            approved = None
            if status == "approved":
                approved = json.dumps({"version": 1, "fields": fields, "attachment_ids": [],
                                       "approved_at": NOW.isoformat(), "approved_by": "办公室"}, ensure_ascii=False)
                snapshots.append((entry_id, 1, person["id"], kind, text, [], NOW))
            entries.append((entry_id, person["id"], person["name"], person["masked"], kind, status, 1, text, [],
                            unit["id"] if status != "draft" else None, submitted, decided,
                            "办公室" if decided else None, "请补充证明材料" if status == "returned" else None,
                            approved, NOW, NOW))
        if len(entries) >= CHUNK:
            await copy(library, "entries", entry_cols, entries)
            await copy(apps, "snapshots", snap_cols, snapshots)
            entries, snapshots = [], []
    await copy(library, "entries", entry_cols, entries)
    await copy(apps, "snapshots", snap_cols, snapshots)
    return counts


def volume_plans(count: int) -> list[tuple[str, object]]:
    """(organiser, PlanIn): variants of the demo plans, open now, each with its own name."""
    makers = [(HRSS, engineering_senior), (HEALTH, health_senior), (HRSS, None)]
    out = []
    for k in range(count):
        organizer, make = makers[k % len(makers)]
        if make is None:
            data = engineering_intermediate(2026, "2026-09-01", "2026-12-31")
        else:
            data = make()
        out.append((organizer, data.model_copy(update={"name": f"{data.name}（压测第{k + 1}批）"})))
    return out


async def seed_plans(count: int) -> list[str]:
    """Published through plans' own code, so that applications learns them from the events."""
    import sqlalchemy as sa

    db = Database(database_url("plans", sqlalchemy=True), pool_size=1, max_overflow=0)
    names = []
    try:
        async with db.sessionmaker() as session, session.begin():
            organizers = {o.name: o for o in await session.scalars(sa.select(Organizer))}
            for organizer_name, data in volume_plans(count):
                if organizer_name not in organizers:
                    raise SystemExit(f"plans has no organiser {organizer_name}: start the platform with ./dev up")
                plan = await plan_ops.add_draft(session, organizers[organizer_name], data, created_by=None)
                await plan_ops.mark_published(session, plan)
                names.append(plan.name)
    finally:
        await db.dispose()
    return names


async def analyze(conns: dict[str, asyncpg.Connection]) -> None:
    for conn in conns.values():
        await conn.execute("ANALYZE")


async def verify(gateway: str, conns: dict[str, asyncpg.Connection], plan_count: int) -> None:
    """The services' own queries find what was seeded (through their HTTP APIs where no login is needed)."""
    from services.units.search import search_units
    from shared.deps import PageParams

    db = Database(database_url("units", sqlalchemy=True), pool_size=1, max_overflow=0)
    try:
        async with db.sessionmaker() as session:
            page = await search_units(session, "医院", PageParams(page=1, page_size=10))
            print(f"  unit search 医院: {page.total:,} units (the service's own query)")
    finally:
        await db.dispose()
    deadline = time.monotonic() + 60
    while True:  # applications learns the plans from plans' events, through the outbox relay
        known = await conns["applications"].fetchval("SELECT count(*) FROM plans WHERE data->>'name' LIKE '%压测第%'")
        if known >= plan_count or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    print(f"  applications knows {known} of the {plan_count} seeded plans (from plans.plan.published)")
    try:
        listed = httpx.get(f"{gateway}/api/plans/plans", params={"page_size": 1}, timeout=10)
        print(f"  GET /api/plans/plans through the gateway: {listed.status_code}, total {listed.json().get('total')}")
    except httpx.HTTPError as exc:
        print(f"  GET /api/plans/plans through the gateway failed: {exc!r}")


async def remove(conns: dict[str, asyncpg.Connection]) -> None:
    """Everything this seed wrote (and the drafts the driver made for its persons); the demo data
    stays. Files the driver uploaded stay in documents, whose cleanup removes
    unclaimed uploads after its grace period."""
    identity = conns["identity"]
    people = [r[0] for r in await identity.fetch("SELECT id FROM persons WHERE id_number LIKE $1", REGION + "%")]
    units = [r[0] for r in await identity.fetch("SELECT unit_id FROM unit_accounts WHERE legal_person_name = $1",
                                                LEGAL_MARK)]
    by = {"people": [people], "units": [units], "": []}
    # (database, what to delete, whose ids): dependents before what they refer to.
    statements = [
        ("applications", "DELETE FROM applications WHERE person_id = ANY($1)", "people"),  # items… cascade
        ("applications", "DELETE FROM snapshots WHERE owner_id IN (SELECT unnest($1::uuid[]))", "people"),
        ("applications", "DELETE FROM memberships WHERE person_id = ANY($1)", "people"),
        ("applications", "DELETE FROM persons WHERE id = ANY($1)", "people"),
        ("applications", "DELETE FROM units WHERE id = ANY($1)", "units"),
        ("applications", f"DELETE FROM plans WHERE data->>'name' LIKE '{PLAN_MARK}'", ""),
        ("plans", "DELETE FROM persons WHERE id = ANY($1)", "people"),
        ("plans", f"DELETE FROM plans WHERE name LIKE '{PLAN_MARK}'", ""),
        # ./dev up republishes past events for the read models: not these any more.
        ("plans", f"DELETE FROM outbox WHERE type LIKE 'plans.plan.%' AND envelope->'data'->>'name' LIKE '{PLAN_MARK}'",
         ""),
        ("library", "DELETE FROM entries WHERE owner_id IN (SELECT unnest($1::uuid[]))", "people"),
        ("units", "DELETE FROM bindings WHERE person_id = ANY($1)", "people"),
        ("units", "DELETE FROM persons WHERE id = ANY($1)", "people"),
        ("units", "DELETE FROM units WHERE id = ANY($1)", "units"),
        ("identity", "DELETE FROM persons WHERE id = ANY($1)", "people"),  # sessions, person_units… cascade
        ("identity", "DELETE FROM unit_accounts WHERE unit_id = ANY($1)", "units"),
    ]
    for service, sql, whose in statements:
        status = await conns[service].execute(sql, *by[whose])
        print(f"  {service}: {sql.split(' WHERE')[0].removeprefix('DELETE FROM ')} {status.split()[-1]}")


async def main(args: argparse.Namespace) -> None:
    services = ["identity", "units", "library", "plans", "applications"]
    conns = {s: await asyncpg.connect(database_url(s)) for s in services}
    try:
        if args.remove:
            await remove(conns)
            return
        if await already_seeded(conns["identity"]):
            print(f"already seeded (identity has persons of region {REGION}); nothing done")
            return
        rng = random.Random(args.seed)
        started = time.perf_counter()
        people = persons(args.persons, rng)
        units = [{**u, "legal_person_name": LEGAL_MARK} for u in filler_units(args.units, seed=args.seed)]
        print(f"generated {len(people):,} persons and {len(units):,} units in {time.perf_counter() - started:.1f}s")
        step = time.perf_counter()
        # One transaction per database: a failure leaves nothing half-seeded (and no marker).
        transactions = [conn.transaction() for conn in conns.values()]
        for tr in transactions:
            await tr.start()
        try:
            pairs = await seed_people_and_units(conns, people, units, rng)
            print(f"persons, units, bindings and read models in {time.perf_counter() - step:.1f}s")
            step = time.perf_counter()
            counts = await seed_entries(conns, pairs, args.entries, args.load_users, rng)
            print(f"{sum(counts.values()):,} library entries {counts} in {time.perf_counter() - step:.1f}s")
        except BaseException:
            for tr in transactions:
                await tr.rollback()
            raise
        for tr in transactions:
            await tr.commit()
        step = time.perf_counter()
        names = await seed_plans(args.plans)
        print(f"{len(names)} published plans in {time.perf_counter() - step:.1f}s")
        await analyze(conns)
        print(f"seeded in {time.perf_counter() - started:.0f}s; checking:")
        await verify(args.gateway, conns, args.plans)
    finally:
        for conn in conns.values():
            await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--load-users", type=int, default=500, help="the first persons: all their entries approved")
    parser.add_argument("--seed", type=int, default=15, help="random seed (the same volumes each time)")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--remove", action="store_true", help="delete what the seed wrote (the demo data stays)")
    asyncio.run(main(parser.parse_args()))
