"""Async SQLAlchemy sessions and Alembic migrations, one PostgreSQL database per service.

Services only ``flush()``; the request dependency (``session_dependency``) or the consumer
wrapper owns commit and rollback, so a handler's work and its outbox rows commit together.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, event
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def declarative_base(extra_types: dict[Any, Any] | None = None) -> type[DeclarativeBase]:
    """A new base for one service's models: its own metadata (its own database), the naming
    convention, JSONB for dicts and time-zone-aware timestamps (plus ``extra_types``)."""

    class Base(DeclarativeBase):
        metadata = make_metadata()
        type_annotation_map = {dict[str, Any]: pg.JSONB, dt.datetime: sa.DateTime(timezone=True),
                               **(extra_types or {})}

    return Base


READS_ONLY = "reads_only"


class WriteInReadOnlySession(RuntimeError):
    """A GET handler that writes: a bug (GET is safe), refused before anything reaches the database."""


@event.listens_for(Session, "before_flush")
def _no_flush_when_reading(session: Session, *_: Any) -> None:
    if session.info.get(READS_ONLY) and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnlySession("a read-only session (GET) was asked to write")


@event.listens_for(Session, "do_orm_execute")
def _no_statement_when_reading(state: ORMExecuteState) -> None:
    if state.session.info.get(READS_ONLY) and (state.is_insert or state.is_update or state.is_delete):
        raise WriteInReadOnlySession("a read-only session (GET) was asked to write")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Database:
    """The engine and session factory of one service."""

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 20) -> None:
        self.url = url
        # No pool_pre_ping: it costs a round trip on every checkout (7 % of a service's CPU under
        # load). A connection lost meanwhile fails the request that uses it (503, see
        # shared/tests/test_database_outage.py) and SQLAlchemy then discards the whole pool.
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=10
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        # Reads without BEGIN and COMMIT: two round trips fewer for every page's question. Under READ
        # COMMITTED each statement sees its own snapshot either way; writing is refused (``_reads_only``).
        self.readers = async_sessionmaker(self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                                          expire_on_commit=False, info={READS_ONLY: True})

    async def session(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """A unit of work: commit if the caller finished, roll back if it raised. ``read_only``: no
        transaction at all, and any write raises."""
        async with (self.readers if read_only else self.sessionmaker)() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


async def ensure_database(url: str) -> None:
    """Create the service's database if it does not exist (dev stack and tests)."""
    name = make_url(url).database
    conn = await asyncpg.connect(_asyncpg_dsn(url, "postgres"))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    except asyncpg.DuplicateDatabaseError:
        pass
    finally:
        await conn.close()


def alembic_config(migrations_dir: Path, url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_to_head(migrations_dir: Path, url: str) -> None:
    """Run the service's Alembic migrations to head (blocking; call before serving)."""
    command.upgrade(alembic_config(migrations_dir, url), "head")
