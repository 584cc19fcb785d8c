"""导入 from the personal library: approved snapshots become items of a section; 上移/下移, 移除
(never touches the library), 最高学历 and the 年度考核 result.

Only the approved versions applications heard of (library.entry.approved) can be imported, so
importing works while library is down, and an item keeps its text and attachments whatever
happens to the library entry later."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.applications import drafts
from services.applications.models import Application, Item, Snapshot
from services.applications.schemas import ImportableOut, ItemChange
from shared.auth import Principal
from shared.entry_types import entry_type_name, title_of
from shared.errors import Conflict, InvalidField, NotFound


def _section(plan, code: str) -> tuple[str, list[str], int]:
    found = next((s for s in drafts.sections_of(plan) if s.code == code), None)
    if found is None:
        raise InvalidField("section", "该计划的申报材料中没有这一栏")
    return found.name, found.entry_types, found.max_count


def _latest_approved() -> sa.Select:
    """Each entry's newest approved version (an older one is superseded by a later approval)."""
    return sa.select(Snapshot).distinct(Snapshot.entry_id).order_by(Snapshot.entry_id, Snapshot.version.desc())


async def importable(db: AsyncSession, person: Principal, application_id: uuid.UUID,
                     section: str) -> list[ImportableOut]:
    """导入's dialog: the person's approved entries of the types this section takes."""
    app = await drafts.owned(db, person, application_id)
    _, types, _ = _section(await drafts.plan_of(db, app.plan_id, known=True), section)
    latest = _latest_approved().where(Snapshot.owner_id == person.id, Snapshot.type.in_(types)).subquery()
    snap = aliased(Snapshot, latest)
    rows = (await db.scalars(sa.select(snap).order_by(snap.approved_at.desc()))).all()
    taken = set((await db.scalars(sa.select(Item.entry_id).where(Item.application_id == app.id))).all())
    return [ImportableOut(entry_id=s.entry_id, version=s.version, type=s.type, type_name=entry_type_name(s.type),
                          title=title_of(s.type, s.fields), fields=s.fields, attachment_ids=s.attachment_ids,
                          approved_at=s.approved_at, imported=s.entry_id in taken) for s in rows]


async def import_entries(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                         section: str, entry_ids: list[uuid.UUID]) -> Application:
    app = await drafts.for_change(db, person, application_id, if_match)
    name, types, max_count = _section(await drafts.plan_of(db, app.plan_id, known=True), section)
    wanted = list(dict.fromkeys(entry_ids))
    latest = _latest_approved().where(Snapshot.owner_id == person.id, Snapshot.entry_id.in_(wanted)).subquery()
    snaps = {s.entry_id: s for s in (await db.scalars(sa.select(aliased(Snapshot, latest)))).all()}
    missing = [e for e in wanted if e not in snaps]
    if missing:
        raise InvalidField("entry_ids", f"所选业绩中有 {len(missing)} 项不是您已通过单位审核的业绩，不能导入；"
                                        "请先在个人业绩库中录入并提交单位审核")
    wrong = [s for s in snaps.values() if s.type not in types]
    if wrong:
        raise InvalidField("entry_ids", f"「{name}」只能导入{drafts.entry_types_named(types)}，"
                                        f"所选的「{title_of(wrong[0].type, wrong[0].fields)}」"
                                        f"是{entry_type_name(wrong[0].type)}")
    present = {i.entry_id: i for i in (await db.scalars(sa.select(Item).where(Item.application_id == app.id))).all()}
    again = [snaps[e] for e in wanted if e in present]
    if again:
        raise Conflict(f"「{title_of(again[0].type, again[0].fields)}」已导入本申报，不能重复导入；"
                       "如需重新导入，请先移除已导入的记录", code="already_imported")
    in_section = sum(1 for i in present.values() if i.section == section)
    if in_section + len(wanted) > max_count:
        raise InvalidField("entry_ids", f"「{name}」最多导入 {max_count} 项，已导入 {in_section} 项")
    for n, entry_id in enumerate(wanted, in_section):
        s = snaps[entry_id]
        db.add(Item(id=uuid.uuid4(), application_id=app.id, section=section, position=n, entry_id=s.entry_id,
                    entry_version=s.version, type=s.type, fields=s.fields, attachment_ids=list(s.attachment_ids),
                    approved_at=s.approved_at, highest=False, assessment=None))
    await drafts.saved(db, app)
    return app


async def _item(db: AsyncSession, app: Application, item_id: uuid.UUID) -> Item:
    item = await db.scalar(sa.select(Item).where(Item.id == item_id, Item.application_id == app.id))
    if item is None:
        raise NotFound("未找到该导入记录", code="item_not_found")
    return item


async def _renumber(db: AsyncSession, order: list[Item]) -> None:
    for n, item in enumerate(order):
        item.position = n
    await db.flush()


async def _section_items(db: AsyncSession, app: Application, section: str) -> list[Item]:
    return list((await db.scalars(sa.select(Item).where(Item.application_id == app.id, Item.section == section)
                                  .order_by(Item.position, Item.imported_at))).all())


async def remove(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                 item_id: uuid.UUID) -> Application:
    """移除: out of the application only; the library entry stays as it is."""
    app = await drafts.for_change(db, person, application_id, if_match)
    item = await _item(db, app, item_id)
    await db.delete(item)
    await db.flush()
    await _renumber(db, await _section_items(db, app, item.section))
    await drafts.saved(db, app)
    return app


async def move(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
               item_id: uuid.UUID, direction: str) -> Application:
    """上移 / 下移 within its section (the first cannot go up, the last not down: nothing changes)."""
    app = await drafts.for_change(db, person, application_id, if_match)
    item = await _item(db, app, item_id)
    order = await _section_items(db, app, item.section)
    at = next(n for n, i in enumerate(order) if i.id == item.id)
    to = at - 1 if direction == "up" else at + 1
    if 0 <= to < len(order):
        order[at], order[to] = order[to], order[at]
        await _renumber(db, order)
    await drafts.saved(db, app)
    return app


async def change(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                 item_id: uuid.UUID, data: ItemChange) -> Application:
    """最高学历 (exactly one: choosing one clears the others) and 年度考核's 合格 / 不合格."""
    app = await drafts.for_change(db, person, application_id, if_match)
    item = await _item(db, app, item_id)
    if data.highest is not None:
        if item.section != "education":
            raise InvalidField("highest", "只有学历教育栏目中的记录可以设置最高学历")
        if data.highest:
            await db.execute(sa.update(Item).where(Item.application_id == app.id, Item.section == "education",
                                                   Item.id != item.id).values(highest=False))
        item.highest = data.highest
    if data.assessment is not None:
        if item.section != "annual_assessment":
            raise InvalidField("assessment", "只有年度考核栏目中的记录需要选择考核结果")
        item.assessment = data.assessment
    await drafts.saved(db, app)
    return app
