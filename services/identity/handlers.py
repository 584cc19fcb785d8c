"""Events identity consumes: what units says about memberships and reviewers, so that 个人中心
shows the bound unit and access tokens name the units a person or account reviews for.

The consumer handles several messages at once and a failed one comes back later, so facts may
arrive out of order: each row keeps the time of the fact it reflects and only a newer fact
changes it (an ended membership or a removed reviewer stays as an inactive row). That also makes
a replay harmless once the inbox has forgotten the event (``republish``): a fact already applied
changes nothing and announces nothing."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.models import Person, PersonUnit, UnitAccount, UnitReviewer
from services.identity.people import PRODUCER
from shared.db import Database
from shared.events import Envelope, record_event
from shared.events.catalogue import (
    AccessChanged,
    BindingApproved,
    BindingEnded,
    ReviewerAdded,
    ReviewerRemoved,
    UnitRegistered,
)
from shared.events.consumer import Consumer
from shared.settings import ServiceSettings


async def _newer_fact(session: AsyncSession, model: Any, key: dict[str, Any], values: dict[str, Any],
                      at: dt.datetime) -> bool:
    """Whether the fact changed the row (it is newer than what the row reflects)."""
    if await session.get(Person, key["person_id"]) is None:
        return False  # not a person of ours (only after a database was reset)
    insert = pg.insert(model).values(**key, **values, changed_at=at)
    result = await session.execute(insert.on_conflict_do_update(
        index_elements=list(key), set_={**values, "changed_at": at}, where=model.changed_at < at))
    return result.rowcount > 0


async def on_units_event(session: AsyncSession, envelope: Envelope) -> None:
    data, at = envelope.payload(), envelope.occurred_at
    match data:
        case UnitRegistered():
            changed = (await session.execute(
                sa.update(UnitAccount).where(UnitAccount.id == data.legal_account_id,
                                             UnitAccount.unit_id.is_distinct_from(data.unit_id))
                .values(unit_id=data.unit_id))).rowcount > 0
            subject = data.legal_account_id
        case BindingApproved() | BindingEnded():
            changed = await _newer_fact(session, PersonUnit, {"person_id": data.person_id}, {
                "binding_id": data.binding_id, "unit_id": data.unit_id, "unit_name": data.unit_name,
                "active": isinstance(data, BindingApproved)}, at)
            subject = data.person_id
        case ReviewerAdded() | ReviewerRemoved():
            changed = await _newer_fact(session, UnitReviewer, {"person_id": data.person_id, "unit_id": data.unit_id},
                                        {"active": isinstance(data, ReviewerAdded)}, at)
            subject = data.person_id
        case _:
            return
    if not changed:
        return  # a fact already applied (a replay) or superseded: tokens say the same as before
    # Now that tokens minted from here on say it, cached ones must go (the gateway listens).
    await record_event(session, PRODUCER, subject, AccessChanged(subject=subject))


def consumers(db: Database, settings: ServiceSettings) -> list[Consumer]:
    return [Consumer(queue="identity.units", handler=on_units_event, sessionmaker=db.sessionmaker,
                     amqp_url=settings.platform.amqp_url, exchange=settings.platform.events_exchange,
                     routing_keys=["units.unit.registered", "units.binding.approved", "units.binding.ended",
                                   "units.reviewer.added", "units.reviewer.removed"])]
