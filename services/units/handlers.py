"""Events units consumes: registered persons, so that an operator can find one by name and name
them staff of a 主管部门 (staff.py) without calling identity."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.models import Person
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import PersonRegistered
from shared.events.consumer import Consumer
from shared.events.handlers import EventHandlers
from shared.settings import ServiceSettings

handlers = EventHandlers()


@handlers.on("identity.person.registered")
async def on_person_registered(session: AsyncSession, data: PersonRegistered, envelope: Envelope) -> None:
    """An upsert by person id: a replay (``republish``, after the inbox forgot it) changes nothing."""
    values = {"name": data.name, "id_number_masked": data.id_number_masked, "registered_at": envelope.occurred_at}
    await session.execute(pg.insert(Person).values(id=data.person_id, **values)
                          .on_conflict_do_update(index_elements=[Person.id], set_=values))


def consumers(db: Database, settings: ServiceSettings) -> list[Consumer]:
    return [handlers.consumer("units.persons", db, settings)]
