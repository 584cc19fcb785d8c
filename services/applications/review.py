"""The review of submitted applications: who decides where (their desks), their queues, the
application read-only, and decisions — 通过 (to the next stage), 退回修改, 不通过 — one by one or
in a batch, each recorded as a step of the application's timeline.

Deciders by the party of the stage (shared.vocabulary.PARTIES):
- unit: the 经办人 and the legal-person account of the applicant's unit (the token's ``units``);
- department: the staff of the unit's 主管部门 (units names them; read model DepartmentStaff);
- title_office / organizer / committee: the people the plan's administrators assigned to that
  stage (plans; read model StageAssignee).
Who may decide is read at each request, so a removal takes effect at once."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import drafts, files, states
from services.applications.models import Application, DepartmentStaff, Person, Plan, StageAssignee, Step, Unit
from services.applications.schemas import (
    BatchDecisionIn,
    BatchResult,
    DecisionIn,
    DeskOut,
    FileLinkOut,
    ReviewItem,
    ReviewOut,
)
from shared import documents
from shared.auth import Principal
from shared.errors import AppError, Conflict, Forbidden, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import (
    ApplicationApproved,
    ApplicationRejected,
    ApplicationReturned,
    ApplicationStagePassed,
    PlanSnapshot,
)
from shared.schemas import Paged
from shared.vocabulary import ASSIGNABLE_PARTIES, FORMS, LEVELS, PARTIES


@dataclass(frozen=True)
class Desks:
    """The scopes a principal decides over."""

    units: frozenset[uuid.UUID]
    departments: dict[str, str]  # code → name
    stages: frozenset[tuple[uuid.UUID, uuid.UUID]]  # (plan, stage)

    def waiting(self) -> sa.ColumnElement[bool]:
        """Applications waiting at a stage these desks decide."""
        scopes = []
        if self.units:
            scopes.append(sa.and_(Application.stage_party == "unit", Application.unit_id.in_(self.units)))
        if self.departments:
            scopes.append(sa.and_(Application.stage_party == "department",
                                  Application.department_code.in_(list(self.departments))))
        if self.stages:
            scopes.append(sa.and_(Application.stage_party.in_(ASSIGNABLE_PARTIES),
                                  sa.tuple_(Application.plan_id, Application.stage_id).in_(list(self.stages))))
        return sa.and_(Application.status == "in_review", sa.or_(*scopes) if scopes else sa.false())

    def decides(self, app: Application) -> bool:
        if app.status != "in_review":
            return False
        if app.stage_party == "unit":
            return app.unit_id in self.units
        if app.stage_party == "department":
            return app.department_code in self.departments
        return (app.plan_id, app.stage_id) in self.stages

    def sees(self, app: Application) -> bool:
        """Besides what waits for them: a unit and a department see every submitted application of
        their applicants; a stage's assignees what they decided (``acted``, checked by the caller)."""
        if app.status == "draft":
            return False
        return self.decides(app) or app.unit_id in self.units or app.department_code in self.departments


async def desks_of(db: AsyncSession, principal: Principal) -> Desks:
    if principal.kind != "person":  # a unit's legal-person account decides for its unit only
        return Desks(principal.reviewed_units, {}, frozenset())
    staff = (await db.scalars(sa.select(DepartmentStaff).where(DepartmentStaff.person_id == principal.id,
                                                               DepartmentStaff.active))).all()
    assigned = (await db.execute(sa.select(StageAssignee.plan_id, StageAssignee.stage_id)
                                 .where(StageAssignee.person_id == principal.id, StageAssignee.active))).all()
    return Desks(principal.reviewed_units, {s.department_code: s.department_name for s in staff},
                 frozenset((p, s) for p, s in assigned))


async def desks(db: AsyncSession, principal: Principal) -> list[DeskOut]:
    """工作台: each scope with how many applications wait there."""
    d = await desks_of(db, principal)
    out: list[DeskOut] = []
    if d.units:
        counts = dict((await db.execute(sa.select(Application.unit_id, sa.func.count())
                                        .where(Desks(d.units, {}, frozenset()).waiting())
                                        .group_by(Application.unit_id))).all())
        names = dict((await db.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(d.units)))).all())
        out += [DeskOut(party="unit", party_label=PARTIES["unit"], scope=names.get(u, "本单位"),
                        waiting=counts.get(u, 0)) for u in sorted(d.units, key=lambda u: names.get(u, ""))]
    if d.departments:
        counts = dict((await db.execute(sa.select(Application.department_code, sa.func.count())
                                        .where(Desks(frozenset(), d.departments, frozenset()).waiting())
                                        .group_by(Application.department_code))).all())
        out += [DeskOut(party="department", party_label=PARTIES["department"], scope=name,
                        waiting=counts.get(code, 0)) for code, name in sorted(d.departments.items())]
    if d.stages:
        counts = {(p, s): n for p, s, n in (await db.execute(
            sa.select(Application.plan_id, Application.stage_id, sa.func.count())
            .where(Desks(frozenset(), {}, d.stages).waiting())
            .group_by(Application.plan_id, Application.stage_id))).all()}
        plans = {p.id: PlanSnapshot.model_validate(p.data) for p in (await db.scalars(
            sa.select(Plan).where(Plan.id.in_({p for p, _ in d.stages})))).all()}
        for plan_id, stage_id in sorted(d.stages):
            plan = plans.get(plan_id)
            stage = next((s for s in plan.stages if s.id == stage_id), None) if plan else None
            if plan is None or stage is None:
                continue  # a plan still syncing, or a stage edited away
            out.append(DeskOut(party=stage.party, party_label=PARTIES.get(stage.party, stage.party),
                               scope=f"{plan.name} · {stage.name}", waiting=counts.get((plan_id, stage_id), 0)))
    return out


def _acted_by(principal: Principal) -> sa.ColumnElement[bool]:
    return sa.exists().where(Step.application_id == Application.id, Step.actor_id == principal.id,
                             Step.party.is_not(None))


async def queue(db: AsyncSession, principal: Principal, *, view: str, plan_id: uuid.UUID | None, name: str | None,
                offset: int, limit: int, page: int) -> Paged[ReviewItem]:
    """``waiting``: what waits for the caller's decision, oldest submission first; ``decided``: what
    they decided, newest first."""
    d = await desks_of(db, principal)
    where = [d.waiting() if view == "waiting" else _acted_by(principal)]
    if plan_id:
        where.append(Application.plan_id == plan_id)
    query = sa.select(Application, Person).join(Person, Person.id == Application.person_id, isouter=True)
    if name:
        where.append(Person.name.contains(name, autoescape=True))
    total = await db.scalar(sa.select(sa.func.count()).select_from(query.where(*where).subquery())) or 0
    order = (Application.submitted_at.asc() if view == "waiting" else Application.updated_at.desc(), Application.id)
    rows = (await db.execute(query.where(*where).order_by(*order).offset(offset).limit(limit))).all()
    items = [ReviewItem(
        id=a.id, person_name=p.name if p else "", id_number_masked=p.id_number_masked if p else "",
        unit_name=a.unit_name, plan_id=a.plan_id, plan_name=a.plan_name, plan_year=a.plan_year,
        form_name=FORMS.get(a.form, a.form), major=a.major, title=a.title, level_name=LEVELS.get(a.level, a.level),
        status=a.status, status_label=drafts.status_label(a), stage=a.stage, stage_name=a.stage_name,
        submitted_at=a.submitted_at, can_decide=d.decides(a) and a.person_id != principal.id) for a, p in rows]
    return Paged(items=items, total=total, page=page, page_size=limit)


async def visible(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                  lock: bool = False) -> tuple[Application, Desks]:
    """The application if the caller decides it now or may see it; "not found" otherwise."""
    query = sa.select(Application).where(Application.id == application_id)
    app = await db.scalar(query.with_for_update() if lock else query)
    d = await desks_of(db, principal)
    if app is not None and (d.sees(app) or await db.scalar(
            sa.select(sa.exists().where(Step.application_id == app.id, Step.actor_id == principal.id,
                                        Step.party.is_not(None))))):
        return app, d
    raise NotFound("未找到该申报记录，或它不在您审核的范围内", code="application_not_found")


async def read(db: AsyncSession, principal: Principal, application_id: uuid.UUID) -> ReviewOut:
    app, d = await visible(db, principal, application_id)
    whole = await drafts.full(db, app)
    return ReviewOut(**whole.model_dump(), can_decide=d.decides(app) and app.person_id != principal.id,
                     id_number_masked=whole.person.id_number_masked)


async def file_links(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                     client: httpx.AsyncClient) -> list[FileLinkOut]:
    """附件一览表 for a decider: short-lived links to the files the application claims (documents
    links only files claimed under the application's ref)."""
    app, _ = await visible(db, principal, application_id)
    if not app.claimed_files:
        return []
    return [FileLinkOut.model_validate(link) for link in
            await documents.links(client, files.ref(app), list(app.claimed_files))]


async def decide(db: AsyncSession, principal: Principal, application_id: uuid.UUID, data: DecisionIn) -> Application:
    """通过, 退回修改 or 不通过 at the stage the decider saw. The row lock serialises deciders, and the
    stage named in the request makes a repeated or stale decision a refusal, not a second step."""
    if data.outcome != "pass" and not data.reason:
        raise InvalidField("reason", "请填写退回修改的理由" if data.outcome == "return" else "请填写不通过的理由")
    app, d = await visible(db, principal, application_id, lock=True)
    if principal.kind == "person" and app.person_id == principal.id:
        raise Forbidden("不能审核本人的申报", code="own_application")
    if app.status != "in_review" or app.stage != data.stage:
        now = drafts.status_label(app)
        raise Conflict(f"该申报当前为「{now}」，已不在您看到的审核环节，可能已由他人处理；请刷新页面查看",
                       code="already_decided")
    if not d.decides(app):
        raise Forbidden(f"您不是「{app.stage_name}」环节的审核人，不能处理该申报", code="not_stage_decider")
    plan = await drafts.plan_of(db, app.plan_id, known=True)
    stage, stage_name, party = app.stage, app.stage_name or "", app.stage_party or ""
    app.status = states.move(data.outcome, app.status)
    step = Step(id=uuid.uuid4(), application_id=app.id, kind={"pass": "passed", "return": "returned",
                                                              "reject": "rejected"}[data.outcome],
                stage=stage, stage_name=stage_name, party=party, actor_id=principal.id,
                actor_name=principal.acting_name[:100], acted_for=_acted_for(app, d, plan)[:200],
                reason=data.reason if data.outcome != "pass" else "", at=dt.datetime.now(dt.UTC))
    db.add(step)
    following = plan.stages[stage + 1] if data.outcome == "pass" and stage + 1 < len(plan.stages) else None
    if following is not None:
        drafts.place_at(app, plan, stage + 1)
    elif data.outcome == "pass":
        app.status = "approved"
    app.version += 1
    app.updated_at = step.at
    await db.flush()
    facts = {**drafts.facts(app), "decision_id": step.id, "stage": stage, "stage_name": stage_name,
             "decider_id": step.actor_id, "decided_by": step.actor_name, "decided_for": step.acted_for,
             "reason": step.reason}
    if following is not None:
        event = ApplicationStagePassed(**facts, next_stage=stage + 1, next_stage_name=following.name)
    else:
        event = {"pass": ApplicationApproved, "return": ApplicationReturned,
                 "reject": ApplicationRejected}[data.outcome](**facts)
    await record_event(db, drafts.PRODUCER, app.id, event)
    return app


def _acted_for(app: Application, d: Desks, plan: PlanSnapshot) -> str:
    """In whose name the decision is made: the unit, the department, or the stage's body."""
    if app.stage_party == "unit":
        return app.unit_name
    if app.stage_party == "department":
        return d.departments.get(app.department_code or "", "") or PARTIES["department"]
    stage = plan.stages[app.stage] if app.stage is not None and app.stage < len(plan.stages) else None
    return (stage.party_name if stage else "") or PARTIES.get(app.stage_party or "", "") or plan.organizer_name


async def decide_batch(db: AsyncSession, principal: Principal, data: BatchDecisionIn) -> BatchResult:
    """A long queue decided at once: each application in its own savepoint, so one that another
    decider took meanwhile fails alone and the others are decided."""
    done: list[uuid.UUID] = []
    failed: dict[str, str] = {}
    for item in data.items:
        try:
            async with db.begin_nested():
                await decide(db, principal, item.application_id,
                             DecisionIn(stage=item.stage, outcome=data.outcome, reason=data.reason))
            done.append(item.application_id)
        except AppError as exc:
            if isinstance(exc, InvalidField):  # the same for every item: say it once, as a field error
                raise
            failed[str(item.application_id)] = exc.detail
    return BatchResult(done=done, failed=failed)
