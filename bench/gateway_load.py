"""Benchmark: the pages and API calls of deadline day, through the gateway of a running stack.

    ./dev up
    .venv/bin/python -m bench.gateway_load [--gateway http://127.0.0.1:8000] [--users 40] [--seconds 20]

Logs in ``--users`` fresh persons through the 闽政通 simulator (each registers: a first login),
then lets them all browse at once for ``--seconds``: 个人首页, the library list, 个人中心 and
/api/identity/me, each user in a loop. Prints per-route p50/p95/p99 and the total rate. The
gateway's rate limit applies per session, so set GATEWAY_RATE_LIMIT high for the stack under test
if you raise the pace. Bounded in time and requests; talks to loopback only.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections import defaultdict

import httpx

from shared.testing.fixtures import Stack

ROUTES = ["/home", "/library?type=education", "/me", "/api/identity/me"]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def sign_in(gateway: str, mzt: str) -> dict[str, str]:
    stack = Stack(gateway=gateway, identity="", mzt=mzt, internal_key="", identity_db="", urls=None, procs=None)
    browser, _ = stack.person_browser("压测用户")
    cookies = dict(browser.cookies(gateway))
    browser.close()
    return cookies


async def user(client: httpx.AsyncClient, cookies: dict[str, str], until: float, timings: dict[str, list[float]],
               errors: list[int]) -> None:
    while time.monotonic() < until:
        for route in ROUTES:
            started = time.perf_counter()
            response = await client.get(route, cookies=cookies)
            timings[route].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors.append(response.status_code)


async def main(gateway: str, mzt: str, users: int, seconds: float) -> None:
    started = time.monotonic()
    sessions = await asyncio.gather(*(asyncio.to_thread(sign_in, gateway, mzt) for _ in range(users)))
    print(f"{users} first logins (闽政通 → 注册 → 个人首页) in {time.monotonic() - started:.1f}s")
    timings: dict[str, list[float]] = defaultdict(list)
    errors: list[int] = []
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, limits=limits) as client:
        until = time.monotonic() + seconds
        await asyncio.gather(*(user(client, s, until, timings, errors) for s in sessions))
    total = sum(len(v) for v in timings.values())
    print(f"\n{'route':<28}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for route, values in timings.items():
        print(f"{route:<28}{len(values):>7}{statistics.median(values):>9.1f}{pct(values, 95):>9.1f}{pct(values, 99):>9.1f}")
    print(f"\n{total} requests in {seconds:.0f}s: {total / seconds:.0f} req/s with {users} users at once; "
          f"errors: {len(errors)} {sorted(set(errors)) or ''}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--mzt", default="http://localhost:9100")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.gateway, args.mzt, args.users, args.seconds))
