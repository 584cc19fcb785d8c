"""Every service's worker entry point (`python -m services.<name>.worker`, for running the relay,
consumers and janitors apart from the API) starts as a real process, relays its outbox, consumes
its queues, and stops cleanly on SIGTERM."""
from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import httpx
import pytest
import sqlalchemy as sa

from deploy.topology import SERVICES, Secrets, s3_server_args
from shared.db import Database, upgrade_to_head
from shared.events import record_event
from shared.events.catalogue import AccessChanged
from shared.settings import ServiceSettings
from shared.testing import infra
from shared.testing.processes import ROOT, Processes, free_port

NAMES = [s.name for s in SERVICES]


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (browser tests of the same session)
    keeps an event loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def worker_env(pg_server: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Databases of their own, migrated as `python -m services.<name>` would, and an S3 server."""
    databases = {n: run(infra.recreate_database(pg_server, infra.run_database(f"worker_{n}"))) for n in NAMES}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Alembic runs its own event loop too
        for name, url in databases.items():
            pool.submit(upgrade_to_head, ROOT / "services" / name / "migrations", url).result()
    procs = Processes(Path(tmp_path_factory.mktemp("worker-s3")))
    s3 = os.environ.get("ZC_TEST_S3_URL") or f"http://127.0.0.1:{free_port()}"
    env = {"ZC_ENVIRONMENT": "test", "ZC_AMQP_URL": amqp_url, "ZC_LOG_JSON": "true", **Secrets.generate().variables(),
           "DOCUMENTS_S3_ENDPOINT": s3, "DOCUMENTS_S3_BUCKET": f"zct-{infra.RUN_ID}-workers",
           **{f"{n.upper()}_DATABASE_URL": url for n, url in databases.items()}}
    try:
        if not os.environ.get("ZC_TEST_S3_URL"):
            procs.start("s3", "nanio", s3, env, args=s3_server_args(s3, tmp_path_factory.mktemp("worker-s3-data")),
                        health="/", health_status=403)  # any answer (403 to an unsigned request): it listens
        yield env
    finally:
        procs.stop_all()
        for name in NAMES:
            run(infra.drop_database(pg_server, infra.run_database(f"worker_{name}")))


def _queues_of(name: str, env: dict[str, str]) -> list[str]:
    """The durable queues the service's consumers own (none for a service that consumes nothing)."""
    try:
        factory = importlib.import_module(f"services.{name}.handlers").consumers
    except ModuleNotFoundError:
        return []
    settings = ServiceSettings(service_name=name, port=0, database_url=env[f"{name.upper()}_DATABASE_URL"])
    return [c.queue for c in factory(Database(settings.database_url), settings)]


async def _record_and_wait_sent(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    db = Database(url, pool_size=1, max_overflow=0)
    try:
        async with db.sessionmaker() as session, session.begin():
            envelope = await record_event(session, "worker-smoke", uuid.uuid4(), AccessChanged(subject=uuid.uuid4()))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert proc.poll() is None, "the worker exited"
            async with db.sessionmaker() as session:
                sent = await session.scalar(sa.text("SELECT sent_at FROM outbox WHERE id = :id"), {"id": envelope.id})
            if sent is not None:
                return
            await asyncio.sleep(0.3)
        raise AssertionError("the worker's relay did not publish the outbox row")
    finally:
        await db.dispose()


async def _consumer_counts(amqp_url: str, queues: list[str], timeout: float = 30) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    counts: dict[str, int] = {}
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        while True:
            for queue in queues:
                channel = await connection.channel()
                try:
                    declared = await channel.declare_queue(queue, passive=True)
                    counts[queue] = declared.declaration_result.consumer_count
                except aio_pika.exceptions.ChannelClosed:  # not declared yet
                    counts[queue] = 0
                finally:
                    if not channel.is_closed:
                        await channel.close()
            if all(counts.values()) or time.monotonic() > deadline:
                return counts
            await asyncio.sleep(0.3)


@pytest.mark.parametrize("name", NAMES)
def test_worker_entry_point_runs_relays_consumes_and_stops_on_sigterm(name: str, worker_env: dict[str, str],
                                                                      tmp_path: Path) -> None:
    log = tmp_path / f"{name}-worker.log"
    metrics_port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", f"services.{name}.worker"], cwd=ROOT,
                            env={**os.environ, **worker_env, f"{name.upper()}_WORKER_METRICS_PORT": str(metrics_port)},
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        run(_record_and_wait_sent(worker_env[f"{name.upper()}_DATABASE_URL"], proc))
        queues = _queues_of(name, worker_env)
        counts = run(_consumer_counts(worker_env["ZC_AMQP_URL"], queues))
        assert all(counts.values()), f"queues without a consumer: {counts}"
        # Its own metrics port: what its relay published, its outbox backlog and its queues at the broker.
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        assert f'zc_outbox_published_total{{service="{name}"}}' in metrics
        assert f'zc_outbox_backlog{{service="{name}"}}' in metrics
        for queue in queues:
            assert f'zc_queue_depth{{queue="{queue}"}}' in metrics and f'zc_dead_letters{{queue="{queue}"}}' in metrics
        time.sleep(1)  # its janitors ran their first round meanwhile; it is still up
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, log.read_text(errors="replace")[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text(errors="replace")[-3000:]
