"""``ReadSession`` (the hot GET routes): reads with no transaction around them, and any write —
through the ORM or as a statement — refused before it reaches the database."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import WriteInReadOnlySession, declarative_base

Base = declarative_base()


class Effect(Base):  # the test database's ``effects`` table (shared/tests/conftest.py)
    __tablename__ = "effects"

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    label: Mapped[str]


async def labels(db) -> list[str]:
    async with db.engine.connect() as conn:
        return list((await conn.scalars(sa.select(Effect.label).where(Effect.label.like("read-%")))).all())


async def label_of(db, event_id: uuid.UUID) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.scalar(sa.select(Effect.label).where(Effect.event_id == event_id))


async def test_a_read_session_reads_without_a_transaction(db):
    async for session in db.session():
        session.add(Effect(event_id=uuid.uuid4(), label="read-written"))
    async for session in db.session(read_only=True):
        assert await session.scalar(sa.select(Effect.label).where(Effect.label == "read-written")) == "read-written"
        # No BEGIN was sent: PostgreSQL sees each statement as its own transaction.
        first = await session.scalar(sa.text("SELECT txid_current()"))
        assert await session.scalar(sa.text("SELECT txid_current()")) != first


@pytest.mark.parametrize("how", ["add", "change", "insert", "update", "delete"])
async def test_a_read_session_refuses_every_write(db, how):
    kept = uuid.uuid4()
    async for session in db.session():
        session.add(Effect(event_id=kept, label="read-kept"))
    with pytest.raises(WriteInReadOnlySession):
        async for session in db.session(read_only=True):
            match how:
                case "add":
                    session.add(Effect(event_id=uuid.uuid4(), label="read-added"))
                    await session.flush()
                case "change":
                    (await session.get(Effect, kept)).label = "read-changed"
                    await session.flush()
                case "insert":
                    await session.execute(sa.insert(Effect).values(event_id=uuid.uuid4(), label="read-inserted"))
                case "update":
                    await session.execute(sa.update(Effect).where(Effect.event_id == kept).values(label="read-updated"))
                case "delete":
                    await session.execute(sa.delete(Effect).where(Effect.event_id == kept))
    assert await label_of(db, kept) == "read-kept"  # not changed, not deleted
    assert not {"read-added", "read-inserted"} & set(await labels(db))
