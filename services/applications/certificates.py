"""Results and certificates: the 评委会's 评审通过 / 未通过 (recorded by review.decide), the
电子职称证书 an approved application gets once the 评审结果公示 listing it has ended without a
sustained objection (notices.issue_certificates), the holder's 我的职称, taking
them into a new application's 现有职称情况, and the public verification of a 证书编号.

证书编号: random (shared.certificate_numbers, README), unique by the database's constraint — a
collision draws again."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import drafts
from services.applications.models import Application, Certificate, Person
from services.applications.schemas import CertificateOut, CurrentTitleIn, VerificationOut
from shared.auth import Principal
from shared.certificate_numbers import new_number, normalise
from shared.clock import today
from shared.errors import AppError, Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import CertificateIssued, PlanSnapshot, ResultRecorded
from shared.vocabulary import LEVELS, SERIES

MAX_TITLES = 20  # 现有职称情况's rows (schemas.RowsIn)


def _committee(plan: PlanSnapshot, stage: int) -> str:
    """The 评委会 in whose name a result is recorded: the stage's body when it is the committee's."""
    at = plan.stages[stage] if stage < len(plan.stages) else None
    return (at.party_name if at and at.party == "committee" else "") or plan.committee


async def record_result(db: AsyncSession, app: Application, plan: PlanSnapshot, *, stage: int, passed: bool,
                        decided_by: str, reason: str) -> None:
    """评审通过 / 未通过: the fact documents and notifications read (the decision itself is the step)."""
    await record_event(db, drafts.PRODUCER, app.id, ResultRecorded(
        **drafts.facts(app), passed=passed, committee=_committee(plan, stage), decided_by=decided_by, reason=reason))


async def issue(db: AsyncSession, app: Application, plan: PlanSnapshot, *,
                obtained_on: dt.date | None = None) -> Certificate:
    """The certificate of an application that passed its last stage; 取得时间 ``obtained_on`` (the day
    it passed), today when not given."""
    person = await db.get(Person, app.person_id)
    if person is None:  # identity's event not here yet: the issue waits rather than a nameless certificate
        raise AppError("申报人信息正在同步，请稍后再试", code="person_syncing", status_code=503)
    obtained = obtained_on or today()
    for _ in range(5):
        certificate = Certificate(
            id=uuid.uuid4(), number=new_number(obtained.year), application_id=app.id, person_id=app.person_id,
            name=person.name, id_number_masked=person.id_number_masked, series=app.series, title=app.title,
            major=app.major, level=app.level, obtained_on=obtained, committee=plan.committee[:200],
            organizer_name=plan.organizer_name[:200])
        try:
            async with db.begin_nested():
                db.add(certificate)
                await db.flush()
        except IntegrityError as exc:
            if "uq_certificates_number" not in str(exc.orig):
                raise
            continue  # that number exists: draw another
        break
    else:
        raise AppError("证书编号生成失败，请稍后重试", code="certificate_number_exhausted", status_code=503)
    await record_event(db, drafts.PRODUCER, certificate.id, CertificateIssued(
        certificate_id=certificate.id, number=certificate.number, application_id=app.id, person_id=app.person_id,
        name=certificate.name, id_number_masked=certificate.id_number_masked, series=certificate.series,
        title=certificate.title, major=certificate.major, level=certificate.level,
        obtained_on=certificate.obtained_on, committee=certificate.committee,
        organizer_name=certificate.organizer_name))
    return certificate


def out(c: Certificate) -> CertificateOut:
    return CertificateOut(
        id=c.id, number=c.number, application_id=c.application_id, name=c.name, id_number_masked=c.id_number_masked,
        series=c.series, series_name=SERIES.get(c.series, c.series), title=c.title, major=c.major, level=c.level,
        level_name=LEVELS.get(c.level, c.level), obtained_on=c.obtained_on, committee=c.committee,
        organizer_name=c.organizer_name, issued_at=c.issued_at)


async def list_own(db: AsyncSession, person: Principal) -> list[CertificateOut]:
    """我的职称: newest first."""
    rows = await db.scalars(sa.select(Certificate).where(Certificate.person_id == person.id)
                            .order_by(Certificate.obtained_on.desc(), Certificate.issued_at.desc()))
    return [out(c) for c in rows]


async def own(db: AsyncSession, person: Principal, certificate_id: uuid.UUID) -> CertificateOut:
    """One certificate of the person's; anybody else's is "not found"."""
    found = await db.scalar(sa.select(Certificate).where(Certificate.id == certificate_id,
                                                         Certificate.person_id == person.id))
    if found is None:
        raise NotFound("未找到该职称证书", code="certificate_not_found")
    return out(found)


async def verify(db: AsyncSession, raw: str) -> VerificationOut | None:
    """Public: whether a 证书编号 is genuine, with only what the certificate says in public."""
    number = normalise(raw)
    found = await db.scalar(sa.select(Certificate).where(Certificate.number == number)) if number else None
    if found is None:
        return None
    return VerificationOut(genuine=True, name=found.name, title=found.title, major=found.major,
                           level=LEVELS.get(found.level, found.level), obtained_on=found.obtained_on,
                           committee=found.committee)


async def into_current_titles(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                              certificate_ids: list[uuid.UUID]) -> Application:
    """从我的职称证书导入: a row of 现有职称情况 per chosen certificate (the person's own), after the
    rows already there; a certificate whose number is already listed is not added twice."""
    app = await drafts.for_change(db, person, application_id, if_match)
    chosen = {c.id: c for c in await db.scalars(sa.select(Certificate).where(
        Certificate.id.in_(certificate_ids), Certificate.person_id == person.id))}
    if len(chosen) != len(set(certificate_ids)):
        raise NotFound("未找到所选的职称证书", code="certificate_not_found")
    listed = {row.get("certificate_no") for row in app.current_titles}
    rows = []
    for certificate_id in dict.fromkeys(certificate_ids):
        c = chosen[certificate_id]
        if c.number not in listed:
            rows.append(CurrentTitleIn(
                series=SERIES.get(c.series, c.series), title_name=c.title, level=LEVELS.get(c.level, c.level),
                major=c.major, obtained_on=c.obtained_on, certificate_no=c.number,
                approver=c.committee[:100]).model_dump(mode="json"))
    if not rows:
        raise Conflict("所选职称证书已在现有职称情况中", code="certificate_already_listed")
    if len(app.current_titles) + len(rows) > MAX_TITLES:
        raise InvalidField("certificate_ids", f"现有职称情况最多 {MAX_TITLES} 条")
    app.current_titles = [*app.current_titles, *rows]
    await drafts.saved(db, app)
    return app
