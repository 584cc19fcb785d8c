"""免面试 and interviews, for the plans that have an interview (``has_interview``).

The applicant of an application in review asks for 免面试 with a reason and evidence (their own
files, claimed with the application's others: files.used_by). One request per application: after
a refusal they may ask again (the refused one is kept in ``previous``), after a grant never.

The organiser's administrators — the persons with the plan_admin role whom plans named for the
plan's organiser (read model OrganizerAdmin) — decide the requests and schedule interviews for
the applications that need one: submitted (in review or approved), no 免面试 granted or still
waiting for a decision, not yet scheduled. Anybody else finds none of it (404). Nobody decides
or schedules their own application.

准考证号 (ticket_no): ``YYYY`` (the plan's year) + ``PPPP`` (the plan's number among that year's
plans, in the order their first interview was scheduled) + ``NNNNN`` (the plan's sequence), 13
digits, e.g. 2026000100001. The plan's counter row is taken FOR UPDATE for the whole batch, so
concurrent batches number one after the other; a unique (plan_id, ticket_no) makes a collision
impossible rather than unlikely. The request, the decision and the application share the
application's row lock, so a grant and a scheduling of one application never cross."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import drafts, files
from services.applications.models import (
    Application,
    Exemption,
    Interview,
    OrganizerAdmin,
    Person,
    Plan,
    TicketCounter,
)
from services.applications.schemas import (
    AdmissionOut,
    ApplicationSummary,
    ExemptionBrief,
    ExemptionDecisionIn,
    ExemptionIn,
    ExemptionItem,
    ExemptionOut,
    ExemptionStateOut,
    FileLinkOut,
    InterviewBrief,
    InterviewItem,
    InterviewsIn,
)
from shared import documents
from shared.auth import Principal
from shared.clock import SHANGHAI
from shared.errors import AppError, Conflict, Forbidden, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import ExemptionDecided, ExemptionRequested, InterviewScheduled, PlanSnapshot
from shared.schemas import BatchResult, Paged
from shared.vocabulary import LEVELS

EXEMPTION_LABELS = {"requested": "待审批", "granted": "同意免面试", "refused": "不同意免面试"}
INTERVIEW_LABELS = {"needed": "待安排面试", "exemption_requested": "免面试申请待审批", "exempted": "免面试",
                    "scheduled": "已安排面试"}
SUBMITTED = ("in_review", "approved")  # submitted, and neither returned nor rejected
MAX_AHEAD = dt.timedelta(days=3 * 365)
TICKET_LOCK = 0x7A430000  # + the year: pg_advisory_xact_lock while a year's plan number is taken


# --- who administers what ---------------------------------------------------------------------
async def organizers_of(db: AsyncSession, principal: Principal) -> list[uuid.UUID]:
    """The organisers whose plans the principal administers, read at each request (a removal
    takes effect at once); none without the plan_admin role."""
    if principal.kind != "person" or not principal.has("plan_admin"):
        return []
    return list(await db.scalars(sa.select(OrganizerAdmin.organizer_id).where(
        OrganizerAdmin.person_id == principal.id, OrganizerAdmin.active)))


def _plans_of(organizers: list[uuid.UUID]) -> sa.Select:
    return sa.select(Plan.id).where(Plan.data["organizer_id"].astext.in_([str(o) for o in organizers]))


async def _administered(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                        organizers: list[uuid.UUID] | None = None, lock: bool = False) -> tuple[Application, PlanSnapshot]:
    """A submitted application to a plan of the principal's organisers, or "not found"."""
    mine = await organizers_of(db, principal) if organizers is None else organizers
    app = await db.get(Application, application_id)
    plan = await db.get(Plan, app.plan_id) if app is not None else None
    if app is None or plan is None or app.status == "draft" or uuid.UUID(plan.data["organizer_id"]) not in mine:
        raise NotFound("未找到该申报记录，或它不属于您管理的评审计划", code="application_not_found")
    if app.person_id == principal.id:
        raise Forbidden("不能处理本人的申报", code="own_application")
    if lock:
        await db.refresh(app, with_for_update=True)
    return app, PlanSnapshot.model_validate(plan.data)


async def own_plan(db: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> PlanSnapshot:
    plan = await db.get(Plan, plan_id)
    if plan is None or uuid.UUID(plan.data["organizer_id"]) not in await organizers_of(db, principal):
        raise NotFound("未找到该评审计划，或它不属于您管理的组建单位", code="plan_not_found")
    return PlanSnapshot.model_validate(plan.data)


# --- the applicant's ----------------------------------------------------------------------------
def _out(status: str, reason: str, file_ids: list, requested_at: dt.datetime, decided_at: dt.datetime | None,
         decided_by: str, decision_reason: str) -> ExemptionOut:
    return ExemptionOut(status=status, status_label=EXEMPTION_LABELS.get(status, status), reason=reason,
                        file_ids=file_ids, requested_at=requested_at, decided_at=decided_at, decided_by=decided_by,
                        decision_reason=decision_reason)


def exemption_out(ex: Exemption) -> ExemptionOut:
    return _out(ex.status, ex.reason, ex.file_ids, ex.requested_at, ex.decided_at, ex.decided_by, ex.decision_reason)


def _previous(ex: Exemption | None) -> list[ExemptionOut]:
    return [_out("refused", p["reason"], p["file_ids"], dt.datetime.fromisoformat(p["requested_at"]),
                 dt.datetime.fromisoformat(p["decided_at"]), p["decided_by"], p["decision_reason"])
            for p in (ex.previous if ex else [])]


async def _why_no_request(db: AsyncSession, app: Application, plan: PlanSnapshot, ex: Exemption | None) -> str:
    """Why 免面试 cannot be asked for now ("" when it can)."""
    if not plan.has_interview:
        return "该评审计划无面试，无需申请免面试"
    if ex is not None and ex.status == "requested":
        return "免面试申请已提交，正在等待组建单位审批"
    if ex is not None and ex.status == "granted":
        return "免面试申请已获同意，无需参加面试"
    if (interview := await db.get(Interview, app.id)) is not None:
        return f"已安排面试（准考证号 {interview.ticket_no}），不能再申请免面试"
    if app.status != "in_review":
        return (f"申报提交审核后、审核结束前方可申请免面试（当前为「{drafts.status_label(app)}」）")
    return ""


async def exemption_state(db: AsyncSession, person: Principal, application_id: uuid.UUID) -> ExemptionStateOut:
    app = await drafts.owned(db, person, application_id)
    plan = await drafts.plan_of(db, app.plan_id, known=True)
    ex = await db.get(Exemption, app.id)
    why = await _why_no_request(db, app, plan, ex)
    return ExemptionStateOut(application_id=app.id, can_request=not why, why_not=why,
                             current=exemption_out(ex) if ex else None, previous=_previous(ex))


async def request_exemption(db: AsyncSession, person: Principal, application_id: uuid.UUID, data: ExemptionIn, *,
                            client: httpx.AsyncClient) -> ExemptionStateOut:
    """申请免面试 (again after a refusal). The evidence is claimed with the application's files: locked,
    and readable by whoever decides."""
    app = await drafts.owned(db, person, application_id, lock=True)
    plan = await drafts.plan_of(db, app.plan_id, known=True)
    ex = await db.get(Exemption, app.id)
    if why := await _why_no_request(db, app, plan, ex):
        raise Conflict(why, code="exemption_not_possible")
    if not data.reason:
        raise InvalidField("reason", "请填写申请免面试的理由")
    now = dt.datetime.now(dt.UTC)
    file_ids = list(dict.fromkeys(data.file_ids))
    if ex is None:
        ex = Exemption(application_id=app.id, plan_id=app.plan_id, previous=[])
        db.add(ex)
    else:  # a refused one: kept as it was decided
        ex.previous = [*ex.previous, {
            "reason": ex.reason, "file_ids": [str(f) for f in ex.file_ids], "requested_at": ex.requested_at.isoformat(),
            "decided_at": ex.decided_at.isoformat() if ex.decided_at else now.isoformat(),
            "decided_by": ex.decided_by, "decision_reason": ex.decision_reason}]
    ex.status, ex.reason, ex.file_ids, ex.requested_at = "requested", data.reason, file_ids, now
    ex.decided_at, ex.decider_id, ex.decided_by, ex.decision_reason = None, None, "", ""
    await db.flush()
    await files.sync(db, client, app)
    await record_event(db, drafts.PRODUCER, app.id, ExemptionRequested(**drafts.facts(app), reason=ex.reason,
                                                                       file_ids=file_ids))
    return await exemption_state(db, person, application_id)


async def admission(db: AsyncSession, person: Principal, application_id: uuid.UUID) -> AdmissionOut:
    """准考证: the interview scheduled for the person's own application."""
    app = await drafts.owned(db, person, application_id)
    interview = await db.get(Interview, app.id)
    if interview is None:
        raise NotFound("该申报尚未安排面试，安排后即可打印准考证", code="interview_not_scheduled")
    plan = await drafts.plan_of(db, app.plan_id, known=True)
    who = await db.get(Person, app.person_id)
    photo = (app.profile or {}).get("photo_file_id")
    return AdmissionOut(
        application_id=app.id, ticket_no=interview.ticket_no, starts_at=interview.starts_at, place=interview.place,
        person_name=who.name if who else "", gender={"male": "男", "female": "女"}.get(who.gender) if who else None,
        id_number_masked=who.id_number_masked if who else "", photo_file_id=uuid.UUID(photo) if photo else None,
        unit_name=app.unit_name, plan_name=app.plan_name, plan_year=app.plan_year, title=app.title, major=app.major,
        level_name=LEVELS.get(app.level, app.level), committee=plan.committee, organizer_name=plan.organizer_name,
        scheduled_at=interview.scheduled_at)


async def annotate(db: AsyncSession, summaries: list[ApplicationSummary]) -> list[ApplicationSummary]:
    """One's applications with where 免面试 and the interview stand (two queries for the whole list)."""
    ids = [s.id for s in summaries if s.has_interview]
    if not ids:
        return summaries
    exemptions = {e.application_id: e for e in await db.scalars(sa.select(Exemption)
                                                                 .where(Exemption.application_id.in_(ids)))}
    interviews = {i.application_id: i for i in await db.scalars(sa.select(Interview)
                                                                 .where(Interview.application_id.in_(ids)))}
    for s in summaries:
        if ex := exemptions.get(s.id):
            s.exemption = ExemptionBrief(status=ex.status, status_label=EXEMPTION_LABELS[ex.status],
                                         decision_reason=ex.decision_reason, decided_at=ex.decided_at)
        if interview := interviews.get(s.id):
            s.interview = InterviewBrief(ticket_no=interview.ticket_no, starts_at=interview.starts_at,
                                         place=interview.place)
    return summaries


# --- the organiser's administrators: 免面试 --------------------------------------------------------
def _item(ex: Exemption, app: Application, person: Person | None) -> ExemptionItem:
    return ExemptionItem(
        **exemption_out(ex).model_dump(), application_id=app.id, plan_id=app.plan_id, plan_name=app.plan_name,
        person_name=person.name if person else "", id_number_masked=person.id_number_masked if person else "",
        unit_name=app.unit_name, title=app.title, major=app.major, level_name=LEVELS.get(app.level, app.level),
        application_status_label=drafts.status_label(app), earlier_refusals=len(ex.previous))


async def exemptions(db: AsyncSession, principal: Principal, *, plan_id: uuid.UUID | None, status: str | None,
                     offset: int, limit: int, page: int) -> Paged[ExemptionItem]:
    """The requests to the plans of the principal's organisers, oldest first (never their own)."""
    if plan_id is not None:
        await own_plan(db, principal, plan_id)
    where = [Exemption.plan_id.in_(_plans_of(await organizers_of(db, principal))),
             Application.person_id != principal.id]
    if plan_id is not None:
        where.append(Exemption.plan_id == plan_id)
    if status:
        where.append(Exemption.status == status)
    query = (sa.select(Exemption, Application, Person).join(Application, Application.id == Exemption.application_id)
             .join(Person, Person.id == Application.person_id, isouter=True).where(*where))
    total = await db.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = (await db.execute(query.order_by(Exemption.requested_at, Exemption.application_id)
                             .offset(offset).limit(limit))).all()
    return Paged(items=[_item(e, a, p) for e, a, p in rows], total=total, page=page, page_size=limit)


async def _exemption_of(db: AsyncSession, app: Application, *, lock: bool = False) -> Exemption:
    ex = await db.get(Exemption, app.id, with_for_update=lock, populate_existing=lock)
    if ex is None:
        raise NotFound("该申报没有免面试申请", code="exemption_not_found")
    return ex


async def exemption(db: AsyncSession, principal: Principal, application_id: uuid.UUID) -> ExemptionItem:
    app, _ = await _administered(db, principal, application_id)
    return _item(await _exemption_of(db, app), app, await db.get(Person, app.person_id))


async def exemption_files(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                          client: httpx.AsyncClient) -> list[FileLinkOut]:
    """The evidence (of this request and earlier refused ones) as short-lived links."""
    app, _ = await _administered(db, principal, application_id)
    ex = await _exemption_of(db, app)
    ids = [*ex.file_ids, *(uuid.UUID(f) for p in ex.previous for f in p["file_ids"])]
    if not ids:
        return []
    return [FileLinkOut.model_validate(link) for link in await documents.links(client, files.ref(app), ids)]


async def decide_exemption(db: AsyncSession, principal: Principal, application_id: uuid.UUID,
                           data: ExemptionDecisionIn) -> ExemptionItem:
    """同意 / 不同意免面试, once: a second decision (another administrator, a double click) is refused."""
    if not data.granted and not data.reason:
        raise InvalidField("reason", "请填写不同意免面试的理由")
    app, _ = await _administered(db, principal, application_id, lock=True)
    ex = await _exemption_of(db, app, lock=True)
    if ex.status != "requested":
        raise Conflict(f"该免面试申请已审批（{EXEMPTION_LABELS[ex.status]}），不能重复审批", code="already_decided")
    ex.status = "granted" if data.granted else "refused"
    ex.decided_at, ex.decider_id = dt.datetime.now(dt.UTC), principal.id
    ex.decided_by, ex.decision_reason = principal.acting_name[:100], data.reason
    await db.flush()
    await record_event(db, drafts.PRODUCER, app.id, ExemptionDecided(
        **drafts.facts(app), granted=data.granted, reason=data.reason, decided_by=ex.decided_by))
    return _item(ex, app, await db.get(Person, app.person_id))


# --- the organiser's administrators: interviews -------------------------------------------------
def _interview_status(interview: Interview | None, ex: Exemption | None) -> str:
    if interview is not None:
        return "scheduled"
    if ex is not None and ex.status == "granted":
        return "exempted"
    if ex is not None and ex.status == "requested":
        return "exemption_requested"
    return "needed"


async def interviews(db: AsyncSession, principal: Principal, *, plan_id: uuid.UUID, status: str | None,
                     offset: int, limit: int, page: int) -> Paged[InterviewItem]:
    """面试安排 of a plan: its submitted applications (and any scheduled since returned or rejected)
    with where each stands; ``status`` picks one kind."""
    plan = await own_plan(db, principal, plan_id)
    if not plan.has_interview:
        return Paged(items=[], total=0, page=page, page_size=limit)
    granted = sa.and_(Exemption.application_id.is_not(None), Exemption.status == "granted")
    where = [Application.plan_id == plan_id, Application.person_id != principal.id,
             sa.or_(Application.status.in_(SUBMITTED), Interview.application_id.is_not(None))]
    if status == "scheduled":
        where.append(Interview.application_id.is_not(None))
    elif status == "exempted":
        where += [Interview.application_id.is_(None), granted]
    elif status in ("needed", "exemption_requested"):
        where += [Interview.application_id.is_(None), Application.status.in_(SUBMITTED),
                  sa.and_(Exemption.application_id.is_not(None), Exemption.status == "requested")
                  if status == "exemption_requested" else sa.not_(sa.and_(Exemption.application_id.is_not(None),
                                                                          Exemption.status.in_(("requested",
                                                                                                "granted"))))]
    query = (sa.select(Application, Person, Interview, Exemption)
             .join(Person, Person.id == Application.person_id, isouter=True)
             .join(Interview, Interview.application_id == Application.id, isouter=True)
             .join(Exemption, Exemption.application_id == Application.id, isouter=True).where(*where))
    total = await db.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = (await db.execute(query.order_by(Interview.ticket_no.asc().nulls_first(), Application.submitted_at,
                                            Application.id).offset(offset).limit(limit))).all()
    items = []
    for app, person, interview, ex in rows:
        kind = _interview_status(interview, ex)
        items.append(InterviewItem(
            application_id=app.id, person_name=person.name if person else "",
            id_number_masked=person.id_number_masked if person else "", unit_name=app.unit_name, title=app.title,
            major=app.major, level_name=LEVELS.get(app.level, app.level), status_label=drafts.status_label(app),
            interview_status=kind, interview_status_label=INTERVIEW_LABELS[kind],
            can_schedule=kind == "needed" and app.status in SUBMITTED,
            ticket_no=interview.ticket_no if interview else None, starts_at=interview.starts_at if interview else None,
            place=interview.place if interview else None))
    return Paged(items=items, total=total, page=page, page_size=limit)


async def _take_counter(db: AsyncSession, plan: PlanSnapshot) -> None:
    """Lock the plan's 准考证号 counter (made on the plan's first interview, with the year's next
    plan number: an advisory lock per year makes two plans' first batches take turns)."""
    locked = sa.select(TicketCounter.plan_id).where(TicketCounter.plan_id == plan.id).with_for_update()
    if await db.scalar(locked) is not None:
        return
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(TICKET_LOCK + plan.year)))
    next_no = sa.select(sa.func.coalesce(sa.func.max(TicketCounter.plan_no), 0) + 1).where(
        TicketCounter.year == plan.year).scalar_subquery()
    await db.execute(pg.insert(TicketCounter).values(plan_id=plan.id, year=plan.year, plan_no=next_no, last=0)
                     .on_conflict_do_nothing(index_elements=[TicketCounter.plan_id]))
    await db.scalar(locked)


async def _next_ticket(db: AsyncSession, plan_id: uuid.UUID) -> str:
    year, plan_no, last = (await db.execute(
        sa.update(TicketCounter).where(TicketCounter.plan_id == plan_id).values(last=TicketCounter.last + 1)
        .returning(TicketCounter.year, TicketCounter.plan_no, TicketCounter.last))).one()
    return f"{year:04d}{plan_no:04d}{last:05d}"


def future_time(value: dt.datetime, field: str = "starts_at", what: str = "面试时间") -> dt.datetime:
    """In the future and within the next three years (a typo of the year is refused, not stored);
    a time without a zone is Asia/Shanghai's. Also a committee's voting deadline (panels.draw)."""
    try:
        moment = (value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value).astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise InvalidField(field, f"{what}不正确") from None
    now = dt.datetime.now(dt.UTC)
    if moment <= now:
        raise InvalidField(field, f"{what}应晚于当前时间")
    if moment > now + MAX_AHEAD:
        raise InvalidField(field, f"{what}应在三年之内")
    return moment


async def schedule(db: AsyncSession, principal: Principal, data: InterviewsIn) -> BatchResult:
    """安排面试: each application in its own savepoint (one that cannot be scheduled fails alone),
    in id order; the plans' counters are locked first, in plan order, so batches never deadlock."""
    starts_at = future_time(data.starts_at)
    if not data.place:
        raise InvalidField("place", "请填写面试地点")
    mine = await organizers_of(db, principal)
    ids = sorted(set(data.application_ids))
    plan_ids = set(await db.scalars(sa.select(Application.plan_id).where(Application.id.in_(ids))))
    plans = [PlanSnapshot.model_validate(p.data) for p in await db.scalars(
        sa.select(Plan).where(Plan.id.in_(plan_ids)).order_by(Plan.id))]
    for plan in plans:
        if plan.has_interview and plan.organizer_id in mine:
            await _take_counter(db, plan)
    done: list[uuid.UUID] = []
    failed: dict[str, str] = {}
    for application_id in ids:
        try:
            async with db.begin_nested():
                await _schedule_one(db, principal, application_id, starts_at, data.place, mine)
            done.append(application_id)
        except AppError as exc:
            failed[str(application_id)] = exc.detail
        except IntegrityError:  # scheduled by another batch meanwhile (the row lock makes it rare)
            failed[str(application_id)] = "该申报已安排面试"
    return BatchResult(done=done, failed=failed)


async def _schedule_one(db: AsyncSession, principal: Principal, application_id: uuid.UUID, starts_at: dt.datetime,
                        place: str, mine: list[uuid.UUID]) -> None:
    app, plan = await _administered(db, principal, application_id, organizers=mine, lock=True)
    if not plan.has_interview:
        raise Conflict("该评审计划无面试，不能安排面试", code="no_interview")
    if app.status not in SUBMITTED:
        raise Conflict(f"该申报当前为「{drafts.status_label(app)}」，不能安排面试", code="wrong_status")
    if (existing := await db.get(Interview, app.id, populate_existing=True)) is not None:
        raise Conflict(f"该申报已安排面试（准考证号 {existing.ticket_no}）", code="already_scheduled")
    ex = await db.get(Exemption, app.id, populate_existing=True)
    if ex is not None and ex.status == "granted":
        raise Conflict("该申报已同意免面试，无需安排面试", code="exempted")
    if ex is not None and ex.status == "requested":
        raise Conflict("该申报的免面试申请尚未审批，请先审批再安排面试", code="exemption_pending")
    interview = Interview(application_id=app.id, plan_id=app.plan_id, ticket_no=await _next_ticket(db, app.plan_id),
                          starts_at=starts_at, place=place, scheduled_at=dt.datetime.now(dt.UTC),
                          scheduler_id=principal.id, scheduled_by=principal.acting_name[:100])
    db.add(interview)
    await db.flush()
    await record_event(db, drafts.PRODUCER, app.id, InterviewScheduled(
        **drafts.facts(app), ticket_no=interview.ticket_no, starts_at=interview.starts_at, place=place,
        scheduled_by=interview.scheduled_by))
