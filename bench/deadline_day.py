"""Deadline day (issue 15): the weighted mix of an applicant's requests through the gateway, at
fixed arrival rates that rise step by step (open loop), and the gateway's cost over a direct call.

    GATEWAY_RATE_LIMIT=100000/second ./dev up
    .venv/bin/python -m bench.seed_volume            # 100,000 persons …, once
    .venv/bin/python -m bench.deadline_day [--users 200] [--rates 50,100,150,200,300] [--seconds 20]
                                           [--direct 500]

Users: the first ``--users`` persons of bench/seed_volume.py (bound to a unit, every library entry
approved). Each gets a 闽政通 simulator account carrying its 身份证号 (the simulator's test hook),
so identity recognises the registered person at login; then a draft application to one of the
seeded plans with its approved entries imported (all but one, kept for the import request).

Why asyncio + httpx and not locust: locust's users are closed loops (a user waits for its answer
before its next request), so a slow server lowers the offered load and hides queueing; an open
loop keeps the arrival rate fixed whatever the answers take, which is what deadline day does.
httpx is the project's own HTTP client (no new dependency). Arrivals are Poisson (exponential
gaps) from a seeded generator; each request starts in its own task at its scheduled time. If the
driver cannot start a request on time (its own event loop is busy) the delay is reported as
lateness — a late start means the figures understate the offered rate. A step stops early when
more than ``--max-in-flight`` requests wait for answers (the backlog explodes).

Per request type it prints sent, ok, errors by status, p50/p95/p99 (ms, from the scheduled start,
so lateness counts against the server as it would for a user) and the achieved rate.
``--direct N``: N times the same GET /api/library/entries straight to library with an access
token got the way the gateway gets it (identity's /internal/sessions/token, with the internal key
of .run/secrets.json) and N times through the gateway, interleaved, printing the ratio of medians.
Talks to loopback only; bounded in time and requests.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from bench.gateway_load import pct
from bench.seed_volume import database_url, person_number
from shared.http import Transport
from shared.testing.browser import HttpBrowser

# (request type, weight): what an applicant does on deadline day, most often reading pages.
MIX = [("home", 12), ("library", 10), ("plans page", 6), ("section", 14), ("overview", 8), ("plan search", 8),
       ("unit search", 10), ("draft save", 10), ("import", 4), ("remove item", 0), ("checks", 6), ("submit", 2),
       ("upload", 3), ("export", 4)]
# Answers that are the right answer: 提交 refuses a draft whose checks fail (the seeded drafts lack
# the ID-card scans), so its 4xx refusal is what a real user would get too.
EXPECTED = {"submit": {200, 409, 422}}
UNIT_TERMS = ["福州", "医院", "工程", "科技", "中学", "厦门", "设计", "泉州"]
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def arrivals(rate: float, seconds: float, rng: random.Random, poisson: bool = True) -> list[float]:
    """Start times (seconds from the step's start) of an open loop at ``rate`` per second:
    exponential gaps (Poisson arrivals) or evenly spaced ones."""
    if rate <= 0:
        return []
    if not poisson:
        return [i / rate for i in range(int(rate * seconds))]
    out, t = [], rng.expovariate(rate)
    while t < seconds:
        out.append(t)
        t += rng.expovariate(rate)
    return out


def choose(mix: list[tuple[str, int]], count: int, rng: random.Random) -> list[str]:
    names, weights = zip(*[(n, w) for n, w in mix if w > 0], strict=True)
    return rng.choices(names, weights=weights, k=count)


@dataclass
class Stats:
    """Bookkeeping of one step: latencies from the scheduled start, statuses and start delays."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    lateness: list[float] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)  # requests without an answer, by exception

    def record(self, kind: str, status: int, scheduled: float, started: float, ended: float) -> None:
        self.lateness.append((started - scheduled) * 1000)
        self.latencies[kind].append((ended - scheduled) * 1000)
        self.statuses[kind][status] += 1

    def ok(self, kind: str) -> int:
        good = EXPECTED.get(kind, {200, 201, 204})
        return sum(n for s, n in self.statuses[kind].items() if s in good)

    def errors(self, kind: str) -> dict[int, int]:
        good = EXPECTED.get(kind, {200, 201, 204})
        return {s: n for s, n in sorted(self.statuses[kind].items()) if s not in good}

    def rows(self, seconds: float) -> list[tuple]:
        """(type, sent, ok, errors, p50, p95, p99, rate/s) per type, then the total."""
        out = []
        everything: list[float] = []
        for kind, values in sorted(self.latencies.items()):
            everything += values
            out.append((kind, len(values), self.ok(kind), self.errors(kind), pct(values, 50), pct(values, 95),
                        pct(values, 99), len(values) / seconds))
        if everything:
            errors: Counter = Counter()
            for kind in self.latencies:
                errors.update(self.errors(kind))
            out.append(("ALL", len(everything), sum(self.ok(k) for k in self.latencies), dict(errors),
                        pct(everything, 50), pct(everything, 95), pct(everything, 99), len(everything) / seconds))
        return out

    def late(self, threshold_ms: float = 50) -> int:
        return sum(1 for v in self.lateness if v > threshold_ms)


@dataclass
class User:
    cookie: str
    csrf: str
    session: str
    app_id: str = ""
    etag: str = ""  # the draft's version, sent back as If-Match with every save
    sections: list[str] = field(default_factory=list)
    spare: tuple[str, str] | None = None  # (section, entry id) kept out for the import request
    spare_item: str | None = None  # its item id while imported
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # saves, one at a time
    pair: asyncio.Lock = field(default_factory=asyncio.Lock)  # import / remove of the spare, one at a time

    def headers(self, write: bool = False) -> dict[str, str]:
        return {"cookie": self.cookie, **({"x-csrf-token": self.csrf} if write else {})}

    async def save(self, client: httpx.AsyncClient, method: str, url: str, **kwargs) -> httpx.Response:
        """A change of the draft: If-Match its last version, one at a time per user (a person does
        not save twice at once, and a second save would be refused with 412 as it should be)."""
        async with self.lock:
            response = await client.request(method, url, headers={**self.headers(True), "if-match": self.etag},
                                            **kwargs)
            if response.status_code < 300 and "etag" in response.headers:
                self.etag = response.headers["etag"]
            return response


# --- setup -------------------------------------------------------------------------------------
def sign_in(gateway: str, mzt: str, index: int, name: str) -> User:
    """The seeded person ``index`` logs in through the 闽政通 simulator (an account with its number)."""
    number = person_number(index)
    account = {"username": f"load{index}", "account_type": "person", "name": name, "id_number": number,
               "phone": "13800000000"}
    with httpx.Client(timeout=10) as client:
        found = client.post(f"{mzt}/_admin/accounts", json=account)
        if found.status_code not in (201, 409):
            found.raise_for_status()
    browser = HttpBrowser()
    landing = browser.login(gateway, {**account, "password": "Demo@2026"})
    if landing.url.path != "/home":
        raise SystemExit(f"person {number} did not land on /home ({landing.url}): is the database seeded "
                         f"(python -m bench.seed_volume) and is the simulator account's name accepted?")
    cookies = browser.cookies(gateway)
    user = User(cookie="; ".join(f"{k}={v}" for k, v in cookies.items()), csrf=browser.csrf(gateway),
                session=cookies["zc_session"])
    browser.close()
    return user


async def prepare_draft(client: httpx.AsyncClient, user: User, plan: dict) -> None:
    """A draft to ``plan`` with the user's approved entries imported, all but one (the spare)."""
    api = "/api/applications/applications"
    mine = (await client.get(api, headers=user.headers())).json()
    current = next((a for a in mine if a["status"] == "draft"), None)
    if current is None:
        created = await client.post(api, headers=user.headers(True), json={
            "plan_id": plan["id"], "form": "regular", "major": plan["majors"][0], "title": plan["titles"][0]["name"],
            "confirmed": True, "pledged": True})
        if created.status_code != 201:
            raise SystemExit(f"could not start a draft: {created.status_code} {created.text[:300]}")
        current = created.json()
    got = await client.get(f"{api}/{current['id']}", headers=user.headers())
    app = got.json()
    user.app_id, user.etag = app["id"], got.headers["etag"]
    user.sections = [s["code"] for s in app["sections"]]
    imported = {i["entry_id"] for i in app.get("items", [])}
    for section in app["sections"]:
        listed = (await client.get(f"{api}/{user.app_id}/importable", params={"section": section["code"]},
                                   headers=user.headers())).json()
        free = [e["entry_id"] for e in listed if not e["imported"] and e["entry_id"] not in imported]
        if free and user.spare is None:
            user.spare, free = (section["code"], free[0]), free[1:]
            imported.add(user.spare[1])  # other sections may list the same entry
        room = section["max_count"] - sum(1 for e in listed if e["imported"])
        if free[:room]:
            done = await user.save(client, "POST", f"{api}/{user.app_id}/items",
                                   json={"section": section["code"], "entry_ids": free[:room]})
            if done.status_code != 200:
                raise SystemExit(f"import into {section['code']}: {done.status_code} {done.text[:300]}")
            imported.update(free[:room])
    if user.spare is None:  # a draft of an earlier run, everything imported: the spare is its last item
        last = next(((s["code"], i) for s in reversed(app["sections"]) for i in s["items"]), None)
        if last is not None:
            user.spare, user.spare_item = (last[0], last[1]["entry_id"]), last[1]["id"]


async def open_plans(client: httpx.AsyncClient) -> list[dict]:
    """The seeded plans open now, with their details (majors, titles)."""
    listed = (await client.get("/api/plans/plans", params={"name": "压测", "open": "true", "page_size": 50})).json()
    plans = [(await client.get(f"/api/plans/plans/{p['id']}")).json() for p in listed["items"]]
    return [p for p in plans if p.get("titles")]


# --- the requests -----------------------------------------------------------------------------
async def one(client: httpx.AsyncClient, kind: str, user: User, rng: random.Random) -> int:
    api = f"/api/applications/applications/{user.app_id}"
    h = user.headers()
    match kind:
        case "home":
            return (await client.get("/home", headers=h)).status_code
        case "library":
            kind_ = rng.choice(["education", "work_experience", "paper", "annual_assessment"])
            return (await client.get("/library", params={"type": kind_}, headers=h)).status_code
        case "plans page":
            return (await client.get("/plans", headers=h)).status_code
        case "section":
            return (await client.get(f"/apply/{user.app_id}", params={"section": rng.choice(user.sections)},
                                     headers=h)).status_code
        case "overview":
            return (await client.get(f"/apply/{user.app_id}/overview", headers=h)).status_code
        case "plan search":
            return (await client.get("/api/plans/plans", params={"name": rng.choice(["工程", "卫生", "高级"]),
                                                                 "open": "true"}, headers=h)).status_code
        case "unit search":
            return (await client.get("/api/units/units", params={"q": rng.choice(UNIT_TERMS)}, headers=h)).status_code
        case "draft save":
            return (await user.save(client, "PUT", f"{api}/profile", json={
                "ethnicity": "汉族", "mobile": "13800000000", "profession": "工程技术",
                "position": rng.choice(["技术员", "工程师", "项目负责人"])})).status_code
        case "checks":
            return (await client.post(f"{api}/checks", headers=user.headers(True))).status_code
        case "submit":
            return (await user.save(client, "POST", f"{api}/submit")).status_code
        case "upload":
            return (await client.post("/api/documents/files", headers=user.headers(True), data={"kind": "entry_attachment"},
                                      files={"file": ("证明.png", PNG, "image/png")})).status_code
        case "export":
            return (await client.get(f"/apply/{user.app_id}/export", headers=h)).status_code
    raise ValueError(kind)


async def import_or_remove(client: httpx.AsyncClient, user: User) -> tuple[str, int]:
    """导入 the spare entry, or (when it is in) 移除 it: a user's pair never overlaps itself."""
    api = f"/api/applications/applications/{user.app_id}/items"
    async with user.pair:
        if user.spare is None:
            return "import", 599
        if user.spare_item is None:
            response = await user.save(client, "POST", api, json={"section": user.spare[0], "entry_ids": [user.spare[1]]})
            if response.status_code == 200:
                user.spare_item = next((i["id"] for s in response.json()["sections"] for i in s.get("items", [])
                                        if i["entry_id"] == user.spare[1]), None)
            return "import", response.status_code
        response = await user.save(client, "DELETE", f"{api}/{user.spare_item}")
        if response.status_code in (200, 404):
            user.spare_item = None
        return "remove item", response.status_code


async def step(client: httpx.AsyncClient, users: list[User], rate: float, seconds: float, rng: random.Random,
               max_in_flight: int, arrived: Callable[[], None] = lambda: None,
               mix: list[tuple[str, int]] = MIX) -> tuple[Stats, float, bool]:
    """One open-loop step; ``arrived`` is called when the last request has started (before the drain)."""
    times = arrivals(rate, seconds, rng)
    kinds = choose(mix, len(times), rng)
    stats, tasks, in_flight = Stats(), set(), [0]

    async def fire(kind: str, scheduled: float) -> None:
        user = rng.choice(users)
        started = time.perf_counter()
        in_flight[0] += 1
        try:
            if kind == "import":
                kind, status = await import_or_remove(client, user)
            else:
                status = await one(client, kind, user, rng)
        except httpx.HTTPError as exc:
            status = 598 if isinstance(exc, httpx.TimeoutException) else 599  # no answer: counted as errors
            stats.failures[type(exc).__name__] += 1
        finally:
            in_flight[0] -= 1
        stats.record(kind, status, scheduled, started, time.perf_counter())

    t0 = time.perf_counter()
    overloaded = False
    for offset, kind in zip(times, kinds, strict=True):
        delay = t0 + offset - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if in_flight[0] > max_in_flight:
            overloaded = True
            break
        task = asyncio.create_task(fire(kind, t0 + offset))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    elapsed = time.perf_counter() - t0
    arrived()
    if tasks:
        await asyncio.wait(tasks, timeout=60)
    return stats, elapsed, overloaded


def cpu_seconds(run: Path) -> dict[str, float]:
    """CPU seconds so far of each process of the stack (from .run/<name>.pid), of all PostgreSQL
    processes (other users of the server included) and of this driver."""
    tick = os.sysconf("SC_CLK_TCK")

    def of(pid: int | str) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / tick

    out = {f.stem: of(f.read_text().strip()) for f in sorted(run.glob("*.pid"))}
    out["postgres (all)"] = sum(of(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                                and _comm(p) == "postgres")
    out["driver"] = time.process_time()
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    out["machine, all processes"] = (sum(ticks) - ticks[3] - ticks[4]) / tick  # all but idle and iowait
    return out


def _comm(proc: Path) -> str:
    try:
        return (proc / "comm").read_text().strip()
    except OSError:
        return ""


def report(rate: float, stats: Stats, elapsed: float, overloaded: bool,
           cpu: dict[str, float] | None = None) -> None:
    late = stats.late()
    print(f"\n== offered {rate:.0f} req/s for {elapsed:.1f}s{'  STOPPED EARLY: backlog' if overloaded else ''}; "
          f"start lateness p50 {pct(stats.lateness, 50):.1f} ms p99 {pct(stats.lateness, 99):.1f} ms, "
          f"{late} started > 50 ms late")
    print(f"{'type':<13}{'sent':>7}{'ok':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'rate/s':>8}  errors")
    for kind, sent, ok, errors, p50, p95, p99, per_s in stats.rows(elapsed):
        answers = f"answers {dict(stats.statuses[kind])}" if kind in EXPECTED else ""
        print(f"{kind:<13}{sent:>7}{ok:>7}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}{per_s:>8.1f}  {errors or ''}{answers}")
    if stats.failures:
        print(f"no answer (598 timeout, 599 other): {dict(stats.failures)}")
    if cpu:
        machine = cpu.pop("machine, all processes")
        others = machine - sum(cpu.values())
        print("CPU while requests arrived, % of one core (the machine has 2): " + ", ".join(
            f"{name} {share:.0f}" for name, share in sorted(cpu.items(), key=lambda kv: -kv[1]) if share >= 1)
            + f"; everything else on the machine {others:.0f}; machine busy {machine:.0f} of 200")


# --- direct vs gateway -------------------------------------------------------------------------
async def direct_vs_gateway(gateway: httpx.AsyncClient, identity: str, library: str, user: User, n: int,
                            internal_key: str) -> None:
    async with httpx.AsyncClient(timeout=30, transport=Transport()) as direct:
        minted = await direct.post(f"{identity}/internal/sessions/token", json={"session_token": user.session},
                                   headers={"x-service-key": internal_key})
        minted.raise_for_status()
        bearer = {"authorization": f"Bearer {minted.json()['access_token']}"}
        path = "/api/library/entries"
        times: dict[str, list[float]] = {"direct": [], "gateway": []}
        for i in range(n + 20):  # interleaved, so that both see the same machine; 20 to warm up
            for mode in ("direct", "gateway"):
                started = time.perf_counter()
                if mode == "direct":
                    response = await direct.get(f"{library}{path}", headers=bearer)
                else:
                    response = await gateway.get(path, headers=user.headers())
                if response.status_code != 200:
                    raise SystemExit(f"{mode} {path}: {response.status_code} {response.text[:200]}")
                if i >= 20:
                    times[mode].append((time.perf_counter() - started) * 1000)
    print(f"\n== direct vs gateway: GET {path} ({len(times['direct'])} each, one at a time, interleaved)")
    for mode, values in times.items():
        print(f"{mode:<9} p50 {pct(values, 50):6.2f} ms  p95 {pct(values, 95):6.2f} ms  p99 {pct(values, 99):6.2f} ms")
    print(f"ratio gateway/direct: p50 {pct(times['gateway'], 50) / pct(times['direct'], 50):.2f}, "
          f"p95 {pct(times['gateway'], 95) / pct(times['direct'], 95):.2f}")


async def costs(client: httpx.AsyncClient, users: list[User], rng: random.Random, args: argparse.Namespace) -> None:
    """Each request type alone at ``--costs`` req/s: the CPU milliseconds one request costs in each
    process (the driver's own included), which says where the mix's time goes."""
    print(f"\n== CPU ms per request, each type alone at {args.costs:.0f} req/s for {args.seconds:.0f}s")
    names = ["gateway", "applications", "library", "plans", "units", "identity", "documents", "postgres (all)", "driver"]
    print(f"{'type':<13}{'p50 ms':>8}{'total':>7}" + "".join(f"{n.split()[0][:8]:>9}" for n in names) + f"{'other':>7}")
    for kind, weight in MIX:
        if not weight or (args.only and kind not in args.only):
            continue
        before = cpu_seconds(Path(args.run))
        stats, _, _ = await step(client, users, args.costs, args.seconds, rng, args.max_in_flight, mix=[(kind, 1)])
        after = cpu_seconds(Path(args.run))  # after the drain: every request's whole cost
        sent = sum(len(v) for v in stats.latencies.values())
        used = {k: 1000 * (after[k] - before.get(k, 0)) / max(sent, 1) for k in after}
        machine = used.pop("machine, all processes")
        p50 = pct([t for v in stats.latencies.values() for t in v], 50)
        print(f"{kind:<13}{p50:>8.1f}{machine:>7.1f}" + "".join(f"{used.get(n, 0):>9.2f}" for n in names)
              + f"{machine - sum(used.values()):>7.1f}")
        await asyncio.sleep(2)


async def main(args: argparse.Namespace) -> None:
    started = time.monotonic()
    sem = asyncio.Semaphore(8)

    conn = await asyncpg.connect(database_url("identity"))
    try:  # 闽政通 knows a person by the same name and number as identity
        names = dict(await conn.fetch("SELECT id_number, name FROM persons WHERE id_number = ANY($1)",
                                      [person_number(i) for i in range(args.users)]))
    finally:
        await conn.close()

    async def login(i: int) -> User:
        async with sem:
            return await asyncio.to_thread(sign_in, args.gateway, args.mzt, i, names[person_number(i)])

    users = await asyncio.gather(*(login(i) for i in range(args.users)))
    print(f"{len(users)} seeded persons signed in through 闽政通 in {time.monotonic() - started:.1f}s")
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    # The platform's own client (httpx over aiohttp): httpcore's pool made the driver the bottleneck past 80 req/s.
    async with httpx.AsyncClient(base_url=args.gateway, timeout=30, transport=Transport(limits=limits)) as client:
        plans = await open_plans(client)
        if not plans:
            raise SystemExit("no seeded plan is open: run python -m bench.seed_volume first")
        started = time.monotonic()
        for chunk in range(0, len(users), 8):
            await asyncio.gather(*(prepare_draft(client, u, plans[(chunk + k) % len(plans)])
                                   for k, u in enumerate(users[chunk:chunk + 8])))
        print(f"{len(users)} drafts with imported entries ready in {time.monotonic() - started:.1f}s "
              f"({sum(1 for u in users if u.spare)} with an entry kept for 导入)")
        rng = random.Random(args.seed)
        if args.direct:
            secrets = json.loads(Path(args.secrets).read_text())
            await direct_vs_gateway(client, args.identity, args.library, users[0], args.direct, secrets["internal_key"])
        if args.costs:
            await costs(client, users, rng, args)
            return
        for rate in args.rates:
            before, after = cpu_seconds(Path(args.run)), {}
            stats, elapsed, overloaded = await step(client, users, rate, args.seconds, rng, args.max_in_flight,
                                                    lambda into=after: into.update(cpu_seconds(Path(args.run))))
            report(rate, stats, elapsed, overloaded,
                   {k: 100 * (after[k] - before.get(k, 0)) / elapsed for k in after})
            if overloaded:
                break
            await asyncio.sleep(2)  # let the queues drain between steps


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--mzt", default="http://localhost:9100")
    parser.add_argument("--identity", default="http://127.0.0.1:8101")
    parser.add_argument("--library", default="http://127.0.0.1:8103")
    parser.add_argument("--run", default=".run", help="where ./dev up keeps its pid files (for CPU shares)")
    parser.add_argument("--secrets", default=".run/secrets.json")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], default=[50, 100, 150, 200, 300])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--max-in-flight", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--direct", type=int, default=0, help="direct-vs-gateway requests of each kind (0: skip)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--costs", type=float, default=0,
                        help="instead of the rates: each request type alone at this rate, CPU ms per request")
    parser.add_argument("--only", type=lambda s: s.split(","), default=[], help="with --costs: these types only")
    asyncio.run(main(parser.parse_args()))
