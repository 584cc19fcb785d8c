"""A person's own entries: add, edit, delete a draft, submit for the unit's review, withdraw.

States: 草稿 draft → 待单位审核 submitted → 已通过 approved / 已退回 returned. Editing an approved
entry starts a new version (draft again) while the approved version stays importable."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.library import attachments
from services.library.fields import clean_fields, entry_type
from services.library.models import Entry
from services.library.schemas import STATUS_LABELS, EntryIn, EntryOut, EntryUpdate, TypeStats
from shared.auth import Principal
from shared.entry_types import ENTRY_TYPES, title_of
from shared.errors import Conflict, NotFound
from shared.events import record_event
from shared.events.catalogue import EntrySubmitted, EntryWithdrawn
from shared.schemas import Paged

PRODUCER = "library"


def entry_out(e: Entry) -> EntryOut:
    return EntryOut(id=e.id, owner_id=e.owner_id, owner_name=e.owner_name,
                    owner_id_number_masked=e.owner_id_number_masked, type=e.type, type_name=entry_type(e.type).name,
                    title=title_of(e.type, e.fields), status=e.status, status_label=STATUS_LABELS[e.status],
                    version=e.version, fields=e.fields, attachment_ids=e.attachment_ids, unit_id=e.unit_id,
                    submitted_at=e.submitted_at, decided_at=e.decided_at, decided_by=e.decided_by,
                    return_reason=e.return_reason, approved=e.approved, created_at=e.created_at,
                    updated_at=e.updated_at)


async def own_entry(db: AsyncSession, person: Principal, entry_id: uuid.UUID, *, lock: bool = False) -> Entry:
    query = sa.select(Entry).where(Entry.id == entry_id, Entry.owner_id == person.id)
    entry = await db.scalar(query.with_for_update() if lock else query)
    if entry is None:
        raise NotFound("未找到该业绩", code="entry_not_found")
    return entry


async def create(db: AsyncSession, documents: httpx.AsyncClient, person: Principal, data: EntryIn) -> Entry:
    fields = clean_fields(data.type, data.fields)
    entry = Entry(id=uuid.uuid4(), owner_id=person.id, owner_name=person.name or "",
                  owner_id_number_masked=person.claims.get("id_number_masked", ""), type=data.type, fields=fields,
                  attachment_ids=list(dict.fromkeys(data.attachment_ids)))
    db.add(entry)
    await db.flush()
    await attachments.claim(documents, entry, unit_id=None)
    return entry


async def update(db: AsyncSession, documents: httpx.AsyncClient, person: Principal, entry_id: uuid.UUID,
                 data: EntryUpdate) -> Entry:
    entry = await own_entry(db, person, entry_id, lock=True)
    if entry.status == "submitted":
        raise Conflict("该业绩正在等待单位审核，请先撤回再修改", code="under_review")
    fields, had = clean_fields(entry.type, data.fields), entry.attachment_ids
    if entry.status == "approved":  # a new version; the approved one stays importable
        entry.version += 1
        entry.decided_at = entry.decided_by = None
    entry.fields, entry.attachment_ids = fields, list(dict.fromkeys(data.attachment_ids))
    entry.status, entry.return_reason = "draft", None
    await db.flush()
    await attachments.claim(documents, entry, had=had, unit_id=None)
    return entry


async def delete(db: AsyncSession, documents: httpx.AsyncClient, person: Principal, entry_id: uuid.UUID) -> None:
    entry = await own_entry(db, person, entry_id, lock=True)
    if entry.approved is not None or entry.status not in ("draft", "returned"):
        raise Conflict("只能删除未通过单位审核的草稿或退回的业绩", code="not_deletable")
    await db.delete(entry)
    await db.flush()
    if entry.attachment_ids:
        await attachments.release(documents, entry)


async def submit(db: AsyncSession, documents: httpx.AsyncClient, person: Principal, entry_id: uuid.UUID) -> Entry:
    unit_id = person.claims.get("unit_id")
    if not unit_id:
        raise Conflict("您尚未绑定工作单位或单位尚未审核通过，暂不能提交单位审核；可先保存为草稿，"
                       "在「个人中心 → 变更单位」绑定单位后再提交", code="no_unit")
    entry = await own_entry(db, person, entry_id, lock=True)
    if entry.status not in ("draft", "returned"):
        raise Conflict(f"该业绩当前状态为「{STATUS_LABELS[entry.status]}」，不能提交", code="wrong_status")
    entry.status, entry.unit_id = "submitted", uuid.UUID(unit_id)
    entry.submitted_at, entry.return_reason = dt.datetime.now(dt.UTC), None
    await db.flush()
    # The unit may now read them, and they stay as submitted while it reviews them.
    await attachments.claim(documents, entry, unit_id=entry.unit_id, lock=True)
    await record_event(db, PRODUCER, entry.id, EntrySubmitted(
        entry_id=entry.id, owner_id=entry.owner_id, type=entry.type, version=entry.version, unit_id=entry.unit_id))
    return entry


async def withdraw(db: AsyncSession, documents: httpx.AsyncClient, person: Principal, entry_id: uuid.UUID) -> Entry:
    entry = await own_entry(db, person, entry_id, lock=True)
    if entry.status != "submitted":
        raise Conflict("只有待单位审核的业绩可以撤回", code="wrong_status")
    entry.status = "draft"
    await db.flush()
    await attachments.claim(documents, entry, unit_id=None)  # the owner's alone again, and free
    await record_event(db, PRODUCER, entry.id, EntryWithdrawn(entry_id=entry.id, owner_id=entry.owner_id,
                                                              version=entry.version))
    return entry


async def list_own(db: AsyncSession, person: Principal, *, type_: str | None, status: str | None,
                   offset: int, limit: int, page: int) -> Paged[EntryOut]:
    where = [Entry.owner_id == person.id, *([Entry.type == type_] if type_ else []),
             *([Entry.status == status] if status else [])]
    rows = (await db.scalars(sa.select(Entry).where(*where).order_by(Entry.created_at.desc(), Entry.id)
                             .offset(offset).limit(limit))).all()
    # A first page that is not full is everything: no count (most people have a few entries of a type).
    total = len(rows) if offset == 0 and len(rows) < limit else \
        await db.scalar(sa.select(sa.func.count()).select_from(Entry).where(*where)) or 0
    return Paged(items=[entry_out(e) for e in rows], total=total, page=page, page_size=limit)


async def stats(db: AsyncSession, person: Principal) -> list[TypeStats]:
    """业绩统计: counts by type and state (types with no entries included, with zeros)."""
    rows = (await db.execute(sa.select(Entry.type, Entry.status, sa.func.count())
                             .where(Entry.owner_id == person.id).group_by(Entry.type, Entry.status))).all()
    counts: dict[str, dict[str, int]] = {}
    for type_, status, n in rows:
        counts.setdefault(type_, {})[status] = n
    return [TypeStats(type=code, type_name=kind.name, counts=counts.get(code, {}),
                      total=sum(counts.get(code, {}).values())) for code, kind in ENTRY_TYPES.items()]
