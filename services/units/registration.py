"""A unit's legal person registers the unit, and keeps its details current."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.units import search
from services.units.models import Department, Unit
from services.units.schemas import UnitIn, UnitOut, UnitUpdate
from shared.auth import Principal
from shared.errors import Conflict, Forbidden, InvalidField
from shared.events import record_event
from shared.events.catalogue import UnitRegistered, UnitUpdated
from shared.idnumbers import InvalidNumber, validate_credit_code

PRODUCER = "units"


async def department_name(db: AsyncSession, code: str) -> str:
    name = await db.scalar(sa.select(Department.name).where(Department.code == code))
    if name is None:
        raise InvalidField("department_code", "请从列表中选择主管部门")
    return name


async def unit_out(db: AsyncSession, unit: Unit) -> UnitOut:
    return UnitOut(id=unit.id, name=unit.name, credit_code=unit.credit_code, address=unit.address,
                   contact_name=unit.contact_name, contact_phone=unit.contact_phone,
                   department_code=unit.department_code, department_name=await department_name(db, unit.department_code),
                   legal_person_name=unit.legal_person_name, registered_at=unit.registered_at)


async def register(db: AsyncSession, principal: Principal, data: UnitIn) -> Unit:
    if principal.kind != "unit":
        raise Forbidden("请使用闽政通法人账号（单位登录）注册单位", code="legal_person_only")
    try:
        code = validate_credit_code(data.credit_code)
    except InvalidNumber as exc:
        raise InvalidField("credit_code", str(exc)) from None
    if code != principal.claims.get("credit_code"):
        raise InvalidField("credit_code", "应与登录的法人账号的统一社会信用代码一致")
    await department_name(db, data.department_code)
    await _refuse_duplicate(db, principal, code)
    unit = Unit(name=data.name, credit_code=code, address=data.address, contact_name=data.contact_name,
                contact_phone=data.contact_phone, department_code=data.department_code,
                legal_account_id=principal.id, legal_person_name=principal.claims.get("legal_person_name")
                or data.contact_name)
    db.add(unit)
    try:
        await db.flush()
    except IntegrityError:  # the same code registered at the same moment elsewhere
        await db.rollback()
        await _refuse_duplicate(db, principal, code)
        raise
    await record_event(db, PRODUCER, unit.id, UnitRegistered(**_facts(unit)))
    search.forget_answers()
    return unit


def _facts(unit: Unit) -> dict:
    return {"unit_id": unit.id, "name": unit.name, "credit_code": unit.credit_code,
            "department_code": unit.department_code, "legal_account_id": unit.legal_account_id}


async def _refuse_duplicate(db: AsyncSession, principal: Principal, code: str) -> None:
    existing = await db.scalar(sa.select(Unit).where(
        sa.or_(Unit.credit_code == code, Unit.legal_account_id == principal.id)))
    if existing is not None:
        raise Conflict(f"该单位已注册：{existing.name}（统一社会信用代码 {existing.credit_code}），无需重复注册",
                       code="unit_already_registered")


async def update(db: AsyncSession, unit: Unit, data: UnitUpdate) -> Unit:
    await department_name(db, data.department_code)
    unit.address, unit.contact_name, unit.contact_phone = data.address, data.contact_name, data.contact_phone
    unit.department_code = data.department_code
    await db.flush()
    # Every save: whoever decides by the unit's 主管部门 (applications) follows a change of it.
    await record_event(db, PRODUCER, unit.id, UnitUpdated(**_facts(unit)))
    search.forget_answers()  # its 主管部门 shows in the search's answers
    return unit
