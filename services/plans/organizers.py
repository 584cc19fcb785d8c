"""组建单位 and who administers them. The plan_admin role (in the token, granted by identity)
says a person may administer plans at all; this service says for which organisers. Each change of
administrators is an event (applications lets them decide 免面试 and schedule interviews)."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.plans.models import Organizer, OrganizerAdmin, Person
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import OrganizerAdminAdded, OrganizerAdminRemoved

PRODUCER = "plans"


async def all_organizers(db: AsyncSession) -> list[Organizer]:
    return list((await db.scalars(sa.select(Organizer).order_by(Organizer.name))).all())


async def get_organizer(db: AsyncSession, organizer_id: uuid.UUID) -> Organizer:
    organizer = await db.get(Organizer, organizer_id)
    if organizer is None:
        raise NotFound("未找到该组建单位", code="organizer_not_found")
    return organizer


async def organizer_by_name(db: AsyncSession, name: str) -> Organizer:
    organizer = await db.scalar(sa.select(Organizer).where(Organizer.name == name.strip()))
    if organizer is None:
        raise NotFound(f"未找到组建单位“{name}”", code="organizer_not_found")
    return organizer


async def create_organizer(db: AsyncSession, name: str) -> Organizer:
    name = " ".join(name.split())
    if await db.scalar(sa.select(Organizer.id).where(Organizer.name == name)):
        raise Conflict(f"组建单位“{name}”已存在", code="organizer_exists")
    organizer = Organizer(id=uuid.uuid4(), name=name)
    db.add(organizer)
    await db.flush()
    return organizer


async def administered_by(db: AsyncSession, principal: Principal | None) -> list[Organizer]:
    """The organisers whose plans this principal may manage (none without the plan_admin role)."""
    if principal is None or principal.kind != "person" or not principal.has("plan_admin"):
        return []
    return list((await db.scalars(
        sa.select(Organizer).join(OrganizerAdmin, OrganizerAdmin.organizer_id == Organizer.id)
        .where(OrganizerAdmin.person_id == principal.id).order_by(Organizer.name))).all())


async def require_admin_of(db: AsyncSession, principal: Principal, organizer_id: uuid.UUID) -> None:
    if organizer_id not in {o.id for o in await administered_by(db, principal)}:
        raise Forbidden("您不是该组建单位的计划管理员，不能管理其评审计划", code="not_organizer_admin")


async def add_admin(db: AsyncSession, organizer_id: uuid.UUID, person_id: uuid.UUID, assigned_by: str) -> OrganizerAdmin:
    await get_organizer(db, organizer_id)
    if await db.get(Person, person_id) is None:
        raise InvalidField("person_id", "未找到该注册人员（人员须先在本平台完成注册）")
    added = await db.scalar(pg.insert(OrganizerAdmin).values(organizer_id=organizer_id, person_id=person_id,
                                                             assigned_by=assigned_by)
                            .on_conflict_do_nothing().returning(OrganizerAdmin.person_id))
    if added is not None:  # adding an administrator again changes nothing, and tells nobody
        await record_event(db, PRODUCER, organizer_id, OrganizerAdminAdded(organizer_id=organizer_id,
                                                                           person_id=person_id))
    return await db.get(OrganizerAdmin, (organizer_id, person_id))


async def remove_admin(db: AsyncSession, organizer_id: uuid.UUID, person_id: uuid.UUID) -> None:
    admin = await db.get(OrganizerAdmin, (organizer_id, person_id))
    if admin is None:
        raise NotFound("该人员不是此组建单位的计划管理员", code="admin_not_found")
    await db.delete(admin)
    await db.flush()
    await record_event(db, PRODUCER, organizer_id, OrganizerAdminRemoved(organizer_id=organizer_id, person_id=person_id))


async def admins_of(db: AsyncSession, organizer_id: uuid.UUID) -> list[tuple[OrganizerAdmin, Person | None]]:
    await get_organizer(db, organizer_id)
    rows = await db.execute(
        sa.select(OrganizerAdmin, Person).outerjoin(Person, Person.id == OrganizerAdmin.person_id)
        .where(OrganizerAdmin.organizer_id == organizer_id).order_by(OrganizerAdmin.assigned_at))
    return [(a, p) for a, p in rows.all()]


async def find_persons(db: AsyncSession, name: str, limit: int = 20) -> list[Person]:
    return list((await db.scalars(sa.select(Person).where(Person.name == " ".join(name.split()))
                                  .order_by(Person.registered_at).limit(limit))).all())
