"""Events documents consumes: the applications' facts that make a PDF.

- applications.application.submitted: the 专业技术资格评审表 (and the 破格审批表 / 转评申报表 of
  those forms); the application as submitted is kept (application_data) for the 准考证.
- applications.interview.scheduled: the 准考证 (name and photo from application_data).
- applications.certificate.issued: the 电子职称证书.

Each PDF is stored once per (event, kind); a failed render (timeout, dead worker) raises, and the
consumer retries the event later (its bounded retries, then the dead-letter queue)."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.documents.models import ApplicationData
from services.documents.pdfs import contexts, generated
from services.documents.pdfs.render import Progress, Renderer
from services.documents.settings import DocumentsSettings
from services.documents.storage import ObjectStore
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import ApplicationSubmitted, CertificateIssued, InterviewScheduled
from shared.events.consumer import Consumer
from shared.events.handlers import EventHandlers

log = logging.getLogger(__name__)
handlers = EventHandlers()
EXTRA_KINDS = {"exceptional": "exceptional_form", "transfer": "transfer_form"}


@dataclass
class Runtime:
    store: ObjectStore
    renderer: Renderer
    settings: DocumentsSettings
    db: Database  # for the progress of renders, written outside the handler's transaction


runtime: Runtime | None = None  # set by consumers(): the handlers' bucket and renderer


def _rt() -> Runtime:
    if runtime is None:
        raise RuntimeError("documents' PDF runtime is not configured")
    return runtime


async def _make(session: AsyncSession, kind: str, envelope: Envelope, application_id: uuid.UUID,
                person_id: uuid.UUID, context: dict[str, Any]) -> None:
    if await generated.exists(session, envelope.id, kind):
        return
    rt = _rt()
    where = {"kind": kind, "application_id": application_id, "source_event_id": envelope.id}
    await generated.report(rt.db, **where, progress=Progress(step=0))  # 排队 → 生成中 at once

    async def on_progress(progress: Progress) -> None:
        await generated.report(rt.db, **where, progress=progress)

    rendered = await rt.renderer.render(kind, context, on_progress)
    await generated.save(session, rt.store, kind=kind, application_id=application_id, person_id=person_id,
                         source_event_id=envelope.id, rendered=rendered)


@handlers.on("applications.application.submitted")
async def on_submitted(session: AsyncSession, data: ApplicationSubmitted, envelope: Envelope) -> None:
    app = data.application
    insert = pg.insert(ApplicationData).values(application_id=data.application_id, person_id=data.person_id,
                                               data=app, version=data.version)
    stored = await session.scalar(insert.on_conflict_do_update(
        index_elements=["application_id"], set_={"data": app, "version": data.version, "person_id": data.person_id},
        where=ApplicationData.version <= data.version).returning(ApplicationData.version))
    if stored is None:  # an older submission arriving late: a newer form exists or is on its way
        log.info("submitted event %s of application %s is older than the stored version", envelope.id,
                 data.application_id)
        return
    now = dt.datetime.now(dt.UTC)
    photo = await generated.photo(session, _rt().store, (app.get("profile") or {}).get("photo_file_id"))
    await _make(session, "review_form", envelope, data.application_id, data.person_id,
                contexts.review(app, photo, now))
    if kind := EXTRA_KINDS.get(data.form):
        await _make(session, kind, envelope, data.application_id, data.person_id, contexts.extra(app, photo, now))


@handlers.on("applications.interview.scheduled")
async def on_interview(session: AsyncSession, data: InterviewScheduled, envelope: Envelope) -> None:
    row = await session.get(ApplicationData, data.application_id)
    if row is None:  # the submitted event is not here yet: retry later (it comes first in every real flow)
        raise LookupError(f"application {data.application_id} has no submitted data yet")
    photo = await generated.photo(session, _rt().store, (row.data.get("profile") or {}).get("photo_file_id"))
    await _make(session, "admission_ticket", envelope, data.application_id, data.person_id, contexts.admission(
        data.model_dump(mode="json"), row.data, photo, dt.datetime.now(dt.UTC)))


@handlers.on("applications.certificate.issued")
async def on_certificate(session: AsyncSession, data: CertificateIssued, envelope: Envelope) -> None:
    verify = f"{_rt().settings.public_url.rstrip('/')}/verify/{data.number}"
    await _make(session, "certificate", envelope, data.application_id, data.person_id,
                contexts.certificate(data.model_dump(mode="json"), verify, dt.datetime.now(dt.UTC)))


def configure(settings: DocumentsSettings, store: ObjectStore, db: Database) -> Runtime:
    global runtime
    runtime = Runtime(store=store, renderer=Renderer(
        workers=settings.pdf_workers, timeout=settings.pdf_timeout_seconds,
        memory_bytes=settings.pdf_memory_mb * 1024 * 1024), settings=settings, db=db)
    return runtime


def close() -> None:
    global runtime
    if runtime is not None:
        runtime.renderer.close()
        runtime = None


def consumers(db: Database, settings: DocumentsSettings) -> list[Consumer]:
    return [handlers.consumer("documents.pdfs", db, settings)]
