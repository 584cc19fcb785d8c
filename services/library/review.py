"""The unit's review of its staff's entries: a queue, approve or return (退回) with a reason, one
by one or in a batch. Who may review: the unit's legal-person account and its 经办人, i.e. a
token whose ``units`` claim names the entry's unit."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.library import attachments
from services.library.entries import PRODUCER, entry_out
from services.library.models import Entry
from services.library.schemas import STATUS_LABELS, ApprovedVersion, EntryOut
from shared.auth import Principal
from shared.errors import AppError, Conflict, Forbidden, NotFound
from shared.events import record_event
from shared.events.catalogue import EntryApproved, EntryRejected, EntrySnapshot
from shared.schemas import BatchResult, Paged


async def queue(db: AsyncSession, principal: Principal, unit_id: uuid.UUID, *, type_: str | None,
                status: str, offset: int, limit: int, page: int) -> Paged[EntryOut]:
    if unit_id not in principal.reviewed_units:
        raise Forbidden("您不是该单位的经办人，无权审核该单位的业绩", code="not_unit_reviewer")
    where = [Entry.unit_id == unit_id, Entry.status == status, *([Entry.type == type_] if type_ else [])]
    total = await db.scalar(sa.select(sa.func.count()).select_from(Entry).where(*where)) or 0
    order = Entry.submitted_at.asc() if status == "submitted" else Entry.decided_at.desc()
    rows = (await db.scalars(sa.select(Entry).where(*where).order_by(order, Entry.id)
                             .offset(offset).limit(limit))).all()
    return Paged(items=[entry_out(e) for e in rows], total=total, page=page, page_size=limit)


async def visible_entry(db: AsyncSession, principal: Principal, entry_id: uuid.UUID) -> Entry:
    """The owner sees their entry; the reviewing unit sees what was submitted to it."""
    entry = await db.get(Entry, entry_id)
    if entry is not None and principal.kind == "person" and entry.owner_id == principal.id:
        return entry
    if entry is not None and entry.unit_id in principal.reviewed_units and entry.status != "draft":
        return entry
    raise NotFound("未找到该业绩", code="entry_not_found")


async def _for_decision(db: AsyncSession, principal: Principal, entry_id: uuid.UUID) -> Entry:
    entry = await db.scalar(sa.select(Entry).where(Entry.id == entry_id).with_for_update())
    if entry is None or entry.unit_id not in principal.reviewed_units:
        raise NotFound("未找到该业绩", code="entry_not_found")
    if principal.kind == "person" and entry.owner_id == principal.id:
        raise Forbidden("不能审核本人的业绩", code="own_entry")
    if entry.status != "submitted":
        raise Conflict(f"该业绩当前状态为「{STATUS_LABELS[entry.status]}」，不能审核", code="wrong_status")
    return entry


async def approve(db: AsyncSession, documents: httpx.AsyncClient, principal: Principal, entry_id: uuid.UUID) -> Entry:
    entry = await _for_decision(db, principal, entry_id)
    now, by = dt.datetime.now(dt.UTC), principal.acting_name
    entry.status, entry.decided_at, entry.decided_by = "approved", now, by
    entry.approved = ApprovedVersion(version=entry.version, fields=entry.fields, attachment_ids=entry.attachment_ids,
                                     approved_at=now, approved_by=by).model_dump(mode="json")
    await db.flush()
    try:
        await attachments.claim(documents, entry, unit_id=entry.unit_id, approved=True)  # locked from now on
    except AppError as exc:
        # Files are locked while the unit reviews them, but an entry submitted before they were
        # may have lost one: say so to the reviewer, not "请重新选择附件" as to the owner.
        if exc.code != "attachment_not_yours":
            raise
        raise Conflict("该业绩的附件已被申报人删除，不能审核通过；请退回并说明原因，由申报人重新上传附件后再提交",
                       code="attachment_missing") from None
    await record_event(db, PRODUCER, entry.id, EntryApproved(snapshot=EntrySnapshot(
        entry_id=entry.id, owner_id=entry.owner_id, type=entry.type, version=entry.version, fields=entry.fields,
        attachment_ids=entry.attachment_ids, unit_id=entry.unit_id, approved_at=now, approved_by=by)))
    return entry


async def return_(db: AsyncSession, documents: httpx.AsyncClient, principal: Principal, entry_id: uuid.UUID,
                  reason: str) -> Entry:
    entry = await _for_decision(db, principal, entry_id)
    entry.status, entry.decided_at, entry.decided_by = "returned", dt.datetime.now(dt.UTC), principal.acting_name
    entry.return_reason = reason
    await db.flush()
    # Back with the owner to fix: the files are free again (the unit still sees what it returned).
    await attachments.claim(documents, entry, unit_id=entry.unit_id)
    await record_event(db, PRODUCER, entry.id, EntryRejected(
        entry_id=entry.id, owner_id=entry.owner_id, version=entry.version, unit_id=entry.unit_id, reason=reason,
        decided_by=entry.decided_by))
    return entry


async def batch(db: AsyncSession, documents: httpx.AsyncClient, principal: Principal, entry_ids: list[uuid.UUID],
                action: str, reason: str | None) -> BatchResult:
    """Each entry is decided in its own savepoint: one that cannot be decided does not stop the rest."""
    if action == "return" and (not reason or len(reason.strip()) < 2):
        raise AppError("批量退回需填写退回原因", code="validation_failed", status_code=422,
                       errors=[{"field": "reason", "label": "退回原因", "message": "必填"}])
    done, failed = [], {}
    for entry_id in dict.fromkeys(entry_ids):
        try:
            async with db.begin_nested():
                if action == "approve":
                    await approve(db, documents, principal, entry_id)
                else:
                    await return_(db, documents, principal, entry_id, reason.strip())
            done.append(entry_id)
        except AppError as exc:
            failed[str(entry_id)] = exc.detail
    return BatchResult(done=done, failed=failed)
