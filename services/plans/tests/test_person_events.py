"""plans' read model of registered persons: a replayed registration (``republish`` once the
inbox has forgotten it) leaves one row with the same values."""
from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import sqlalchemy as sa

from services.plans.handlers import on_person_registered
from services.plans.models import Person
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import PersonRegistered


def test_a_replayed_registration_changes_nothing(stack):
    person_id = uuid.uuid4()
    envelope = Envelope.of("identity", person_id, PersonRegistered(
        person_id=person_id, name="重放人员", gender="male", birth_date=dt.date(1980, 1, 2),
        id_number_masked="3501**********0011", mobile="13800000000"))

    async def apply_twice() -> list[tuple]:
        db = Database(stack.urls.databases["plans"], pool_size=1, max_overflow=0)
        try:
            rows = []
            for _ in range(2):
                async with db.sessionmaker() as session, session.begin():
                    await on_person_registered(session, envelope)
                async with db.sessionmaker() as session:
                    rows.append(tuple((await session.execute(
                        sa.select(Person.name, Person.id_number_masked, Person.registered_at)
                        .where(Person.id == person_id))).all()))
            return rows
        finally:
            await db.dispose()

    first, again = asyncio.run(apply_twice())
    assert first == again == (("重放人员", "3501**********0011", envelope.occurred_at),)
