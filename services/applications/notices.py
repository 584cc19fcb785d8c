"""公示 and 异议: the public notices an application goes through, and the objections to them.

- 单位申报公示 (kind ``unit``): a unit's 经办人 or legal-person account lists the unit's applicants
  waiting at its stage of a plan; the unit passes an application only once a notice listing it has
  ended with no objection left open (``ensure_noticed``, called by review.decide).
- 评审结果公示 (kind ``result``): the plan's organiser administrators (interviews.organizers_of)
  list the plan's approved applications; their certificates are issued (``issue_certificates``)
  only after it ended, for those with no objection sustained or open.

A notice runs from the day it is published through the last of N working days (shared.workdays,
N ≥ the setting ``notice_min_workdays``); it lists its applications in a table of their own, with
the only fields it shows in public (name, unit, title and level, major), frozen when published —
each submission of an application is in at most one notice of each kind (a unique constraint), so a
resubmitted application is noticed again.

During a notice any logged-in person may object to one of its applicants with a reason and
evidence (their own files, claimed at documents under the objection's ref, locked). Whoever
published the notice resolves it once: 成立 stops the application (state ``stopped``, the note
as its reason, a step of its timeline), 不成立 lets it go on."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import certificates, drafts, states
from services.applications.interviews import organizers_of
from services.applications.models import Application, Certificate, Notice, NoticeEntry, Objection, Person, Plan, Step
from services.applications.schemas import (
    FileLinkOut,
    ManagedNoticeOut,
    NoticeCandidateOut,
    NoticeIn,
    NoticesDeskOut,
    ObjectionIn,
    ObjectionOut,
    PublicEntryOut,
    PublicNoticeOut,
    ResolutionIn,
)
from services.applications.settings import get_settings
from shared import documents, workdays
from shared.auth import Principal
from shared.clock import SHANGHAI, today
from shared.errors import AppError, Conflict, Forbidden, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import NoticePublished, ObjectionFiled, ObjectionResolved, PlanSnapshot
from shared.schemas import BatchResult, Paged
from shared.vocabulary import LEVELS

KIND_LABELS = {"unit": "单位申报公示", "result": "评审结果公示"}
OBJECTION_LABELS = {"pending": "待处理", "sustained": "异议成立", "dismissed": "异议不成立"}
RECENT = dt.timedelta(days=30)  # how long an ended notice stays on the public list
MANAGED_SHOWN = 100
FINAL = frozenset({"rejected", "stopped"})  # with a certificate issued, approved is final too


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _running(n: Notice) -> bool:
    return n.start_date <= today() <= n.end_date


def _ended(n: Notice) -> bool:
    return today() > n.end_date


# --- who manages what ---------------------------------------------------------------------------
async def _managed_by(db: AsyncSession, principal: Principal) -> sa.ColumnElement[bool]:
    """The notices the principal publishes and answers for: their units', their organisers' plans'."""
    organizers = await organizers_of(db, principal)
    return sa.or_(sa.and_(Notice.kind == "unit", Notice.unit_id.in_(principal.reviewed_units)),
                  sa.and_(Notice.kind == "result", Notice.organizer_id.in_(organizers)))


def _not_own(principal: Principal) -> sa.ColumnElement[bool]:
    """Objections to someone else's application: a publisher who also applied sees none about their own."""
    return Objection.application_id.not_in(sa.select(Application.id).where(Application.person_id == principal.id))


async def _managed(db: AsyncSession, principal: Principal, notice_id: uuid.UUID) -> Notice:
    notice = await db.scalar(sa.select(Notice).where(Notice.id == notice_id, await _managed_by(db, principal)))
    if notice is None:
        raise NotFound("未找到该公示，或它不是您发布的", code="notice_not_found")
    return notice


# --- publishing ---------------------------------------------------------------------------------
def _listing(kind: str) -> sa.ColumnElement[bool]:
    """The entry of a notice of ``kind`` that lists the application's latest submission."""
    return sa.and_(NoticeEntry.application_id == Application.id, NoticeEntry.kind == kind,
                   NoticeEntry.submitted_at == Application.submitted_at)


def _unnoticed(kind: str) -> sa.ColumnElement[bool]:
    return ~sa.exists().where(_listing(kind))


async def _candidates_where(db: AsyncSession, principal: Principal, kind: str) -> list[sa.ColumnElement[bool]]:
    """Applications the principal may put in a new notice of ``kind``: a unit's applicants waiting at
    its stage, or a plan's approved applications (its organiser's administrators); none twice."""
    if kind == "unit":
        return [Application.status == "in_review", Application.stage_party == "unit",
                Application.unit_id.in_(principal.reviewed_units), _unnoticed("unit")]
    organizers = [str(o) for o in await organizers_of(db, principal)]
    plans = sa.select(Plan.id).where(Plan.data["organizer_id"].astext.in_(organizers))
    return [Application.status == "approved", Application.plan_id.in_(plans), _unnoticed("result")]


async def _candidates(db: AsyncSession, principal: Principal) -> list[NoticeCandidateOut]:
    out = []
    for kind in ("unit", "result"):
        group = (Application.plan_id, Application.plan_name) + ((Application.unit_id, Application.unit_name)
                                                                if kind == "unit" else ())
        rows = (await db.execute(sa.select(*group, sa.func.count()).where(*await _candidates_where(db, principal, kind))
                                 .group_by(*group).order_by(Application.plan_name, *group[2:3]))).all()
        plans = {p.id: PlanSnapshot.model_validate(p.data) for p in await db.scalars(
            sa.select(Plan).where(Plan.id.in_({r[0] for r in rows})))} if kind == "result" and rows else {}
        for row in rows:
            plan = plans.get(row[0])
            out.append(NoticeCandidateOut(
                kind=kind, kind_label=KIND_LABELS[kind], plan_id=row[0], plan_name=row[1],
                unit_id=row[2] if kind == "unit" else None,
                publisher_name=row[3] if kind == "unit" else (plan.organizer_name if plan else ""), waiting=row[-1]))
    return out


async def publish(db: AsyncSession, principal: Principal, data: NoticeIn) -> ManagedNoticeOut:
    """发布公示 of every application that may be in it now (the list is frozen from then on)."""
    minimum = get_settings().notice_min_workdays
    if data.workdays < minimum:
        raise InvalidField("workdays", f"公示期不得少于 {minimum} 个工作日")
    plan = await drafts.plan_of(db, data.plan_id)  # a plan nobody applied to: "not found"
    where = [*await _candidates_where(db, principal, data.kind), Application.plan_id == plan.id]
    unit_id = None
    if data.kind == "unit":
        units = sorted(principal.reviewed_units)
        if not units:
            raise Forbidden("只有单位的经办人或法人账号才能发布单位申报公示", code="not_unit_reviewer")
        if data.unit_id is None and len(units) != 1:
            raise InvalidField("unit_id", "请选择要公示的单位")
        unit_id = data.unit_id or units[0]
        if unit_id not in principal.reviewed_units:
            raise Forbidden("您不是该单位的经办人，不能发布该单位的申报公示", code="not_unit_reviewer")
        where.append(Application.unit_id == unit_id)
    elif plan.organizer_id not in await organizers_of(db, principal):
        raise NotFound("未找到该评审计划，或它不属于您管理的组建单位", code="plan_not_found")
    rows = (await db.execute(sa.select(Application, Person).join(Person, Person.id == Application.person_id,
                                                                  isouter=True)
                             .where(*where).order_by(Application.submitted_at, Application.id))).all()
    if not rows:
        raise Conflict("没有可公示的申报：" + ("本单位在该计划中没有等待单位审核且尚未公示的申报" if data.kind == "unit"
                                        else "该计划没有审核通过且尚未公示的申报"), code="nothing_to_notice")
    if any(p is None for _, p in rows):  # identity's event not here yet: no notice with an empty name
        raise AppError("申报人信息正在同步，请稍后再试", code="person_syncing", status_code=503)
    start = today()
    try:
        end = workdays.last_of(start, data.workdays)
    except workdays.CalendarUnknown as exc:
        raise AppError(str(exc), code="calendar_unknown", status_code=503) from None
    notice = Notice(id=uuid.uuid4(), kind=data.kind, plan_id=plan.id, plan_name=plan.name[:200], unit_id=unit_id,
                    organizer_id=plan.organizer_id if data.kind == "result" else None,
                    publisher_name=(rows[0][0].unit_name if data.kind == "unit" else plan.organizer_name)[:200],
                    start_date=start, end_date=end, workdays=data.workdays, published_at=dt.datetime.now(dt.UTC),
                    publisher_id=principal.id, published_by=principal.acting_name[:100])
    try:
        async with db.begin_nested():
            db.add(notice)
            await db.flush()
            db.add_all([NoticeEntry(notice_id=notice.id, application_id=a.id, kind=data.kind,
                                    submitted_at=a.submitted_at, position=i,
                                    name=p.name, unit_name=a.unit_name, title=a.title, level=a.level,
                                    major=a.major) for i, (a, p) in enumerate(rows)])
            await db.flush()
    except IntegrityError:  # another publisher listed some of them meanwhile
        raise Conflict("部分申报刚刚已被公示，请刷新页面后重试", code="already_noticed") from None
    await record_event(db, drafts.PRODUCER, notice.id, NoticePublished(
        notice_id=notice.id, kind=notice.kind, plan_id=notice.plan_id, unit_id=notice.unit_id,
        start_date=start, end_date=end, workdays=notice.workdays, application_ids=[a.id for a, _ in rows],
        published_by=notice.published_by))
    return (await _managed_out(db, principal, [notice]))[0]


# --- reading ------------------------------------------------------------------------------------
def _recent() -> sa.ColumnElement[bool]:
    return Notice.end_date >= today() - RECENT


def _public(n: Notice, count: int, entries: list[NoticeEntry] | None = None) -> dict:
    ended = _ended(n)
    return dict(
        id=n.id, kind=n.kind, kind_label=KIND_LABELS[n.kind], plan_name=n.plan_name, publisher_name=n.publisher_name,
        start_date=n.start_date, end_date=n.end_date, workdays=n.workdays, published_at=n.published_at,
        state="ended" if ended else "running", state_label="公示已结束" if ended else "公示中", count=count,
        entries=[PublicEntryOut(id=e.id, name=e.name, unit_name=e.unit_name, title=e.title,
                                level_name=LEVELS.get(e.level, e.level), major=e.major) for e in entries or []])


async def _counts(db: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    return dict((await db.execute(sa.select(NoticeEntry.notice_id, sa.func.count()).where(
        NoticeEntry.notice_id.in_(ids)).group_by(NoticeEntry.notice_id))).all()) if ids else {}


async def public_list(db: AsyncSession, *, offset: int, limit: int, page: int) -> Paged[PublicNoticeOut]:
    """Public: the notices running now and those ended in the last 30 days, newest first."""
    where = _recent()
    total = await db.scalar(sa.select(sa.func.count()).select_from(Notice).where(where)) or 0
    found = (await db.scalars(sa.select(Notice).where(where).order_by(Notice.published_at.desc(), Notice.id)
                              .offset(offset).limit(limit))).all()
    counts = await _counts(db, [n.id for n in found])
    return Paged(items=[PublicNoticeOut(**_public(n, counts.get(n.id, 0))) for n in found], total=total, page=page,
                 page_size=limit)


async def _entries(db: AsyncSession, notice_id: uuid.UUID) -> list[NoticeEntry]:
    return list(await db.scalars(sa.select(NoticeEntry).where(NoticeEntry.notice_id == notice_id)
                                 .order_by(NoticeEntry.position)))


async def public_read(db: AsyncSession, notice_id: uuid.UUID) -> PublicNoticeOut:
    """Public: one notice with the applicants it lists (only the fields it shows in public), while it
    is on the public list."""
    notice = await db.scalar(sa.select(Notice).where(Notice.id == notice_id, _recent()))
    if notice is None:
        raise NotFound("未找到该公示", code="notice_not_found")
    entries = await _entries(db, notice.id)
    return PublicNoticeOut(**_public(notice, len(entries), entries))


async def _managed_out(db: AsyncSession, principal: Principal, found: list[Notice]) -> list[ManagedNoticeOut]:
    ids = [n.id for n in found]
    counts = await _counts(db, ids)
    objections = {(i, s): c for i, s, c in (await db.execute(
        sa.select(Objection.notice_id, Objection.status, sa.func.count())
        .where(Objection.notice_id.in_(ids), _not_own(principal))
        .group_by(Objection.notice_id, Objection.status))).all()} if ids else {}
    issued = dict((await db.execute(
        sa.select(NoticeEntry.notice_id, sa.func.count()).join(Certificate, Certificate.application_id ==
                                                               NoticeEntry.application_id)
        .where(NoticeEntry.notice_id.in_(ids)).group_by(NoticeEntry.notice_id))).all()) if ids else {}
    return [ManagedNoticeOut(
        **_public(n, counts.get(n.id, 0)), plan_id=n.plan_id, objections_pending=objections.get((n.id, "pending"), 0),
        objections_total=sum(c for (i, _), c in objections.items() if i == n.id),
        certificates_issued=issued.get(n.id, 0)) for n in found]


async def desk(db: AsyncSession, principal: Principal) -> NoticesDeskOut:
    """公示管理: what the caller may publish now, and the notices they published (newest first)."""
    found = (await db.scalars(sa.select(Notice).where(await _managed_by(db, principal))
                              .order_by(Notice.published_at.desc(), Notice.id).limit(MANAGED_SHOWN))).all()
    return NoticesDeskOut(min_workdays=get_settings().notice_min_workdays, candidates=await _candidates(db, principal),
                          notices=await _managed_out(db, principal, list(found)))


async def managed(db: AsyncSession, principal: Principal, notice_id: uuid.UUID) -> ManagedNoticeOut:
    notice = await _managed(db, principal, notice_id)
    out = (await _managed_out(db, principal, [notice]))[0]
    out.entries = PublicNoticeOut(**_public(notice, out.count, await _entries(db, notice.id))).entries
    return out


# --- the unit's pass waits for its notice (called by review.decide) --------------------------------
async def _open_objections(db: AsyncSession, application_id: uuid.UUID) -> int:
    return await db.scalar(sa.select(sa.func.count()).select_from(Objection).where(
        Objection.application_id == application_id, Objection.status == "pending")) or 0


async def ensure_noticed(db: AsyncSession, app: Application) -> None:
    """通过 at the unit's stage: only after a 单位申报公示 listing the application as last submitted has
    ended (one before a 退回修改 does not count), with no objection to it left open (a sustained one
    has stopped it already)."""
    notice = await db.scalar(sa.select(Notice).join(NoticeEntry, NoticeEntry.notice_id == Notice.id).where(
        NoticeEntry.application_id == app.id, NoticeEntry.kind == "unit",
        NoticeEntry.submitted_at == app.submitted_at))
    if notice is None:
        raise Conflict("该申报尚未进行单位申报公示：请先在「公示管理」中发布单位申报公示，公示期满后方可通过",
                       code="notice_required")
    if not _ended(notice):
        raise Conflict(f"单位申报公示期为 {_day(notice.start_date)} 至 {_day(notice.end_date)}，"
                       f"公示期满（{_day(notice.end_date)}）后方可通过", code="notice_running")
    if await _open_objections(db, app.id):
        raise Conflict("该申报有尚未处理的公示异议，请先在「公示管理」中处理异议", code="objection_pending")


# --- certificates after the results notice ---------------------------------------------------------
async def issue_certificates(db: AsyncSession, principal: Principal, notice_id: uuid.UUID) -> BatchResult:
    """发放证书 for the applications of an ended 评审结果公示: each in its own savepoint (one still
    under an objection fails alone, and the caller's own application is not theirs to certify), in the
    notice's order; those issued already are left as they are."""
    notice = await _managed(db, principal, notice_id)
    if notice.kind != "result":
        raise Conflict("只有评审结果公示期满后才能发放证书", code="not_result_notice")
    if not _ended(notice):
        raise Conflict(f"评审结果公示期为 {_day(notice.start_date)} 至 {_day(notice.end_date)}，"
                       f"公示期满（{_day(notice.end_date)}）后方可发放证书", code="notice_running")
    plan = await drafts.plan_of(db, notice.plan_id, known=True)
    done: list[uuid.UUID] = []
    failed: dict[str, str] = {}
    for entry in await _entries(db, notice.id):
        try:
            async with db.begin_nested():
                if await _issue_one(db, principal, entry, plan):
                    done.append(entry.application_id)
        except AppError as exc:
            failed[str(entry.application_id)] = f"{entry.name}：{exc.detail}"
    return BatchResult(done=done, failed=failed)


async def _issue_one(db: AsyncSession, issuer: Principal, entry: NoticeEntry, plan: PlanSnapshot) -> bool:
    app = await db.get(Application, entry.application_id, with_for_update=True, populate_existing=True)
    if app is None or await db.scalar(sa.select(Certificate.id).where(Certificate.application_id == app.id)):
        return False
    if app.person_id == issuer.id:
        raise Forbidden("不能为本人的申报发放证书", code="own_application")
    if app.status != "approved":
        raise Conflict(f"该申报当前为「{drafts.status_label(app)}」，不发放证书", code="wrong_status")
    if await _open_objections(db, app.id):
        raise Conflict("有尚未处理的公示异议，处理后方可发放证书", code="objection_pending")
    # 取得时间: the day the last stage passed it, not the day the certificate is made.
    passed_at = await db.scalar(sa.select(sa.func.max(Step.at)).where(Step.application_id == app.id,
                                                                       Step.kind == "passed"))
    await certificates.issue(db, app, plan, obtained_on=passed_at.astimezone(SHANGHAI).date() if passed_at else None)
    return True


# --- objections ---------------------------------------------------------------------------------
def objection_ref(objection_id: uuid.UUID) -> str:
    return f"applications:objection:{objection_id}"


def _objection_out(o: Objection, notice: Notice, entry: NoticeEntry) -> ObjectionOut:
    return ObjectionOut(
        id=o.id, notice_id=notice.id, notice_kind_label=KIND_LABELS[notice.kind], plan_name=notice.plan_name,
        entry_id=entry.id, person_name=entry.name, unit_name=entry.unit_name, title=entry.title, major=entry.major,
        objector_name=o.objector_name, reason=o.reason, file_ids=o.file_ids, filed_at=o.filed_at, status=o.status,
        status_label=OBJECTION_LABELS[o.status], resolved_at=o.resolved_at, resolved_by=o.resolved_by, note=o.note)


def _objections_query() -> sa.Select:
    return (sa.select(Objection, Notice, NoticeEntry).join(Notice, Notice.id == Objection.notice_id)
            .join(NoticeEntry, NoticeEntry.id == Objection.entry_id))


async def object_to(db: AsyncSession, person: Principal, notice_id: uuid.UUID, data: ObjectionIn, *,
                    client: httpx.AsyncClient) -> ObjectionOut:
    """提出异议 during the notice, to one of its applicants, with a reason and the objector's evidence."""
    notice = await db.get(Notice, notice_id)
    entry = await db.get(NoticeEntry, data.entry_id) if notice is not None else None
    if notice is None or entry is None or entry.notice_id != notice.id:
        raise NotFound("未找到该公示或公示对象", code="notice_not_found")
    if not _running(notice):
        raise Conflict(f"公示期为 {_day(notice.start_date)} 至 {_day(notice.end_date)}，现在不在公示期内，"
                       "不能提出异议", code="notice_not_running")
    app = await db.get(Application, entry.application_id)
    if app is not None and app.person_id == person.id:
        raise Forbidden("不能对本人的申报提出异议", code="own_application")
    # An application past its last word (未通过, 异议成立, 证书已发放) has nobody left to resolve an objection.
    if app is not None and app.status in FINAL:
        raise Conflict(f"该申报当前为「{drafts.status_label(app)}」，评审已结束，不能再提出异议", code="application_final")
    if app is not None and await db.scalar(sa.select(Certificate.id).where(Certificate.application_id == app.id)):
        raise Conflict("该申报已发放证书，评审已结束，不能再提出异议", code="application_final")
    if not data.reason:
        raise InvalidField("reason", "请填写异议理由")
    file_ids = list(dict.fromkeys(data.file_ids))
    if not file_ids:
        raise InvalidField("file_ids", "请上传或选择证明材料")
    objection = Objection(id=uuid.uuid4(), notice_id=notice.id, entry_id=entry.id, application_id=entry.application_id,
                          objector_id=person.id, objector_name=person.acting_name[:100], reason=data.reason,
                          file_ids=file_ids, filed_at=dt.datetime.now(dt.UTC), status="pending")
    db.add(objection)
    await db.flush()
    # The evidence is the objector's: claimed under the objection's own ref, locked, readable by
    # whoever resolves it (links below).
    await documents.claim(client, objection_ref(objection.id), owner_id=person.id, file_ids=file_ids,
                          field="file_ids", lock=True, label=f"公示异议：{notice.plan_name}")
    if app is not None:
        await record_event(db, drafts.PRODUCER, app.id, ObjectionFiled(
            **drafts.facts(app), objection_id=objection.id, notice_id=notice.id, notice_kind=notice.kind,
            objector_id=person.id))
    return _objection_out(objection, notice, entry)


async def mine(db: AsyncSession, person: Principal, notice_id: uuid.UUID | None) -> list[ObjectionOut]:
    """The objections the person filed (to one notice, or all), newest first."""
    query = _objections_query().where(Objection.objector_id == person.id)
    if notice_id is not None:
        query = query.where(Objection.notice_id == notice_id)
    rows = (await db.execute(query.order_by(Objection.filed_at.desc()).limit(MANAGED_SHOWN))).all()
    return [_objection_out(o, n, e) for o, n, e in rows]


async def objections(db: AsyncSession, principal: Principal, notice_id: uuid.UUID) -> list[ObjectionOut]:
    """The objections to a notice the caller published, in the order they were filed."""
    notice = await _managed(db, principal, notice_id)
    rows = (await db.execute(_objections_query().where(Objection.notice_id == notice.id, _not_own(principal))
                             .order_by(Objection.filed_at, Objection.id))).all()
    return [_objection_out(o, n, e) for o, n, e in rows]


async def _objection(db: AsyncSession, principal: Principal, objection_id: uuid.UUID, *,
                     lock: bool = False) -> tuple[Objection, Notice, NoticeEntry]:
    """An objection to a notice the caller manages, not to their own application (that one is not there)."""
    row = (await db.execute(_objections_query().where(Objection.id == objection_id, _not_own(principal),
                                                      await _managed_by(db, principal)))).first()
    if row is None:
        raise NotFound("未找到该异议，或它不是对您发布的公示提出的", code="objection_not_found")
    if lock:
        await db.refresh(row[0], with_for_update=True)
    return row[0], row[1], row[2]


async def evidence(db: AsyncSession, principal: Principal, objection_id: uuid.UUID, *,
                   client: httpx.AsyncClient) -> list[FileLinkOut]:
    """An objection's evidence as short-lived links, for whoever resolves it."""
    objection, _, _ = await _objection(db, principal, objection_id)
    return [FileLinkOut.model_validate(link) for link in
            await documents.links(client, objection_ref(objection.id), list(objection.file_ids))]


async def resolve(db: AsyncSession, principal: Principal, objection_id: uuid.UUID,
                  data: ResolutionIn) -> ObjectionOut:
    """处理异议, once: 成立 stops the application (its reason the note), 不成立 lets it go on."""
    if not data.note:
        raise InvalidField("note", "请填写处理意见")
    objection, notice, entry = await _objection(db, principal, objection_id, lock=True)
    if objection.objector_id == principal.id:
        raise Forbidden("不能处理本人提出的异议", code="own_objection")
    if objection.status != "pending":
        raise Conflict(f"该异议已处理（{OBJECTION_LABELS[objection.status]}），不能重复处理", code="already_resolved")
    app = await db.get(Application, objection.application_id, with_for_update=True, populate_existing=True)
    if app is None:
        raise NotFound("该申报已不存在", code="application_not_found")
    now = dt.datetime.now(dt.UTC)
    if data.sustained:
        app.status = states.move("stop", app.status)
        app.reason = f"公示异议成立：{data.note}"[:2000]
        app.version += 1
        app.updated_at = now
        db.add(Step(id=uuid.uuid4(), application_id=app.id, kind="stopped", stage=app.stage or 0,
                    stage_name=app.stage_name or KIND_LABELS[notice.kind], party="unit" if notice.kind == "unit"
                    else "organizer", actor_id=principal.id, actor_name=principal.acting_name[:100],
                    acted_for=notice.publisher_name, reason=data.note, at=now))
    objection.status = "sustained" if data.sustained else "dismissed"
    objection.resolved_at, objection.resolver_id = now, principal.id
    objection.resolved_by, objection.note = principal.acting_name[:100], data.note
    await db.flush()
    await record_event(db, drafts.PRODUCER, app.id, ObjectionResolved(
        **drafts.facts(app), objection_id=objection.id, notice_id=notice.id, sustained=data.sustained,
        note=data.note, resolved_by=objection.resolved_by))
    return _objection_out(objection, notice, entry)
