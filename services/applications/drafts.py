"""Starting, reading, saving and deleting an application (申报) — the applicant's own.

Every save names the version it was made on (``If-Match``): a save on an older version is refused,
so two tabs on one draft never overwrite each other silently."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import checks, states
from services.applications.models import Application, Ban, Committee, Item, Membership, Person, Plan, Step, Unit
from services.applications.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationSummary,
    AttachmentKindOut,
    ChecksOut,
    FindingOut,
    ItemOut,
    PersonOut,
    SectionOut,
    StepOut,
)
from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.auth import Principal
from shared.clock import today
from shared.entry_types import ENTRY_TYPES, entry_type_name, title_of
from shared.errors import AppError, Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import (
    ApplicationCreated,
    ApplicationDeleted,
    ApplicationFacts,
    ApplicationSubmitted,
    ApplicationUpdated,
    PlanSnapshot,
)
from shared.vocabulary import FORMS, LEVELS, PARTIES

PRODUCER = "applications"

# The personal sections that import library entries (个人信息 → 工作经历 … 年度考核), in page order.
PERSONAL_SECTIONS: list[tuple[str, str, int, int, bool]] = [
    ("work_experience", "工作经历", 1, 30, True),
    ("education", "学历教育", 1, 10, True),
    ("continuing_education", "继续教育", 0, 50, False),
    ("annual_assessment", "年度考核", 0, 10, False),
]
EXTRA_FORMS = checks.EXTRA_FORMS


class PreconditionRequired(AppError):
    status_code, code, title = 428, "version_required", "缺少版本号"


class StaleVersion(AppError):
    status_code, code, title = 412, "stale_version", "内容已被修改"


async def plan_of(db: AsyncSession, plan_id: uuid.UUID, *, known: bool = False) -> PlanSnapshot:
    """``known``: an application refers to it, so a missing read model is a sync still under way
    (a new deployment before ``republish``), not a plan that does not exist. Asked once per unit
    of work: a save reads it for its checks and again for its answer."""
    seen = db.info.setdefault("plans", {})
    if (known_here := seen.get(plan_id)) is not None:
        return known_here
    row = db.info.get(PLAN_ROWS, {}).get(plan_id) or (  # ``owned`` read it with the application
        await db.execute(sa.select(Plan.revision, Plan.status).where(Plan.id == plan_id))).first()
    if row is None and known:
        raise AppError("评审计划信息正在同步，请稍后再试", code="plan_syncing", status_code=503)
    if row is None or row.status == "draft":
        raise NotFound("未找到该评审计划，或计划尚未发布", code="plan_not_found")
    seen[plan_id] = snapshot = await _snapshot(db, plan_id, row.revision)
    return snapshot


async def _snapshot(db: AsyncSession, plan_id: uuid.UUID, revision: int) -> PlanSnapshot:
    """A plan with its standard is a large document: read and validated once per revision, not per
    request (开始检测 and every page of a draft read it). Shared, so never changed by callers."""
    cached = _PLANS.get(plan_id)
    if cached is None or cached.revision != revision:
        if len(_PLANS) >= 512:
            _PLANS.clear()
        data = await db.scalar(sa.select(Plan.data).where(Plan.id == plan_id))
        cached = _PLANS[plan_id] = PlanSnapshot.model_validate(data)
    return cached


_PLANS: dict[uuid.UUID, PlanSnapshot] = {}


def is_teacher(plan: PlanSnapshot) -> bool:
    """中小学 applications have 专业信息."""
    return plan.series == "school_teacher" or "school_teacher_profile" in plan.standard.eligibility.extra_sections


async def active_ban(db: AsyncSession, person_id: uuid.UUID, day: dt.date) -> Ban | None:
    """The integrity record whose ban covers ``day`` (the one that ends last)."""
    return await db.scalar(sa.select(Ban).where(Ban.person_id == person_id, Ban.revoked.is_(False),
                                                Ban.ban_from <= day, Ban.ban_until >= day)
                           .order_by(Ban.ban_until.desc()).limit(1))


class Section(NamedTuple):
    """A section that imports library entries: a personal one (工作经历 …, no group) or a category
    of a condition group of the plan's standard."""

    code: str
    name: str
    group: str | None
    hint: str
    entry_types: list[str]
    min_count: int
    max_count: int
    required: bool


def sections_of(plan: PlanSnapshot) -> list[Section]:
    """Every importing section of an application to ``plan``, in page order."""
    out = [Section(code, name, None, "", [code], lo, hi, req) for code, name, lo, hi, req in PERSONAL_SECTIONS]
    for group in plan.standard.groups:
        for c in group.categories:
            hint = c.hint or f"该项可导入 {c.min_count}–{c.max_count} 项"
            out.append(Section(str(c.id), c.name, group.name, hint, list(c.entry_types), c.min_count, c.max_count,
                               c.required))
    return out


async def owned(db: AsyncSession, person: Principal, application_id: uuid.UUID, *,
                lock: bool = False) -> Application:
    """The person's own application; anybody else's is "not found" (never "forbidden": no probing).

    In the same statement: the applicant's row and the plan's revision, kept in the session's
    ``info`` for ``full`` and ``plan_of``. Every statement costs the service more than the database
    (docs/benchmarks.md): a draft's page reads three instead of five."""
    query = (sa.select(Application, Person, Plan.revision, Plan.status)
             .join(Person, Person.id == Application.person_id, isouter=True)
             .join(Plan, Plan.id == Application.plan_id, isouter=True)
             .where(Application.id == application_id, Application.person_id == person.id))
    row = (await db.execute(query.with_for_update(of=Application) if lock else query)).first()
    if row is None:
        raise NotFound("未找到该申报记录", code="application_not_found")
    app = row.Application
    if row.revision is not None:
        db.info.setdefault(PLAN_ROWS, {})[app.plan_id] = PlanRow(row.revision, row.status)
    # Held here: the session's identity map keeps its objects only as long as someone else does.
    db.info.setdefault(PERSONS, {})[app.person_id] = row.Person
    return app


PLAN_ROWS, PERSONS = "plan_rows", "persons"


class PlanRow(NamedTuple):
    revision: int
    status: str


def etag(app: Application) -> str:
    return f'"{app.version}"'


async def for_change(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                     action: str = "edit") -> Application:
    """The application, locked, after checking that it may be changed and that the caller saw
    its current version."""
    app = await owned(db, person, application_id, lock=True)  # whose it is before anything else
    states.move(action, app.status)
    membership = await db.get(Membership, person.id)
    # A change of unit approved meanwhile moves a draft; a returned application stays with the unit
    # (and 主管部门) that reviewed it, or a resubmission could skip the new unit's review.
    if app.status == "draft" and membership is not None and membership.active and membership.unit_id != app.unit_id:
        app.unit_id, app.unit_name = membership.unit_id, membership.unit_name
    if not if_match:
        raise PreconditionRequired("保存时缺少版本号（If-Match），请刷新页面后重试")
    if if_match.strip().removeprefix("W/") != etag(app):
        raise StaleVersion("该申报已在其他页面或窗口中修改过，为避免覆盖，本次保存未生效；请刷新页面查看最新内容后再修改")
    return app


def facts(app: Application) -> dict:
    return {"application_id": app.id, "person_id": app.person_id, "plan_id": app.plan_id,
            "plan_year": app.plan_year, "form": app.form, "major": app.major, "title": app.title,
            "level": app.level, "unit_id": app.unit_id, "status": app.status, "version": app.version}


async def saved(db: AsyncSession, app: Application, event: type[ApplicationFacts] = ApplicationUpdated) -> None:
    """After any change: a new version, and the fact for whoever listens."""
    if event is ApplicationUpdated:
        app.version += 1
        app.updated_at = dt.datetime.now(dt.UTC)
    await db.flush()
    await record_event(db, PRODUCER, app.id, event(**facts(app)))


async def start(db: AsyncSession, person: Principal, data: ApplicationIn) -> Application:
    """马上申报 → 申报职称选择 → 诚信承诺书: the draft, once every refusal is ruled out."""
    if not data.confirmed:
        raise InvalidField("confirmed", "请勾选“确认无误”")
    if not data.pledged:
        raise InvalidField("pledged", "请阅读诚信承诺书并勾选“我已阅读并承诺”")
    plan = await plan_of(db, data.plan_id)
    now_day = today()
    if plan.status != "published" or not plan.start_date <= now_day <= plan.end_date:
        raise Conflict(f"该评审计划的申报时间为 {plan.start_date} 至 {plan.end_date}，当前不在申报时间内，不能申报",
                       code="plan_not_open")
    # An expert of the plan's drawn committee (panel or reserve) would review their rivals. The lock is
    # shared with other starts and waits for a draw in flight (panels.make takes it exclusively).
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(sa.func.hashtext(f"committee:{plan.id}"))))
    me = [str(person.id)]
    if await db.scalar(sa.select(Committee.plan_id).where(Committee.plan_id == plan.id, sa.or_(
            Committee.panel.contains(me), Committee.reserves.contains(me)))):
        raise Conflict("您已被抽取为本计划评委会专家，不能申报本计划", code="drawn_expert")
    membership = await db.get(Membership, person.id)
    if membership is None or not membership.active:
        raise Conflict("您尚未绑定工作单位或单位尚未审核通过，暂不能申报；请在「个人中心 → 变更单位」绑定单位，"
                       "待单位审核通过后再申报", code="no_unit")
    ban = await active_ban(db, person.id, now_day)
    if ban is not None:
        raise AppError(f"您在诚信档案中存在记录，禁止申报期为 {ban.ban_from} 至 {ban.ban_until}，期间不能申报职称",
                       code="integrity_ban", status_code=403)
    existing = await db.scalar(sa.select(Application).where(Application.person_id == person.id,
                                                            Application.plan_year == plan.year))
    if existing is not None:
        raise _one_per_year(plan.year, existing.plan_name)
    # Who may apply is settled; now what they chose.
    if data.form not in plan.forms:
        allowed = "、".join(FORMS.get(f, f) for f in plan.forms)
        raise InvalidField("form", f"该计划只接受{allowed}")
    if data.major not in plan.majors:
        raise InvalidField("major", "请从该计划的可评审专业中选择")
    title = next((t for t in plan.titles if t.name == data.title), None)
    if title is None:
        raise InvalidField("title", "请从该计划的申报职称中选择")
    app = Application(id=uuid.uuid4(), person_id=person.id, plan_id=plan.id, plan_year=plan.year,
                      plan_name=plan.name, series=plan.series, form=data.form, major=data.major, title=title.name,
                      level=title.level, unit_id=membership.unit_id, unit_name=membership.unit_name,
                      pledged_at=dt.datetime.now(dt.UTC), profile={}, teacher_profile={}, current_titles=[],
                      current_appointments=[], attachments=[], extra={})
    db.add(app)
    try:
        await db.flush()
    except IntegrityError as exc:  # another attempt of the same person won the race: the database decides
        if "uq_applications_person_year" not in str(exc.orig):
            raise
        raise _one_per_year(plan.year, None) from None
    await saved(db, app, ApplicationCreated)
    return app


def _one_per_year(year: int, plan_name: str | None) -> Conflict:
    where = f"（{plan_name}）" if plan_name else ""
    return Conflict(f"您在 {year} 申报年度已有申报记录{where}；一个申报年度只能申报一次（不限系列和专业）。"
                    "如计划选择有误，可删除填报中的申报后重新申报", code="already_applied_this_year")


async def delete(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None) -> Application:
    app = await for_change(db, person, application_id, if_match, action="delete")
    await db.delete(app)
    await saved(db, app, ApplicationDeleted)
    return app


async def change_major(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None,
                       major: str) -> Application:
    """修改专业: only to another major of the same plan."""
    app = await for_change(db, person, application_id, if_match, action="change_major")
    plan = await plan_of(db, app.plan_id, known=True)
    if major not in plan.majors:
        raise InvalidField("major", f"只能修改为本评审计划（{plan.name}）的可评审专业")
    app.major = major
    await saved(db, app)
    return app


async def list_own(db: AsyncSession, person: Principal) -> list[ApplicationSummary]:
    rows = (await db.execute(sa.select(Application, Plan.revision)
                             .join(Plan, Plan.id == Application.plan_id, isouter=True)
                             .where(Application.person_id == person.id)
                             .order_by(Application.plan_year.desc(), Application.created_at.desc()))).all()
    return [summary(app, await _snapshot(db, app.plan_id, revision) if revision is not None else None)
            for app, revision in rows]


def summary(app: Application, plan: PlanSnapshot | None) -> ApplicationSummary:
    return ApplicationSummary(
        id=app.id, plan_id=app.plan_id, plan_year=app.plan_year, plan_name=app.plan_name, series=app.series,
        form=app.form, form_name=FORMS.get(app.form, app.form), major=app.major, title=app.title, level=app.level,
        level_name=LEVELS.get(app.level, app.level), has_interview=bool(plan and plan.has_interview),
        start_date=plan.start_date if plan else None, end_date=plan.end_date if plan else None,
        status=app.status, version=app.version, status_label=status_label(app),
        actions=states.actions(app.status), created_at=app.created_at, updated_at=app.updated_at,
        submitted_at=app.submitted_at, stage=app.stage, stage_name=app.stage_name, reason=app.reason)


def status_label(app: Application) -> str:
    """申报状态, with the stage where it waits or that returned it."""
    label = states.STATUS_LABELS.get(app.status, app.status)
    return f"{label}（{app.stage_name}）" if app.stage_name and app.status in ("in_review", "returned", "rejected") \
        else label


def step_out(s: Step) -> StepOut:
    return StepOut(kind=s.kind, kind_label=states.STEP_LABELS.get(s.kind, s.kind), stage=s.stage,
                   stage_name=s.stage_name, party=s.party,
                   party_label=PARTIES.get(s.party, s.party) if s.party else "申报人", actor_name=s.actor_name,
                   acted_for=s.acted_for, reason=s.reason, at=s.at)


def item_out(i: Item) -> ItemOut:
    return ItemOut(id=i.id, section=i.section, position=i.position, entry_id=i.entry_id, entry_version=i.entry_version,
                   type=i.type, type_name=entry_type_name(i.type), title=title_of(i.type, i.fields), fields=i.fields,
                   attachment_ids=i.attachment_ids, approved_at=i.approved_at, highest=i.highest,
                   assessment=i.assessment)


async def full(db: AsyncSession, app: Application, notices: list[str] | None = None) -> ApplicationOut:
    """Everything entered and imported, in page order (the draft's sections and 申报一览表)."""
    plan = await plan_of(db, app.plan_id, known=True)
    items = (await db.scalars(sa.select(Item).where(Item.application_id == app.id)
                              .order_by(Item.section, Item.position))).all()
    by_section: dict[str, list[ItemOut]] = {}
    for i in items:
        by_section.setdefault(i.section, []).append(item_out(i))
    person = db.info.get(PERSONS, {}).get(app.person_id) or await db.get(Person, app.person_id)
    kinds = [AttachmentKindOut(kind=a.kind, name=ATTACHMENT_KINDS.get(a.kind, a.kind), required=a.required,
                               note=a.note) for a in plan.standard.attachments]
    if not any(k.kind == "other" for k in kinds):
        kinds.append(AttachmentKindOut(kind="other", name=ATTACHMENT_KINDS["other"], required=False, note=""))
    teacher = is_teacher(plan)
    steps = (await db.scalars(sa.select(Step).where(Step.application_id == app.id).order_by(Step.at))).all()
    return ApplicationOut(
        **summary(app, plan).model_dump(), unit_id=app.unit_id, unit_name=app.unit_name,
        person=PersonOut(name=person.name if person else "", gender={"male": "男", "female": "女"}.get(
            person.gender, person.gender) if person else None, birth_date=person.birth_date if person else None,
            id_number_masked=person.id_number_masked if person else ""),
        majors=plan.majors, profile=app.profile, teacher_profile=app.teacher_profile if teacher else None,
        current_titles=app.current_titles, current_appointments=app.current_appointments, attachment_kinds=kinds,
        attachments=app.attachments, extra_sections=[app.form] if app.form in EXTRA_FORMS else [],
        extra=app.extra, notices=notices or [], steps=[step_out(x) for x in steps],
        sections=[SectionOut(**s._asdict(), items=by_section.get(s.code, [])) for s in sections_of(plan)])


def entry_types_named(types: list[str]) -> str:
    return "、".join(ENTRY_TYPES[t].name if t in ENTRY_TYPES else t for t in types)


async def checked(db: AsyncSession, person: Principal, application_id: uuid.UUID) -> ChecksOut:
    """开始检测: the draft as the checks read it, and what they found."""
    app = await owned(db, person, application_id)
    return await _run_checks(db, person, app, await plan_of(db, app.plan_id, known=True))


async def submit(db: AsyncSession, person: Principal, application_id: uuid.UUID, if_match: str | None) -> Application:
    """提交审核 (again, after 退回修改): the same checks again (a client that never asked for 开始检测
    meets them here), then the plan's first stage — or, when the plan says so, the stage that
    returned it. The row lock and the state table make a double click submit once."""
    app = await for_change(db, person, application_id, if_match, action="submit")
    plan = await plan_of(db, app.plan_id, known=True)
    result = await _run_checks(db, person, app, plan)
    if not result.ok:
        failed = [f for f in result.findings if not f.ok]
        raise AppError(f"有 {len(failed)} 项检测不符合要求，不能提交：" + "；".join(p for f in failed for p in f.problems),
                       code="checks_failed", status_code=409,
                       errors=[{"field": f.code, "label": f.name, "message": "；".join(f.problems)} for f in failed])
    if not plan.stages:
        raise AppError("该评审计划尚未设置审核环节，暂不能提交，请联系组建单位", code="no_stages", status_code=409)
    unit = await db.get(Unit, app.unit_id)
    if unit is None and any(s.party == "department" for s in plan.stages):
        raise AppError("单位信息正在同步，请稍后再提交", code="unit_syncing", status_code=503)
    returned = app.status == "returned"
    app.status = states.move("submit", app.status)
    place_at(app, plan, app.stage if returned and plan.resubmit_from == "returning"
             and (app.stage or 0) < len(plan.stages) else 0)
    app.department_code = unit.department_code if unit else None
    app.reason = ""
    app.submitted_at = dt.datetime.now(dt.UTC)
    app.version += 1
    app.updated_at = app.submitted_at
    db.add(Step(id=uuid.uuid4(), application_id=app.id, kind="submitted", stage=app.stage, stage_name=app.stage_name,
                party=None, actor_id=person.id, actor_name=(person.name or "申报人")[:100], acted_for=app.unit_name,
                reason="", at=app.submitted_at))
    await db.flush()
    whole = await full(db, app)
    await record_event(db, PRODUCER, app.id, ApplicationSubmitted(
        **facts(app), stage=app.stage, stage_name=app.stage_name, application=whole.model_dump(mode="json")))
    return app


def place_at(app: Application, plan: PlanSnapshot, index: int) -> None:
    """The application now waits at the plan's stage ``index``."""
    stage = plan.stages[index]
    app.stage, app.stage_id, app.stage_name, app.stage_party = index, stage.id, stage.name, stage.party


async def _run_checks(db: AsyncSession, person: Principal, app: Application, plan: PlanSnapshot) -> ChecksOut:
    items: dict[str, list[dict]] = {}
    rows = await db.execute(sa.select(Item.section, Item.fields, Item.highest, Item.assessment)
                            .where(Item.application_id == app.id).order_by(Item.position))
    for section, fields, highest, assessment in rows:  # columns, not entities: no ORM bookkeeping for 200 rows
        items.setdefault(section, []).append({"fields": fields, "highest": highest, "assessment": assessment})
    membership = await db.get(Membership, person.id)
    now_day = today()
    ban = await active_ban(db, person.id, now_day)
    draft = checks.Draft(
        form=app.form, level=app.level, profile=app.profile,
        teacher_profile=app.teacher_profile if is_teacher(plan) else None,
        current_titles=app.current_titles, attachments=app.attachments, extra=app.extra, items=items, plan=plan,
        bound=bool(membership and membership.active), ban_until=ban.ban_until if ban else None,
        today=now_day, returned=app.status == "returned", sections=[(s.code, f"{s.group} · {s.name}" if s.group else s.name, s.min_count, s.max_count)
                  for s in sections_of(plan)])
    findings = checks.run_checks(draft)
    return ChecksOut(ok=all(f.ok for f in findings), findings=[FindingOut(**vars(f)) for f in findings])
