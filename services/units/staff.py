"""工作人员 of a 主管部门: registered persons an operator names to decide at the 主管部门 stage
over the applications of the department's units. Persons are found in units' own read model
of identity's registrations (handlers.py), never by calling identity."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.models import Department, DepartmentStaff, Person
from services.units.registration import PRODUCER
from shared.auth import Principal
from shared.errors import Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import DepartmentStaffAdded, DepartmentStaffRemoved


async def get_department(db: AsyncSession, code: str) -> Department:
    department = await db.get(Department, code)
    if department is None:
        raise NotFound("未找到该主管部门", code="department_not_found")
    return department


async def add(db: AsyncSession, operator: Principal, code: str, person_id: uuid.UUID) -> DepartmentStaff:
    department = await get_department(db, code)
    person = await db.get(Person, person_id)
    if person is None:
        raise InvalidField("person_id", "未找到该注册人员（人员须先在本平台完成注册）")
    # The primary key referees two operators naming the same person at once.
    added = await db.scalar(pg.insert(DepartmentStaff).values(
        department_code=code, person_id=person_id, person_name=person.name,
        added_by=operator.name or operator.subject).on_conflict_do_nothing().returning(DepartmentStaff.person_id))
    if added is None:
        raise Conflict(f"{person.name}已是{department.name}的工作人员", code="already_department_staff")
    await record_event(db, PRODUCER, code, DepartmentStaffAdded(
        department_code=code, department_name=department.name, person_id=person_id))
    return await db.get(DepartmentStaff, (code, person_id))


async def remove(db: AsyncSession, code: str, person_id: uuid.UUID) -> None:
    await get_department(db, code)
    staff = await db.get(DepartmentStaff, (code, person_id))
    if staff is None:
        raise NotFound("该人员不是此主管部门的工作人员", code="department_staff_not_found")
    await db.delete(staff)
    await db.flush()
    await record_event(db, PRODUCER, code, DepartmentStaffRemoved(department_code=code, person_id=person_id))


async def listed(db: AsyncSession, code: str | None = None) -> list[tuple[DepartmentStaff, Person | None]]:
    """The staff of one department (``code``) or of all, with what the read model knows of them."""
    query = (sa.select(DepartmentStaff, Person).outerjoin(Person, Person.id == DepartmentStaff.person_id)
             .order_by(DepartmentStaff.department_code, DepartmentStaff.added_at))
    if code is not None:
        await get_department(db, code)
        query = query.where(DepartmentStaff.department_code == code)
    return [(s, p) for s, p in (await db.execute(query)).all()]


async def departments_of(db: AsyncSession, principal: Principal) -> list[Department]:
    """The departments this principal is staff of (none for a unit account)."""
    if principal.kind != "person":
        return []
    return list((await db.scalars(
        sa.select(Department).join(DepartmentStaff, DepartmentStaff.department_code == Department.code)
        .where(DepartmentStaff.person_id == principal.id).order_by(Department.position))).all())


async def find_persons(db: AsyncSession, name: str, limit: int = 20) -> list[Person]:
    return list((await db.scalars(sa.select(Person).where(Person.name == " ".join(name.split()))
                                  .order_by(Person.registered_at).limit(limit))).all())
