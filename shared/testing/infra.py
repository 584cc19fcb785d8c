"""Where the tests' real backing services are.

Each URL comes from the environment (``ZC_TEST_PG_URL``, ``ZC_TEST_AMQP_URL``); where none is
given and a Docker engine answers, testcontainers starts one; otherwise the machine's own
services on their standard ports are used (that is the case on the CI machines)."""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator

import asyncpg
from sqlalchemy.engine import make_url

LOCAL_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
# Each test run has databases and a RabbitMQ vhost of its own, so that runs side by side (and a
# running dev stack) never share tables or queues.
RUN_ID = os.environ.get("ZC_TEST_RUN_ID") or str(os.getpid())


def run_database(name: str) -> str:
    return f"zct_{RUN_ID}_{name}"


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A server URL (its ``postgres`` database); tests create their own databases on it."""
    if url := os.environ.get("ZC_TEST_PG_URL"):
        yield url
    elif not _port_open("127.0.0.1", 5432) and docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver="asyncpg") as pg:
            yield make_url(pg.get_connection_url()).set(database="postgres").render_as_string(hide_password=False)
    else:
        yield LOCAL_PG


@contextlib.contextmanager
def rabbitmq_server() -> Iterator[str]:
    if url := os.environ.get("ZC_TEST_AMQP_URL"):
        yield url
    elif not _port_open("127.0.0.1", 5672) and docker_answers():
        from testcontainers.rabbitmq import RabbitMqContainer

        with RabbitMqContainer("rabbitmq:3.13-management") as mq:
            p = mq.get_connection_params()
            yield f"amqp://guest:guest@{p.host}:{p.port}/"
    elif shutil.which("rabbitmqctl") is None:
        yield "amqp://guest:guest@127.0.0.1:5672/"
    else:
        vhost = f"zc_test_{RUN_ID}"
        _rabbitmqctl("add_vhost", vhost)
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        try:
            yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
        finally:
            _rabbitmqctl("delete_vhost", vhost)


def _rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, check=False, timeout=60)


def _port_open(host: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, name: str) -> None:
    dsn = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def recreate_database(server_url: str, name: str) -> str:
    """A fresh, empty database (dropped first if a previous run left it)."""
    dsn = make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(server_url, name)
