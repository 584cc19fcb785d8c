"""诚信档案: operators record findings with a ban period; other services ask whether a person
may apply on a given day."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.models import IntegrityRecord
from services.identity.people import PRODUCER, person_by_id_number
from services.identity.schemas import IntegrityIn
from shared.errors import InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import IntegrityRecorded, IntegrityRevoked


async def record(db: AsyncSession, data: IntegrityIn, recorded_by: str) -> IntegrityRecord:
    if data.ban_until < data.ban_from:
        raise InvalidField("ban_until", "不能早于禁止申报起始日期")
    person = await person_by_id_number(db, data.id_number)
    rec = IntegrityRecord(id=uuid.uuid4(), person_id=person.id, reason=data.reason, ban_from=data.ban_from,
                          ban_until=data.ban_until, recorded_by=recorded_by)
    db.add(rec)
    await db.flush()
    await record_event(db, PRODUCER, person.id, IntegrityRecorded(
        record_id=rec.id, person_id=person.id, reason=rec.reason, ban_from=rec.ban_from, ban_until=rec.ban_until))
    return rec


async def revoke(db: AsyncSession, record_id: uuid.UUID, revoked_by: str) -> IntegrityRecord:
    rec = await db.get(IntegrityRecord, record_id)
    if rec is None:
        raise NotFound("未找到该诚信档案记录")
    if rec.revoked_at is None:
        rec.revoked_at, rec.revoked_by = dt.datetime.now(dt.UTC), revoked_by
        await record_event(db, PRODUCER, rec.person_id, IntegrityRevoked(record_id=rec.id, person_id=rec.person_id))
    await db.flush()
    return rec


async def records_of(db: AsyncSession, person_id: uuid.UUID) -> list[IntegrityRecord]:
    return list((await db.scalars(sa.select(IntegrityRecord).where(IntegrityRecord.person_id == person_id)
                                  .order_by(IntegrityRecord.created_at.desc()))).all())


async def bans_on(db: AsyncSession, person_id: uuid.UUID, on: dt.date) -> list[IntegrityRecord]:
    return list((await db.scalars(sa.select(IntegrityRecord).where(
        IntegrityRecord.person_id == person_id, IntegrityRecord.revoked_at.is_(None),
        IntegrityRecord.ban_from <= on, IntegrityRecord.ban_until >= on))).all())
