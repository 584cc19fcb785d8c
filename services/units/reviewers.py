"""经办人: registered persons the legal person names to review for the unit."""
from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.models import Reviewer, Unit
from services.units.registration import PRODUCER
from shared.errors import AppError, Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import ReviewerAdded, ReviewerRemoved
from shared.idnumbers import InvalidNumber, parse_id_number


async def add(db: AsyncSession, identity: httpx.AsyncClient, unit: Unit, id_number: str) -> Reviewer:
    try:
        number = parse_id_number(id_number).number
    except InvalidNumber as exc:
        raise InvalidField("id_number", str(exc)) from None
    response = await identity.get("/internal/persons/lookup", params={"id_number": number})
    if response.status_code == 404:
        raise InvalidField("id_number", "该人员尚未在本平台注册，请其先使用闽政通个人账号登录注册")
    if response.status_code != 200:
        raise AppError("暂时无法核实该人员，请稍后再试", code="identity_unavailable", status_code=503)
    person = response.json()
    if await db.get(Reviewer, (unit.id, uuid.UUID(person["id"]))) is not None:
        raise Conflict(f"{person['name']}已是本单位经办人", code="already_reviewer")
    reviewer = Reviewer(unit_id=unit.id, person_id=uuid.UUID(person["id"]), name=person["name"],
                        id_number_masked=person["id_number_masked"])
    db.add(reviewer)
    await db.flush()
    await record_event(db, PRODUCER, unit.id, ReviewerAdded(unit_id=unit.id, person_id=reviewer.person_id))
    return reviewer


async def remove(db: AsyncSession, unit: Unit, person_id: uuid.UUID) -> None:
    reviewer = await db.get(Reviewer, (unit.id, person_id))
    if reviewer is None:
        raise NotFound("该人员不是本单位经办人", code="reviewer_not_found")
    await db.delete(reviewer)
    await db.flush()
    await record_event(db, PRODUCER, unit.id, ReviewerRemoved(unit_id=unit.id, person_id=person_id))


async def of_unit(db: AsyncSession, unit: Unit) -> list[Reviewer]:
    return list((await db.scalars(sa.select(Reviewer).where(Reviewer.unit_id == unit.id)
                                  .order_by(Reviewer.added_at))).all())
