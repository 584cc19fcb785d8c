"""What every service's Alembic ``env.py`` does, in one place."""
from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import create_async_engine

EVENT_TABLES = {"outbox", "inbox"}


def _include(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Autogenerate leaves the shared event tables alone: they are not in a service's models."""
    table = getattr(obj, "table", obj)
    return getattr(table, "name", name) not in EVENT_TABLES


def run_env(target_metadata: MetaData) -> None:
    config = context.config
    url = config.get_main_option("sqlalchemy.url")

    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: sa.Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                          include_object=_include)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=sa.pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run_async())


def create_event_tables() -> None:
    """The outbox and inbox tables every service has (see shared.events)."""
    op.create_table(
        "outbox",
        sa.Column("id", pg.UUID(as_uuid=True), primary_key=True),
        sa.Column("type", sa.String(120), nullable=False),
        sa.Column("envelope", pg.JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )
    # The relay only ever looks at unsent rows; a partial index keeps that scan tiny.
    op.create_index("ix_outbox_unsent", "outbox", ["created_at"], postgresql_where=sa.text("sent_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("event_id", pg.UUID(as_uuid=True), nullable=False),
        sa.Column("consumer", sa.String(120), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("event_id", "consumer", name="pk_inbox"),
    )


def drop_event_tables() -> None:
    op.drop_table("inbox")
    op.drop_index("ix_outbox_unsent", table_name="outbox")
    op.drop_table("outbox")
