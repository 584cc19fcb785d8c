"""Finding a unit by (part of) its Chinese name, best matches first.

Chinese searches are often two characters ("医院", "福州"), which pg_trgm cannot serve: it needs
three. So each name carries an indexed tsvector of its two-character pieces (``zc_bigrams``); a
query looks up all of its own pieces in that GIN index, and ``LIKE '%q%'`` then keeps only
names that contain the query as one piece. Order: the exact name, then names that start with
the query, then earlier and shorter matches. One query returns the page and the total.

On deadline day thousands type the same few common words within minutes ("医院", "福州": ten
thousand matches each, the slowest searches). The answer is the same for everyone and changes
only when a unit registers or is renamed, so answers are kept for ``ANSWER_SECONDS``; a change made
through this process forgets them at once (other processes' copies age out).
"""
from __future__ import annotations

import sqlalchemy as sa
from cachetools import TTLCache
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession

from services.units.models import Department, Unit
from services.units.schemas import UnitBrief
from shared.deps import PageParams
from shared.schemas import Paged

ANSWER_SECONDS = 30
_answers: TTLCache[tuple[str, int, int], Paged[UnitBrief]] = TTLCache(maxsize=4096, ttl=ANSWER_SECONDS)


def forget_answers() -> None:
    """A unit was registered or renamed: searches see it at once (in this process)."""
    _answers.clear()


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def bigram_query(text: str) -> str | None:
    """The tsquery (in its input syntax) requiring every two-character piece of ``text``."""
    pieces = sorted({text[i:i + 2] for i in range(len(text) - 1)})
    quoted = ("'" + p.replace("\\", "\\\\").replace("'", "''") + "'" for p in pieces)
    return " & ".join(quoted) or None


async def search_units(db: AsyncSession, q: str, page: PageParams) -> Paged[UnitBrief]:
    q = " ".join(q.split())
    if not q:
        return Paged(items=[], total=0, page=page.page, page_size=page.page_size)
    key = (q, page.page, page.page_size)
    if (kept := _answers.get(key)) is not None:
        return kept
    _answers[key] = answer = await _search(db, q, page)
    return answer


async def _search(db: AsyncSession, q: str, page: PageParams) -> Paged[UnitBrief]:
    where = [Unit.name.like(f"%{_like_escape(q)}%", escape="\\")]
    if pieces := bigram_query(q):  # a single character falls back to scanning names
        where.append(Unit.grams.op("@@")(sa.cast(sa.literal(pieces), TSQUERY)))
    rows = (await db.execute(
        sa.select(Unit.id, Unit.name, Unit.address, Department.name.label("department_name"),
                  sa.func.count().over().label("total"))
        .join(Department, Department.code == Unit.department_code)
        .where(*where)
        .order_by((Unit.name == q).desc(), sa.func.starts_with(Unit.name, q).desc(), sa.func.strpos(Unit.name, q),
                  sa.func.length(Unit.name), Unit.name, Unit.id)
        .offset(page.offset).limit(page.page_size)
    )).all()
    total = rows[0].total if rows else 0
    if not rows and page.offset:  # past the last page: still tell the total
        total = await db.scalar(sa.select(sa.func.count()).select_from(Unit).where(*where)) or 0
    return Paged(items=[UnitBrief(id=r.id, name=r.name, address=r.address, department_name=r.department_name)
                        for r in rows], total=total, page=page.page, page_size=page.page_size)
