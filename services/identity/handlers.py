"""Events identity consumes: what units says about memberships and reviewers, so that 个人中心
shows the bound unit and access tokens name the units a person or account reviews for."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.models import Person, PersonUnit, UnitAccount, UnitReviewer
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import BindingApproved, BindingEnded, ReviewerAdded, ReviewerRemoved, UnitRegistered
from shared.events.consumer import Consumer
from shared.settings import ServiceSettings


async def on_units_event(session: AsyncSession, envelope: Envelope) -> None:
    data = envelope.payload()
    match data:
        case UnitRegistered():
            await session.execute(sa.update(UnitAccount).where(UnitAccount.id == data.legal_account_id)
                                  .values(unit_id=data.unit_id))
        case BindingApproved():
            if await session.get(Person, data.person_id) is None:
                return  # not a person of ours (only after a database was reset)
            values = {"binding_id": data.binding_id, "unit_id": data.unit_id, "unit_name": data.unit_name,
                      "since": envelope.occurred_at}
            await session.execute(pg.insert(PersonUnit).values(person_id=data.person_id, **values)
                                  .on_conflict_do_update(index_elements=[PersonUnit.person_id], set_=values,
                                                         where=PersonUnit.since <= envelope.occurred_at))
        case BindingEnded():
            # Only the membership this event ends: a newer approval may already have replaced it.
            await session.execute(sa.delete(PersonUnit).where(PersonUnit.person_id == data.person_id,
                                                              PersonUnit.binding_id == data.binding_id))
        case ReviewerAdded():
            if await session.get(Person, data.person_id) is not None:
                await session.execute(pg.insert(UnitReviewer).values(person_id=data.person_id, unit_id=data.unit_id)
                                      .on_conflict_do_nothing())
        case ReviewerRemoved():
            await session.execute(sa.delete(UnitReviewer).where(UnitReviewer.person_id == data.person_id,
                                                                UnitReviewer.unit_id == data.unit_id))


def consumers(db: Database, settings: ServiceSettings) -> list[Consumer]:
    return [Consumer(queue="identity.units", handler=on_units_event, sessionmaker=db.sessionmaker,
                     amqp_url=settings.platform.amqp_url, exchange=settings.platform.events_exchange,
                     routing_keys=["units.unit.registered", "units.binding.approved", "units.binding.ended",
                                   "units.reviewer.added", "units.reviewer.removed"])]
