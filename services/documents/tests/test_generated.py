"""The PDF handlers as the consumer calls them, on the stack's database and bucket: one PDF per
(event, kind), a resubmission supersedes the form, a failed render raises (the consumer retries),
the 准考证 takes name and photo from the submitted application, links open the PDFs."""
from __future__ import annotations

import asyncio
import io
import uuid

import httpx
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from services.documents import handlers
from services.documents.models import GeneratedDocument
from services.documents.pdfs import render, samples
from services.documents.storage import ObjectStore
from services.documents.tests import samples as files
from shared.db import Database
from shared.events import Envelope
from shared.events.catalogue import ApplicationSubmitted, CertificateIssued, InterviewScheduled


def submitted(app: dict, version: int) -> Envelope:
    return Envelope.of("applications", app["id"], ApplicationSubmitted(
        application_id=app["id"], person_id=uuid.uuid4() if "person_id" not in app else app["person_id"],
        plan_id=app["plan_id"], plan_year=2026, form=app["form"], major=app["major"], title=app["title"],
        level=app["level"], unit_id=app["unit_id"], status="in_review", version=version, stage=0,
        stage_name="用人单位审核", application=app))


class FailsOnce(render.Renderer):
    def __init__(self) -> None:
        super().__init__(workers=1)
        self.failed = False

    async def render(self, kind, context, on_progress=None):
        if not self.failed:
            self.failed = True
            raise render.RenderFailed("the worker died")
        return await super().render(kind, context, on_progress)


@pytest.fixture
async def world(docs):
    settings = docs.settings(public_url="https://zc.example.gov.cn")
    db, store = Database(settings.database_url, pool_size=2), ObjectStore(settings)
    rt = handlers.configure(settings, store, db)
    try:
        yield db, rt
    finally:
        handlers.close()
        store.close()
        await db.dispose()


async def handle(db: Database, envelope: Envelope) -> None:
    async with db.sessionmaker() as session, session.begin():
        await handlers.handlers.dispatch(session, envelope)


async def rows(db: Database, application_id: str) -> list[GeneratedDocument]:
    async with db.sessionmaker() as session:
        return list((await session.scalars(sa.select(GeneratedDocument).where(
            GeneratedDocument.application_id == uuid.UUID(application_id))
            .order_by(GeneratedDocument.created_at))).all())


def links(docs, application_id: str, **body) -> httpx.Response:
    return _links(docs, application_id, **body).json()["items"]


def _links(docs, application_id: str, **body) -> httpx.Response:
    return httpx.post(f"{docs.stack.urls.services['documents']}/internal/generated/links",
                      headers={"x-service-key": docs.stack.internal_key},
                      json={"application_id": application_id, **body})


async def test_submitted_twice_stores_one_form_and_a_resubmission_supersedes_it(world, docs, person):
    db, rt = world
    photo = docs.stored(person, files.jpeg(300, 400), "证件照.jpg", kind="photo")
    app = {**samples.application(form="exceptional", photo_file_id=photo["id"]), "person_id": photo["owner_id"]}
    first = submitted(app, 7)
    await handle(db, first)
    await handle(db, first)  # redelivered (no inbox here): still one PDF per kind
    found = await rows(db, app["id"])
    assert sorted(d.kind for d in found) == ["exceptional_form", "review_form"]
    assert all(d.object_key in docs.objects() and d.source_event_id == first.id for d in found)

    answer = links(docs, app["id"])
    assert [a["kind"] for a in answer] == ["review_form", "exceptional_form"]
    assert answer[0]["kind_label"] == "专业技术资格评审表" and answer[0]["pages"] >= 2
    pdf = httpx.get(f"{docs.stack.gateway}{answer[0]['url']}?download=true")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert "林晓燕" in reader.pages[0].extract_text() and len(reader.pages[0].images) == 1  # the uploaded photo
    # A file link's token does not open a generated document, nor a made-up one.
    assert httpx.get(f"{docs.stack.gateway}/api/documents/generated/abc.def").status_code == 403

    resubmitted = submitted({**app, "extra": {"reason": "补充了新的业绩", "summary": ""}}, 9)
    await handle(db, resubmitted)
    found = await rows(db, app["id"])
    assert len(found) == 4
    assert [d.superseded for d in found if d.source_event_id == first.id] == [True, True]
    latest = links(docs, app["id"], kinds=["exceptional_form"])
    assert len(latest) == 1
    text = PdfReader(io.BytesIO(httpx.get(f"{docs.stack.gateway}{latest[0]['url']}").content)).pages[0].extract_text()
    assert "补充了新的业绩" in text

    await handle(db, submitted(app, 8))  # an older submission arriving late renders nothing
    assert len(await rows(db, app["id"])) == 4
    assert _links(docs, str(uuid.uuid4())).json() == {"items": [], "rendering": []}


async def test_a_long_form_says_where_its_render_is_until_it_is_stored(world, docs):
    db, rt = world
    rt.renderer.report_every = 0.05
    app = samples.application(papers=200)
    handling = asyncio.create_task(handle(db, submitted(app, 2)))
    seen: list[dict] = []
    while not handling.done():
        seen += _links(docs, app["id"]).json()["rendering"]
        await asyncio.sleep(0.05)
    await handling
    labels = [r["label"] for r in seen]
    assert all(r["kind"] == "review_form" and r["kind_label"] == "专业技术资格评审表" for r in seen)
    assert any(label.startswith("正在排版第 ") for label in labels), labels
    pages = [r["page"] for r in seen if r["step"] == 5]
    assert pages == sorted(pages)
    answer = _links(docs, app["id"]).json()
    assert answer["rendering"] == [] and [a["kind"] for a in answer["items"]] == ["review_form"]
    assert answer["items"][0]["pages"] >= max(pages)


async def test_a_failed_render_raises_for_the_retry_and_the_retry_stores_it(world):
    db, rt = world
    rt.renderer = FailsOnce()
    app = samples.application()
    event = submitted(app, 3)
    with pytest.raises(render.RenderFailed):
        await handle(db, event)
    assert await rows(db, app["id"]) == []  # nothing half-stored
    await handle(db, event)  # the consumer's next attempt
    assert [d.kind for d in await rows(db, app["id"])] == ["review_form"]


async def test_admission_ticket_and_certificate(world, docs):
    db, rt = world
    app = samples.application(name="陈志远")
    base = {"application_id": app["id"], "person_id": str(uuid.uuid4()), "plan_id": app["plan_id"], "plan_year": 2026,
            "form": "regular", "major": app["major"], "title": app["title"], "level": app["level"],
            "unit_id": app["unit_id"], "status": "in_review", "version": 8}
    ticket = Envelope.of("applications", app["id"], InterviewScheduled(
        **base, ticket_no="2026000100042", starts_at="2026-06-01T01:30:00+00:00", place="福州市东街 1 号",
        scheduled_by="福建省教育厅"))
    with pytest.raises(LookupError):  # before the submitted event: retried later
        await handle(db, ticket)
    await handle(db, submitted(app, 7))
    await handle(db, ticket)
    cert = Envelope.of("applications", app["id"], CertificateIssued(
        certificate_id=uuid.uuid4(), number="FJ2026-00000042", application_id=app["id"], person_id=base["person_id"],
        name="陈志远", id_number_masked="350102********1234", series="school_teacher", title="高级教师",
        major="中学数学", level="senior_associate", obtained_on="2026-12-20", committee="评委会",
        organizer_name="福建省教育厅"))
    await handle(db, cert)
    answer = {a["kind"]: a for a in links(docs, app["id"])}
    assert set(answer) == {"review_form", "admission_ticket", "certificate"}
    ticket_text = PdfReader(io.BytesIO(httpx.get(f"{docs.stack.gateway}{answer['admission_ticket']['url']}").content)
                            ).pages[0].extract_text()
    assert "陈志远" in ticket_text and "2026000100042" in ticket_text
    cert_text = PdfReader(io.BytesIO(httpx.get(f"{docs.stack.gateway}{answer['certificate']['url']}").content)
                          ).pages[0].extract_text()
    assert "FJ2026-00000042" in cert_text and "陈志远" in cert_text


def test_generated_links_are_internal_only(docs, person):
    assert httpx.post(f"{docs.stack.urls.services['documents']}/internal/generated/links",
                      json={"application_id": str(uuid.uuid4())}).status_code in (401, 403)
    assert person.post(f"{docs.stack.gateway}/internal/generated/links",
                       json={"application_id": str(uuid.uuid4())}).status_code in (403, 404)  # not routed
