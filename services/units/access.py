"""Who may act for a unit: its legal person (法人 account) and the reviewers (经办人) it named."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.models import Reviewer, Unit
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


async def get_unit(db: AsyncSession, unit_id: uuid.UUID) -> Unit:
    unit = await db.get(Unit, unit_id)
    if unit is None:
        raise NotFound("未找到该单位", code="unit_not_found")
    return unit


async def units_of(db: AsyncSession, principal: Principal) -> list[Unit]:
    """The units this principal reviews for (a legal account has at most one)."""
    if principal.kind == "unit":
        query = sa.select(Unit).where(Unit.legal_account_id == principal.id)
    elif principal.kind == "person":
        query = sa.select(Unit).join(Reviewer, Reviewer.unit_id == Unit.id).where(Reviewer.person_id == principal.id)
    else:
        return []
    return list((await db.scalars(query.order_by(Unit.name))).all())


async def acting_for(db: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Unit:
    """The unit, if the principal reviews for it; refused otherwise (nothing is revealed)."""
    unit = await get_unit(db, unit_id)
    if principal.kind == "unit" and unit.legal_account_id == principal.id:
        return unit
    if principal.kind == "person" and await db.get(Reviewer, (unit_id, principal.id)) is not None:
        return unit
    raise Forbidden("您不是该单位的经办人，无权处理该单位的事务", code="not_unit_reviewer")


async def legal_person_of(db: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Unit:
    unit = await get_unit(db, unit_id)
    if principal.kind != "unit" or unit.legal_account_id != principal.id:
        raise Forbidden("只有单位法人账号可以进行此操作", code="legal_person_only")
    return unit


def actor_name(principal: Principal, unit: Unit) -> str:
    return f"{unit.legal_person_name}（法人）" if principal.kind == "unit" else (principal.name or "经办人")
