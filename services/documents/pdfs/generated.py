"""Generated PDFs: stored under generated/ in the bucket, one row each in generated_documents.

The source event's id is the idempotency key: the object key is derived from it (a retried render
overwrites the same object) and ``(source_event_id, kind)`` is unique (the same event twice stores
one row). A newer document of a kind for an application supersedes the older ones."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.documents import links
from services.documents.models import File, GeneratedDocument, PdfRender
from services.documents.pdfs.render import KINDS, Progress, Rendered, image_data_uri
from services.documents.storage import ObjectStore
from shared.db import Database
from shared.events import record_event
from shared.events.catalogue import PdfGenerated

PRODUCER = "documents"


def object_key(kind: str, source_event_id: uuid.UUID) -> str:
    return f"generated/{kind}/{source_event_id}.pdf"


async def exists(db: AsyncSession, source_event_id: uuid.UUID, kind: str) -> bool:
    return bool(await db.scalar(sa.select(sa.literal(True)).where(
        GeneratedDocument.source_event_id == source_event_id, GeneratedDocument.kind == kind)))


async def photo(db: AsyncSession, store: ObjectStore, file_id: str | None) -> str | None:
    """The ID photo as a data URI (its thumbnail when there is one: small, and sharp enough at 26 × 35 mm)."""
    if not file_id:
        return None
    f = await db.get(File, uuid.UUID(str(file_id)))
    if f is None or f.deleted_at is not None or not f.content_type.startswith("image/"):
        return None
    key, ctype = (f.thumbnail_key, "image/jpeg") if f.thumbnail_key else (f.object_key, f.content_type)
    return image_data_uri(b"".join([c async for c in await store.open(key)]), ctype)


async def save(db: AsyncSession, store: ObjectStore, *, kind: str, application_id: uuid.UUID, person_id: uuid.UUID,
               source_event_id: uuid.UUID, rendered: Rendered) -> GeneratedDocument | None:
    """Store the PDF and its row, supersede the older ones, announce it; None if the event was done already."""
    key = object_key(kind, source_event_id)
    await store.put_bytes(key, rendered.pdf, "application/pdf")
    doc_id = await db.scalar(pg.insert(GeneratedDocument).values(
        id=uuid.uuid4(), kind=kind, application_id=application_id, person_id=person_id,
        source_event_id=source_event_id, object_key=key, pages=rendered.pages, size=len(rendered.pdf),
        created_at=dt.datetime.now(dt.UTC), superseded=False)
        .on_conflict_do_nothing(index_elements=["source_event_id", "kind"]).returning(GeneratedDocument.id))
    await db.execute(sa.delete(PdfRender).where(PdfRender.source_event_id == source_event_id, PdfRender.kind == kind))
    if doc_id is None:
        return None
    await db.execute(sa.update(GeneratedDocument).where(
        GeneratedDocument.application_id == application_id, GeneratedDocument.kind == kind,
        GeneratedDocument.id != doc_id, ~GeneratedDocument.superseded).values(superseded=True))
    await record_event(db, PRODUCER, application_id, PdfGenerated(
        document_id=doc_id, kind=kind, application_id=application_id, person_id=person_id,
        source_event_id=source_event_id, pages=rendered.pages, size=len(rendered.pdf)))
    return await db.get(GeneratedDocument, doc_id)


async def current(db: AsyncSession, application_id: uuid.UUID, kinds: list[str] | None) -> list[GeneratedDocument]:
    """The latest document of each kind for the application, in KINDS order."""
    query = sa.select(GeneratedDocument).where(GeneratedDocument.application_id == application_id,
                                               ~GeneratedDocument.superseded)
    if kinds:
        query = query.where(GeneratedDocument.kind.in_(kinds))
    found = {d.kind: d for d in (await db.scalars(query.order_by(GeneratedDocument.created_at))).all()}
    return [found[k] for k in KINDS if k in found]


async def report(database: Database, *, kind: str, application_id: uuid.UUID, source_event_id: uuid.UUID,
                 progress: Progress) -> None:
    """Where a render is, in a transaction of its own (the handler's commits only with the PDF)."""
    now = dt.datetime.now(dt.UTC)
    async with database.sessionmaker() as session, session.begin():
        await session.execute(pg.insert(PdfRender).values(
            source_event_id=source_event_id, kind=kind, application_id=application_id, step=progress.step,
            page=progress.page, started_at=now, updated_at=now).on_conflict_do_update(
            index_elements=["source_event_id", "kind"],
            set_={"step": progress.step, "page": progress.page, "updated_at": now}))


async def rendering(db: AsyncSession, application_id: uuid.UUID) -> list[PdfRender]:
    """The application's renders under way (a row older than a render's time limit is a dead one's)."""
    return list((await db.scalars(sa.select(PdfRender).where(PdfRender.application_id == application_id)
                                  .order_by(PdfRender.started_at))).all())


def url(doc: GeneratedDocument, expires_at: dt.datetime, secret: str) -> str:
    return f"/api/documents/generated/{links.make_token(doc.id, expires_at, secret, links.GENERATED)}"


def filename(doc: GeneratedDocument) -> str:
    return f"{KINDS.get(doc.kind, doc.kind)}.pdf"
