"""Which failures count as an unreachable database (503) and which stay bugs (500)."""
from __future__ import annotations

import asyncio

import asyncpg
import pytest
import sqlalchemy.exc
from sqlalchemy.ext.asyncio import create_async_engine

from shared.errors import database_unreachable
from shared.testing.processes import free_port


async def _connect_to_nothing(**engine_args) -> BaseException:
    engine = create_async_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x", **engine_args)
    try:
        async with engine.connect():
            pass
    except Exception as exc:
        return exc
    finally:
        await engine.dispose()
    raise AssertionError("connected to nothing")


def test_a_refused_connection_through_sqlalchemy_is_unreachable():
    exc = asyncio.run(_connect_to_nothing())
    assert isinstance(exc, OSError)  # asyncpg's own ConnectionRefusedError, not wrapped by SQLAlchemy
    assert database_unreachable(exc)


def test_pool_timeouts_and_dropped_connections_are_unreachable():
    assert database_unreachable(sqlalchemy.exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"))
    assert database_unreachable(asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert database_unreachable(asyncpg.CannotConnectNowError("the database system is starting up"))
    wrapped = RuntimeError("while handling")
    wrapped.__cause__ = sqlalchemy.exc.OperationalError("SELECT 1", {}, ConnectionResetError())
    assert database_unreachable(wrapped)


@pytest.mark.parametrize("exc", [ValueError("a bug"), KeyError("x"), FileNotFoundError("/nope"),
                                 sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate key"))])
def test_bugs_and_other_errors_stay_500(exc):
    assert not database_unreachable(exc)
