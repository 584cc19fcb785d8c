"""Finding a unit by (part of) its Chinese name, best matches first.

A trigram GIN index serves ``name LIKE '%q%'``; the order puts the exact name first, then
names that start with the query, then earlier and shorter matches."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.models import Department, Unit
from services.units.schemas import UnitBrief
from shared.deps import PageParams
from shared.schemas import Paged


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def search_units(db: AsyncSession, q: str, page: PageParams) -> Paged[UnitBrief]:
    q = " ".join(q.split())
    if not q:
        return Paged(items=[], total=0, page=page.page, page_size=page.page_size)
    match = Unit.name.like(f"%{_like_escape(q)}%", escape="\\")
    total = await db.scalar(sa.select(sa.func.count()).select_from(Unit).where(match))
    rows = (await db.execute(
        sa.select(Unit.id, Unit.name, Unit.address, Department.name.label("department_name"))
        .join(Department, Department.code == Unit.department_code)
        .where(match)
        .order_by((Unit.name == q).desc(), sa.func.starts_with(Unit.name, q).desc(), sa.func.strpos(Unit.name, q),
                  sa.func.length(Unit.name), Unit.name, Unit.id)
        .offset(page.offset).limit(page.page_size)
    )).all()
    return Paged(items=[UnitBrief(id=r.id, name=r.name, address=r.address, department_name=r.department_name)
                        for r in rows], total=total or 0, page=page.page, page_size=page.page_size)
