"""library's HTTP API: /api/library/*."""
from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Response

from services.library import entries, review
from services.library.deps import DbSession, Documents, Page, ReadSession
from services.library.schemas import (
    BatchDecision,
    EntryIn,
    EntryOut,
    EntryTypeOut,
    EntryUpdate,
    FieldSpecOut,
    ReasonIn,
    TypeStats,
)
from shared.auth import CurrentPerson, CurrentPrincipal
from shared.entry_types import ENTRY_TYPES
from shared.schemas import BatchResult, Paged

api = APIRouter(prefix="/api/library", tags=["library"])
Status = Literal["draft", "submitted", "approved", "returned"]


@api.get("/entry-types", summary="业绩类型及其填报项")
async def entry_types(_: CurrentPrincipal) -> list[EntryTypeOut]:
    return [EntryTypeOut(code=t.code, name=t.name, series=t.series,
                         fields=[FieldSpecOut(code=f.code, label=f.label, type=f.type, required=f.required,
                                              choices=list(f.choices)) for f in t.fields])
            for t in ENTRY_TYPES.values()]


@api.get("/entries", summary="本人的业绩")
async def list_entries(person: CurrentPerson, db: ReadSession, page: Page, type: str | None = None,
                       status: Status | None = None) -> Paged[EntryOut]:
    return await entries.list_own(db, person, type_=type, status=status, offset=page.offset, limit=page.page_size,
                                  page=page.page)


@api.post("/entries", status_code=201, summary="新增业绩（草稿）")
async def create(data: EntryIn, person: CurrentPerson, db: DbSession, documents: Documents) -> EntryOut:
    return entries.entry_out(await entries.create(db, documents, person, data))


@api.get("/entries/{entry_id}", summary="业绩详情（本人，或审核单位）")
async def get(entry_id: uuid.UUID, principal: CurrentPrincipal, db: ReadSession) -> EntryOut:
    return entries.entry_out(await review.visible_entry(db, principal, entry_id))


@api.put("/entries/{entry_id}", summary="修改业绩（已通过的业绩修改后形成新版本，需重新审核）")
async def update(entry_id: uuid.UUID, data: EntryUpdate, person: CurrentPerson, db: DbSession,
                 documents: Documents) -> EntryOut:
    return entries.entry_out(await entries.update(db, documents, person, entry_id, data))


@api.delete("/entries/{entry_id}", status_code=204, summary="删除草稿")
async def delete(entry_id: uuid.UUID, person: CurrentPerson, db: DbSession, documents: Documents) -> Response:
    await entries.delete(db, documents, person, entry_id)
    return Response(status_code=204)


@api.post("/entries/{entry_id}/submit", summary="提交单位审核")
async def submit(entry_id: uuid.UUID, person: CurrentPerson, db: DbSession, documents: Documents) -> EntryOut:
    return entries.entry_out(await entries.submit(db, documents, person, entry_id))


@api.post("/entries/{entry_id}/withdraw", summary="撤回")
async def withdraw(entry_id: uuid.UUID, person: CurrentPerson, db: DbSession, documents: Documents) -> EntryOut:
    return entries.entry_out(await entries.withdraw(db, documents, person, entry_id))


@api.get("/stats", summary="业绩统计")
async def stats(person: CurrentPerson, db: ReadSession) -> list[TypeStats]:
    return await entries.stats(db, person)


@api.get("/review-queue", summary="单位业绩审核队列")
async def review_queue(unit_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, page: Page,
                       type: str | None = None,
                       # Never drafts: what a person has not submitted (or took back) is theirs alone.
                       status: Literal["submitted", "approved", "returned"] = "submitted") -> Paged[EntryOut]:
    return await review.queue(db, principal, unit_id, type_=type, status=status, offset=page.offset,
                              limit=page.page_size, page=page.page)


@api.post("/entries/{entry_id}/approve", summary="审核通过")
async def approve(entry_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, documents: Documents) -> EntryOut:
    return entries.entry_out(await review.approve(db, documents, principal, entry_id))


@api.post("/entries/{entry_id}/return", summary="退回")
async def return_(entry_id: uuid.UUID, data: ReasonIn, principal: CurrentPrincipal, db: DbSession,
                  documents: Documents) -> EntryOut:
    return entries.entry_out(await review.return_(db, documents, principal, entry_id, data.reason))


@api.post("/review/batch", summary="批量审核")
async def batch(data: BatchDecision, principal: CurrentPrincipal, db: DbSession, documents: Documents) -> BatchResult:
    return await review.batch(db, documents, principal, data.entry_ids, data.action, data.reason)
