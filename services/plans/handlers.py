"""Events plans consumes: registered persons, so that an operator can make one an
administrator of an organiser and the administrators are listed by name."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.plans.models import Person
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import PersonRegistered
from shared.events.consumer import Consumer
from shared.settings import ServiceSettings


async def on_person_registered(session: AsyncSession, envelope: Envelope) -> None:
    """An upsert by person id: a replay (``republish``, after the inbox forgot it) changes nothing."""
    data = envelope.payload()
    assert isinstance(data, PersonRegistered)
    values = {"name": data.name, "id_number_masked": data.id_number_masked, "registered_at": envelope.occurred_at}
    await session.execute(pg.insert(Person).values(id=data.person_id, **values)
                          .on_conflict_do_update(index_elements=[Person.id], set_=values))


def consumers(db: Database, settings: ServiceSettings) -> list[Consumer]:
    return [Consumer(queue="plans.persons", routing_keys=["identity.person.registered"], handler=on_person_registered,
                     sessionmaker=db.sessionmaker, amqp_url=settings.platform.amqp_url,
                     exchange=settings.platform.events_exchange)]
