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
LOCAL_AMQP_VHOST = "zc_test"
LOCAL_AMQP = f"amqp://guest:guest@127.0.0.1:5672/{LOCAL_AMQP_VHOST}"


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
    else:
        _ensure_local_vhost()
        yield LOCAL_AMQP


def _ensure_local_vhost() -> None:
    """Tests use a vhost of their own so that a running dev stack and the tests never share queues."""
    if shutil.which("rabbitmqctl") is None:
        return
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", LOCAL_AMQP_VHOST], capture_output=True, check=False)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", LOCAL_AMQP_VHOST, "guest", ".*", ".*", ".*"],
                   capture_output=True, check=False)


def _port_open(host: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


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
