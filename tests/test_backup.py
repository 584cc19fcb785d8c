"""Backup and restore, end to end, as an operator runs them (`python -m deploy.backup`): every
service's database (migrated as the service migrates it, with rows) and the documents bucket are
backed up, destroyed, restored, and compared table by table and object by object. A damaged backup
is refused, and a backup never writes into a directory that holds something."""
from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
from minio import Minio

from deploy.backup import libpq_url
from deploy.topology import SERVICES, Secrets, s3_server_args
from shared.db import Database, upgrade_to_head
from shared.events import record_event
from shared.events.catalogue import AccessChanged
from shared.testing import infra
from shared.testing.processes import ROOT, Processes, free_port

NAMES = [s.name for s in SERVICES]


def run(coroutine):
    """asyncio.run in a thread of its own (a browser test of the same session may hold the main loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def platform(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment of a platform of its own: migrated databases and an S3 server with its bucket."""
    databases = {n: run(infra.recreate_database(pg_server, infra.run_database(f"backup_{n}"))) for n in NAMES}
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Alembic runs its own event loop
        for name, url in databases.items():
            pool.submit(upgrade_to_head, ROOT / "services" / name / "migrations", url).result()
    procs = Processes(Path(tmp_path_factory.mktemp("backup-s3")))
    keys = Secrets.generate()
    s3 = os.environ.get("ZC_TEST_S3_URL") or f"http://127.0.0.1:{free_port()}"
    env = {"ZC_ENVIRONMENT": "test", **keys.variables(), "DOCUMENTS_S3_ENDPOINT": s3,
           "DOCUMENTS_S3_BUCKET": f"zct-{infra.RUN_ID}-backup",
           **{f"{n.upper()}_DATABASE_URL": url for n, url in databases.items()}}
    if os.environ.get("ZC_TEST_S3_URL"):
        env.update(DOCUMENTS_S3_ACCESS_KEY=os.environ.get("ZC_TEST_S3_ACCESS_KEY", "zc-test"),
                   DOCUMENTS_S3_SECRET_KEY=os.environ.get("ZC_TEST_S3_SECRET_KEY", ""))
    try:
        if not os.environ.get("ZC_TEST_S3_URL"):
            procs.start("s3", "nanio", s3, env, args=s3_server_args(s3, tmp_path_factory.mktemp("backup-s3-data")),
                        health="/", health_status=403)
        client, bucket = bucket_of(env)
        if not client.bucket_exists(bucket):
            client.make_bucket(bucket)  # as the documents service makes it when it starts
        yield env
    finally:
        procs.stop_all()
        for name in NAMES:
            run(infra.drop_database(pg_server, infra.run_database(f"backup_{name}")))


def bucket_of(env: dict[str, str]) -> tuple[Minio, str]:
    endpoint = urlsplit(env["DOCUMENTS_S3_ENDPOINT"])
    return Minio(endpoint.netloc, access_key=env["DOCUMENTS_S3_ACCESS_KEY"], secret_key=env["DOCUMENTS_S3_SECRET_KEY"],
                 secure=False), env["DOCUMENTS_S3_BUCKET"]


async def seed(url: str, service: str) -> None:
    db = Database(url, pool_size=1, max_overflow=0)
    try:
        async with db.sessionmaker() as session, session.begin():
            for _ in range(3):
                await record_event(session, service, uuid.uuid4(), AccessChanged(subject=uuid.uuid4()))
    finally:
        await db.dispose()


async def tables(url: str) -> dict[str, tuple[int, str]]:
    """Rows and a checksum of the whole content of every table."""
    conn = await asyncpg.connect(libpq_url(url))
    try:
        names = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {n: tuple(await conn.fetchrow(
            f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM public.\"{n}\" t"))
            for n in names}
    finally:
        await conn.close()


def objects(client: Minio, bucket: str) -> dict[str, bytes]:
    out = {}
    for item in client.list_objects(bucket, recursive=True):
        response = client.get_object(bucket, item.object_name)
        try:
            out[item.object_name] = response.read()
        finally:
            response.close()
            response.release_conn()
    return out


def operator(command: str, directory: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deploy.backup", command, str(directory)], cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)


def test_back_up_destroy_restore_and_compare(platform, pg_server, tmp_path):
    env = platform
    urls = {n: env[f"{n.upper()}_DATABASE_URL"] for n in NAMES}
    for name, url in urls.items():
        run(seed(url, name))
    client, bucket = bucket_of(env)
    files = {f"files/{uuid.uuid4().hex}": secrets.token_bytes(300_000),
             f"thumbnails/{uuid.uuid4().hex}.jpg": b"\xff\xd8\xff" + secrets.token_bytes(5000),
             f"generated/certificate/{uuid.uuid4()}.pdf": "%PDF-1.7 电子职称证书".encode()}
    for key, content in files.items():
        client.put_object(bucket, key, io.BytesIO(content), len(content))
    before = {n: run(tables(url)) for n, url in urls.items()}
    assert all(before[n]["outbox"][0] == 3 for n in NAMES) and all(len(t) > 2 for t in before.values())

    done = operator("backup", tmp_path / "backup", env)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert set(manifest["databases"]) == set(NAMES) and manifest["objects"]["count"] == 3
    assert manifest["databases"]["identity"]["rows"]["outbox"] == 3 and manifest["started_at"]
    assert {o["key"] for o in manifest["objects"]["items"]} == set(files)

    # Destroy: every database dropped, every object and the bucket gone.
    for name in NAMES:
        run(infra.drop_database(pg_server, infra.run_database(f"backup_{name}")))
    for key in files:
        client.remove_object(bucket, key)
    client.remove_bucket(bucket)

    done = operator("restore", tmp_path / "backup", env)
    assert done.returncode == 0, done.stderr
    assert {n: run(tables(url)) for n, url in urls.items()} == before
    assert objects(client, bucket) == files


def test_a_damaged_backup_is_refused_and_a_used_directory_is_not_written(platform, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "something").write_text("x")
    done = operator("backup", tmp_path / "used", platform)
    assert done.returncode != 0 and "not empty" in done.stderr

    done = operator("backup", tmp_path / "good", platform)
    assert done.returncode == 0, done.stderr
    damaged = tmp_path / "damaged"
    shutil.copytree(tmp_path / "good", damaged)
    dump = damaged / "databases" / "plans.dump"
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")
    before = run(tables(platform["PLANS_DATABASE_URL"]))
    done = operator("restore", damaged, platform)
    assert done.returncode != 0 and "plans.dump" in done.stderr and "damaged" in done.stderr
    assert run(tables(platform["PLANS_DATABASE_URL"])) == before  # nothing was touched
    assert operator("restore", tmp_path / "nothing", platform).returncode != 0
