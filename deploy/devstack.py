"""The whole platform on one machine, without Docker: `./dev up` / `./dev down` / `./dev status`.

Starts an S3-protocol server (nanio, keeping the files in .run/s3/ across restarts), the 闽政通 simulator, every service (with its outbox relay
and consumers in-process) and the gateway as background processes, logs in .run/logs/, then
seeds demo data and prints the URL and the demo accounts. Its secrets are made up at random on
the first `up` and kept in .run/secrets.json (only the owner may read it), so that sessions and
links survive a restart; the platform runs as environment `local`, which refuses every
development default."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from deploy.topology import (
    GATEWAY_URL,
    MZT_URL,
    S3_URL,
    SERVICES,
    Secrets,
    Urls,
    database_name,
    environment,
    local_service_urls,
    s3_server_args,
)

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / ".run"
LOGS = RUN / "logs"
SECRETS = RUN / "secrets.json"


@dataclass(frozen=True)
class Component:
    name: str
    command: list[str]
    health: str


PY = sys.executable
URLS = Urls(gateway=GATEWAY_URL, mzt=MZT_URL, s3=S3_URL, services=local_service_urls(),
            databases={s.name: f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database_name(s.name)}"
                       for s in SERVICES},
            amqp=os.environ.get("ZC_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
COMPONENTS = [
    # Any answer (403 to an unsigned request) means it listens.
    Component("s3", [PY, "-m", "nanio", *s3_server_args(URLS.s3, RUN / "s3")], f"{URLS.s3}/"),
    Component("mzt", [PY, "-m", "simulators.mzt"], f"{URLS.mzt}/healthz"),
    *(Component(s.name, [PY, "-m", f"services.{s.name}"], f"{URLS.services[s.name]}/healthz") for s in SERVICES),
    Component("gateway", [PY, "-m", "gateway"], f"{URLS.gateway}/healthz"),
]


def _pid(name: str) -> int | None:
    try:
        pid = int((RUN / f"{name}.pid").read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code < 500
    except httpx.HTTPError:
        return False


def run_secrets() -> Secrets:
    """This run's secrets: those kept in .run/ since the first `up`, else new ones (kept from now on)."""
    text = SECRETS.read_text() if SECRETS.exists() else "{}"
    kept = Secrets.from_json(text)
    if kept.to_json() != text:  # new, or a secret added to the platform since
        RUN.mkdir(parents=True, exist_ok=True)
        fd = os.open(SECRETS, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(kept.to_json())
    return kept


def up() -> None:
    LOGS.mkdir(parents=True, exist_ok=True)
    fresh = not SECRETS.exists()
    env = {"ZC_LOG_JSON": "false", **os.environ,
           **environment(URLS, secrets=run_secrets(), environment="local"),
           **{f"{s.name.upper()}_SEED_DEMO_DATA": "true" for s in SERVICES}}
    for c in COMPONENTS:
        if _pid(c.name) and _healthy(c.health):
            if fresh:
                sys.exit(f"{c.name} runs with other secrets than the new .run/secrets.json: ./dev down first")
            print(f"  {c.name:<10} already running")
            continue
        log = (LOGS / f"{c.name}.log").open("ab")
        proc = subprocess.Popen(c.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        (RUN / f"{c.name}.pid").write_text(str(proc.pid))
        deadline = time.monotonic() + 90
        while not _healthy(c.health):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (LOGS / f"{c.name}.log").read_text(errors="replace").splitlines()[-30:]
                sys.exit(f"{c.name} did not start; last lines of .run/logs/{c.name}.log:\n" + "\n".join(tail))
            time.sleep(0.3)
        print(f"  {c.name:<10} started (pid {proc.pid})")


def fill_read_models() -> None:
    """A consumer that arrived after the facts (applications and units, started after the seeds
    of the services they read) gets their history again: what `republish` is for. Harmless to repeat."""
    import asyncio

    from services.applications.handlers import handlers
    from services.units.handlers import handlers as units_handlers
    from shared.db import Database
    from shared.events.republish import mark_unsent

    async def mark(producer: str, types: list[str]) -> int:
        db = Database(URLS.databases[producer], pool_size=1, max_overflow=0)
        try:
            async with db.sessionmaker() as session, session.begin():
                return sum([await mark_unsent(session, t) for t in types])
        finally:
            await db.dispose()

    by_producer: dict[str, list[str]] = {}
    for key in sorted({*handlers.routing_keys, *units_handlers.routing_keys}):
        by_producer.setdefault(key.split(".")[0], []).append(key)
    total = sum(asyncio.run(mark(producer, types)) for producer, types in by_producer.items())
    print(f"  applications, units: {total} past events republished for their read models")


def down() -> None:
    for c in reversed(COMPONENTS):
        if pid := _pid(c.name):
            os.killpg(pid, signal.SIGTERM)
            print(f"  {c.name:<10} stopped")
        (RUN / f"{c.name}.pid").unlink(missing_ok=True)


def status() -> None:
    for c in COMPONENTS:
        state = "up" if _pid(c.name) and _healthy(c.health) else "down"
        print(f"  {c.name:<10} {state}")


BANNER = """
福建省职称申报评审管理平台 is running:  {gateway}

Log in with 闽政通 (the simulator at {mzt}); every demo password is Demo@2026
  个人登录  zhangsan 张三 · lisi 李四 · chenmeiling 陈美玲 (registered applicants)
            linjianhua 林建华 (operator + plan_admin) · huangzhiqiang 黄志强 (expert 评审专家)
            wangwu 王五 · wuxiaoyan 吴晓燕 (not registered yet: try the registration page)
            badid 测试坏号 (invalid 身份证号: registration is refused)
  单位登录  unit-sjy 福建省建筑设计研究院有限公司 · unit-hospital 福州市第一医院
            unit-school 厦门市实验中学 · unit-qz-tech 泉州市鲤城区智造科技有限公司
Logs: .run/logs/   Secrets: .run/secrets.json   Stop: ./dev down
"""


def compose_env() -> None:
    """.env for docker compose: the same secrets as `./dev up` (kept in .run/)."""
    fd = os.open(ROOT / ".env", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("".join(f"{k}={v}\n" for k, v in run_secrets().variables().items()))
    print("  wrote .env (docker compose reads it)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="./dev")
    parser.add_argument("command", choices=["up", "down", "status", "compose-env"])
    args = parser.parse_args()
    if args.command == "up":
        up()
        fill_read_models()
        print(BANNER.format(gateway=URLS.gateway, mzt=URLS.mzt))
    elif args.command == "down":
        down()
    elif args.command == "compose-env":
        compose_env()
    else:
        status()


if __name__ == "__main__":
    main()
