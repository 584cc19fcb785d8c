"""A person's files: storing an upload after every check passed, listing, renaming, deleting."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.documents import claims, validation
from services.documents.kinds import FILE_KINDS, kind_label
from services.documents.models import Claim, File
from services.documents.schemas import FileChange, FileOut
from services.documents.storage import ObjectStore, new_object_key, thumbnail_key
from services.documents.thumbnails import make_thumbnail
from services.documents.uploads import ReceivedUpload
from shared.auth import Principal
from shared.db import utcnow
from shared.deps import PageParams
from shared.errors import Conflict, InvalidField

log = logging.getLogger(__name__)
TRUE = {"true", "1", "on", "yes"}

# Decoding an image takes memory by its pixels, not its bytes (a 40-megapixel PNG of a few MB
# needs ~160 MB): at most a few at a time, however many uploads arrive on deadline day.
_DECODING = asyncio.Semaphore(3)


async def store_upload(db: AsyncSession, store: ObjectStore, owner: Principal, upload: ReceivedUpload, *,
                       thumbnail_px: int) -> File:
    """Check the upload completely, then store it; nothing reaches the bucket or the table before."""
    kind = upload.fields.get("kind", "")
    if kind not in FILE_KINDS:
        raise InvalidField("kind", "请选择附件类型" if not kind else "取值不在允许范围内")
    if upload.file is None:
        raise validation.refuse("请选择要上传的文件")
    name = validation.name_from_upload(upload.filename)
    if upload.size == 0:
        raise validation.refuse("文件为空（0 字节），请重新选择")
    file_type = validation.sniff(upload.head)
    if file_type is None:
        raise validation.unsupported(upload.head)
    validation.check_extension(name, file_type)
    validation.check_declared(upload.declared_type, file_type)
    async with _DECODING:
        await asyncio.to_thread(validation.check_content, upload.file, upload.size, file_type)
        thumbnail = await asyncio.to_thread(make_thumbnail, upload.file, thumbnail_px) if file_type.pillow_format else None

    key = new_object_key()
    keys = [key] + ([thumbnail_key(key)] if thumbnail else [])
    try:
        await store.put(key, upload.file, upload.size, file_type.content_type)
        if thumbnail:
            await store.put_bytes(keys[1], thumbnail, "image/jpeg")
        now = utcnow()
        stored = File(owner_id=owner.id, kind=kind, display_name=name, content_type=file_type.content_type,
                      size=upload.size, sha256=upload.sha256, object_key=key, thumbnail_key=keys[1] if thumbnail else None,
                      kept=upload.fields.get("kept", "").lower() in TRUE, created_at=now, unreferenced_since=now)
        db.add(stored)
        await db.flush()
    except Exception:
        try:
            await store.remove(keys)  # no object without its row (else the listing clean-up finds it)
        except Exception:
            log.exception("could not remove the objects of a failed upload: %s", keys)
        raise
    return stored


def file_out(f: File, *, held: claims.Held | None, grace: dt.timedelta, owner_view: bool) -> FileOut:
    stays = f.kept or held is not None or f.unreferenced_since is None
    return FileOut(id=f.id, owner_id=f.owner_id, kind=f.kind, kind_label=kind_label(f.kind),
                   display_name=f.display_name, content_type=f.content_type, size=f.size, sha256=f.sha256,
                   has_thumbnail=f.thumbnail_key is not None, created_at=f.created_at,
                   locked=held is not None and held.locked, referenced=held is not None,
                   used_by=held.used_by if held and owner_view else [], kept=f.kept,
                   cleanup_at=None if stays else f.unreferenced_since + grace)


async def outs(db: AsyncSession, found: list[File], grace: dt.timedelta, viewer: Principal) -> list[FileOut]:
    """``viewer``: only the owner learns which of their records use a file (reviewers see the file alone)."""
    held = await claims.status(db, [f.id for f in found])
    return [file_out(f, held=held.get(f.id), grace=grace, owner_view=viewer.kind == "person" and f.owner_id == viewer.id)
            for f in found]


async def list_own(db: AsyncSession, owner: Principal, kind: str | None, page: PageParams) -> tuple[list[File], int]:
    query = sa.select(File).where(File.owner_id == owner.id, File.deleted_at.is_(None))
    if kind:
        query = query.where(File.kind == kind)
    total = await db.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = await db.scalars(query.order_by(File.created_at.desc(), File.id.desc())
                            .offset(page.offset).limit(page.page_size))
    return list(rows.all()), total or 0


async def change(db: AsyncSession, f: File, data: FileChange, now: dt.datetime) -> File:
    if data.display_name is not None:
        f.display_name = validation.display_name(data.display_name)
    if data.kept is not None and data.kept != f.kept:
        if f.kept:  # no longer kept: if nothing refers to it, its grace period starts now
            f.unreferenced_since = None
        f.kept = data.kept
        await db.flush()
        await claims.refresh_references(db, [f.id], now)
        await db.refresh(f)
    await db.flush()
    return f


async def delete(db: AsyncSession, f: File, now: dt.datetime) -> None:
    """Hide the file at once (the clean-up removes objects and row); refused while a claim locks it."""
    locking = (await db.scalars(sa.select(Claim).where(Claim.file_id == f.id, Claim.lock)
                                .order_by(Claim.claimed_at, Claim.ref))).all()
    if locking:
        records = "、".join(dict.fromkeys(f"「{claims.label_of(c)}」" for c in locking))
        raise Conflict(f"该附件正被{records}使用，不能删除（待单位审核或已通过的业绩、已提交的申报所用附件均已锁定）",
                       code="file_locked")
    await db.execute(sa.delete(Claim).where(Claim.file_id == f.id))
    f.deleted_at = now
    await db.flush()


def content_disposition(f: File, *, download: bool) -> str:
    """RFC 6266 with the display name (plus the extension its content has, when it lacks one)."""
    name = f.display_name
    kind = validation.BY_CONTENT_TYPE.get(f.content_type)
    if kind and not name.lower().endswith(kind.extensions):
        name += kind.extension
    return f"{'attachment' if download else 'inline'}; filename*=UTF-8''{quote(name, safe='')}"

