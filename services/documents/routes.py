"""documents' HTTP API: /api/documents/* (public, through the gateway) and /internal/files/*
(claims and links for other services; never routed by the gateway)."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.responses import StreamingResponse

from services.documents import access, claims, cleanup, files, links
from services.documents.deps import DbSession, Grace, Page, ReadSession, Settings, Store
from services.documents.kinds import FILE_KINDS, kind_label
from services.documents.models import File, GeneratedDocument
from services.documents.pdfs import generated
from services.documents.pdfs.render import KINDS, progress_label
from services.documents.schemas import (
    REF_PATTERN,
    ClaimIn,
    ClaimOut,
    FileChange,
    FileLink,
    FileOut,
    GeneratedLink,
    GeneratedLinks,
    GeneratedLinksIn,
    Kind,
    LinkOut,
    LinksIn,
    RenderProgress,
)
from services.documents.storage import ObjectMissing
from services.documents.uploads import receive_upload
from shared.auth import CurrentPerson, CurrentPrincipal, InternalCaller, Principal
from shared.db import utcnow
from shared.errors import NotFound
from shared.schemas import Paged

api = APIRouter(prefix="/api/documents", tags=["documents"])
internal = APIRouter(prefix="/internal/files", tags=["internal"])
generated_internal = APIRouter(prefix="/internal/generated", tags=["internal"])
log = logging.getLogger(__name__)

Ref = Annotated[str, Path(pattern=REF_PATTERN, max_length=200)]
Download = Annotated[bool, Query(description="作为附件下载（Content-Disposition: attachment）")]


async def _out(db: DbSession, f: File, grace: Grace, viewer: Principal) -> FileOut:
    return (await files.outs(db, [f], grace, viewer))[0]


def _expiry(settings: Settings, ttl_seconds: int | None) -> dt.datetime:
    """When a link asked for now expires: the TTL asked for, never more than the setting."""
    ttl = min(ttl_seconds or settings.link_ttl_seconds, settings.link_ttl_seconds)
    return utcnow().replace(microsecond=0) + dt.timedelta(seconds=ttl)


async def _serve(store: Store, f: File, key: str, content_type: str, *, disposition: str,
                 cache: str) -> StreamingResponse:
    try:
        chunks = await store.open(key)
    except ObjectMissing:
        # Data loss, not an outage: someone must look (restore the object, or tell the owner).
        log.error("ALERT file %s (owner %s): object %s is missing from the bucket", f.id, f.owner_id, key)
        raise
    return StreamingResponse(chunks, media_type=content_type, headers={
        # nosniff and a type decided from the content at upload (JPEG, PNG, PDF, OFD only): a browser
        # renders them as what they are, never as HTML of the platform's origin. (A CSP sandbox
        # would also stop Chromium's PDF viewer in the 附件 viewer.)
        "Content-Disposition": disposition, "Cache-Control": cache, "X-Content-Type-Options": "nosniff",
        "ETag": f'"{f.sha256}"'})


@api.get("/kinds", summary="附件类型")
async def kinds(_: CurrentPrincipal) -> list[Kind]:
    return [Kind(code=code, label=label) for code, label in FILE_KINDS.items()]


@api.post("/files", status_code=201, summary="上传附件（multipart：kind、file，可选 kept）",
          openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
              "type": "object", "required": ["kind", "file"], "properties": {
                  "kind": {"type": "string"}, "file": {"type": "string", "format": "binary"},
                  "kept": {"type": "boolean"}}}}}}})
async def upload(request: Request, person: CurrentPerson, db: DbSession, store: Store, settings: Settings,
                 grace: Grace) -> FileOut:
    async with receive_upload(request, max_file_bytes=settings.max_upload_bytes) as received:
        stored = await files.store_upload(db, store, person, received, thumbnail_px=settings.thumbnail_px)
    return await _out(db, stored, grace, person)


@api.get("/files", summary="本人的附件（新上传的在前）")
async def list_files(person: CurrentPerson, db: DbSession, page: Page, grace: Grace,
                     kind: Annotated[str | None, Query(max_length=40)] = None) -> Paged[FileOut]:
    found, total = await files.list_own(db, person, kind, page)
    return Paged(items=await files.outs(db, found, grace, person), total=total, page=page.page, page_size=page.page_size)


@api.get("/files/batch", summary="多个附件的信息（可查看的才返回）")
async def get_files(principal: CurrentPrincipal, db: ReadSession, grace: Grace,
                    ids: Annotated[list[uuid.UUID], Query(max_length=300, description="附件编号")]) -> list[FileOut]:
    """One call for a page that shows many files (申报一览表); files the caller may not read are left out."""
    return await files.outs(db, await access.readable_many(db, principal, ids), grace, principal)


@api.get("/files/{file_id}", summary="附件信息")
async def get_file(file_id: uuid.UUID, principal: CurrentPrincipal, db: ReadSession, grace: Grace) -> FileOut:
    return await _out(db, await access.readable(db, principal, file_id), grace, principal)


@api.patch("/files/{file_id}", summary="修改附件名称 / 保存到我的附件（本人）")
async def change_file(file_id: uuid.UUID, data: FileChange, principal: CurrentPrincipal, db: DbSession,
                      grace: Grace) -> FileOut:
    f = await access.owned(db, principal, file_id)
    return await _out(db, await files.change(db, f, data, utcnow()), grace, principal)


@api.delete("/files/{file_id}", status_code=204, summary="删除附件（本人；已锁定的不能删除）")
async def delete_file(file_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, store: Store,
                      request: Request, background: BackgroundTasks) -> None:
    f = await access.owned(db, principal, file_id)
    await files.delete(db, f, utcnow())
    # After the response, hence after the commit: the objects go, then the row.
    background.add_task(cleanup.purge, request.app.state.db.sessionmaker, store, f.id)


@api.get("/files/{file_id}/content", summary="附件原件")
async def content(file_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, store: Store,
                  download: Download = False) -> StreamingResponse:
    f = await access.readable(db, principal, file_id)
    return await _serve(store, f, f.object_key, f.content_type, cache="private, no-cache",
                        disposition=files.content_disposition(f, download=download))


@api.get("/files/{file_id}/thumbnail", summary="缩略图（图片附件）")
async def thumbnail(file_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, store: Store) -> StreamingResponse:
    f = await access.readable(db, principal, file_id)
    if f.thumbnail_key is None:
        raise NotFound("该附件没有缩略图", code="no_thumbnail")
    return await _serve(store, f, f.thumbnail_key, "image/jpeg", cache="private, max-age=300",
                        disposition="inline")


@api.post("/files/{file_id}/link", summary="短期查看链接（无需登录即可打开，到期失效）")
async def make_link(file_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession, settings: Settings,
                    ttl_seconds: Annotated[int | None, Query(ge=1, le=3600)] = None) -> LinkOut:
    f = await access.readable(db, principal, file_id)
    expires_at = _expiry(settings, ttl_seconds)
    return LinkOut(url=links.url(f.id, expires_at, settings.link_secret.get_secret_value()), expires_at=expires_at)


@api.get("/links/{token}", summary="通过短期链接查看附件")
async def open_link(token: Annotated[str, Path(max_length=200)], db: DbSession, store: Store, settings: Settings,
                    download: Download = False) -> StreamingResponse:
    file_id = links.read_token(token, settings.link_secret.get_secret_value(), utcnow())
    f = await access.live(db, file_id)
    return await _serve(store, f, f.object_key, f.content_type, cache="private, max-age=60",
                        disposition=files.content_disposition(f, download=download))


@api.get("/links/{token}/thumbnail", summary="通过短期链接查看缩略图（图片附件）")
async def open_thumbnail_link(token: Annotated[str, Path(max_length=200)], db: DbSession, store: Store,
                              settings: Settings) -> StreamingResponse:
    f = await access.live(db, links.read_token(token, settings.link_secret.get_secret_value(), utcnow()))
    if f.thumbnail_key is None:
        raise NotFound("该附件没有缩略图", code="no_thumbnail")
    return await _serve(store, f, f.thumbnail_key, "image/jpeg", cache="private, max-age=60", disposition="inline")


@api.get("/generated/{token}", summary="通过短期链接下载生成的文书（评审表、准考证、证书等 PDF）")
async def open_generated(token: Annotated[str, Path(max_length=200)], db: DbSession, store: Store,
                         settings: Settings, download: Download = False) -> StreamingResponse:
    doc_id = links.read_token(token, settings.link_secret.get_secret_value(), utcnow(), links.GENERATED)
    doc = await db.get(GeneratedDocument, doc_id)
    if doc is None:
        raise NotFound("未找到该文书", code="document_not_found")
    try:
        chunks = await store.open(doc.object_key)
    except ObjectMissing:
        log.error("ALERT generated document %s: object %s is missing from the bucket", doc.id, doc.object_key)
        raise
    name = quote(generated.filename(doc))
    return StreamingResponse(chunks, media_type="application/pdf", headers={
        "Content-Disposition": f"{'attachment' if download else 'inline'}; filename*=UTF-8''{name}",
        "Cache-Control": "private, max-age=60", "X-Content-Type-Options": "nosniff", "Content-Length": str(doc.size)})


@generated_internal.post("/links", summary="某申报最新生成文书的短期下载链接（尚未生成的不返回）及生成进度")
async def generated_links(data: GeneratedLinksIn, _: InternalCaller, db: DbSession, settings: Settings) -> GeneratedLinks:
    """applications decides who may see the application (the applicant, its deciders) and asks here."""
    expires_at = _expiry(settings, data.ttl_seconds)
    secret = settings.link_secret.get_secret_value()
    items = [GeneratedLink(kind=d.kind, kind_label=KINDS[d.kind], url=generated.url(d, expires_at, secret),
                           pages=d.pages, size=d.size, created_at=d.created_at, expires_at=expires_at)
             for d in await generated.current(db, data.application_id, data.kinds)]
    # A row not touched for longer than a render may take is a dead worker's: its retry will start anew.
    alive_since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=settings.pdf_timeout_seconds + 30)
    rendering = [RenderProgress(kind=r.kind, kind_label=KINDS[r.kind], step=r.step, page=r.page,
                                label=progress_label(r.step, r.page), started_at=r.started_at, updated_at=r.updated_at)
                 for r in await generated.rendering(db, data.application_id)
                 if r.updated_at >= alive_since and (not data.kinds or r.kind in data.kinds)]
    return GeneratedLinks(items=items, rendering=rendering)


@internal.post("/links", summary="某记录所引用附件的短期查看链接（未登记在该记录下的附件不返回）")
async def claimed_links(data: LinksIn, _: InternalCaller, db: DbSession, settings: Settings) -> list[FileLink]:
    """For the people the claiming service lets see its record (those who decide on an application):
    that service decides who they are, documents links only the files claimed under exactly ``ref``."""
    expires_at = _expiry(settings, data.ttl_seconds)
    secret = settings.link_secret.get_secret_value()
    out = []
    for f in await access.claimed(db, data.ref, data.file_ids):
        url = links.url(f.id, expires_at, secret)
        out.append(FileLink(file_id=f.id, name=f.display_name, kind=f.kind, kind_label=kind_label(f.kind),
                            content_type=f.content_type, size=f.size, has_thumbnail=f.thumbnail_key is not None,
                            url=url, thumbnail_url=f"{url}/thumbnail" if f.thumbnail_key else None,
                            expires_at=expires_at))
    return out


@internal.put("/claims/{ref}", summary="登记某记录引用的附件（整体替换）")
async def put_claim(ref: Ref, data: ClaimIn, _: InternalCaller, db: DbSession) -> ClaimOut:
    return await claims.replace(db, ref, data, utcnow())


@internal.delete("/claims/{ref}", status_code=204, summary="解除某记录对附件的引用")
async def delete_claim(ref: Ref, _: InternalCaller, db: DbSession) -> None:
    await claims.release(db, ref, utcnow())
