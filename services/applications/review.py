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

from services.applications import certificates, drafts, files, notices, states
from services.applications.models import (
    Application,
    Committee,
    DepartmentStaff,
    Person,
    Plan,
    StageAssignee,
    Step,
    Unit,
)
from services.applications.schemas import (
    BatchDecisionIn,
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
from shared.schemas import BatchResult, Paged
from shared.vocabulary import ASSIGNABLE_PARTIES, FORMS, LEVELS, PARTIES


@dataclass(frozen=True)
class Desks:
    """The scopes a principal decides over, read at each request."""

    me: uuid.UUID | None  # a person never decides their own application
    units: frozenset[uuid.UUID]
    departments: dict[str, str]  # code → name
    stages: frozenset[tuple[uuid.UUID, uuid.UUID]]  # (plan, stage)

    def _scopes(self) -> list[sa.ColumnElement[bool]]:
        scopes = []
        if self.units:
            scopes.append(sa.and_(Application.stage_party == "unit", Application.unit_id.in_(self.units)))
        if self.departments:
            scopes.append(sa.and_(Application.stage_party == "department",
                                  Application.department_code.in_(list(self.departments))))
        if self.stages:
            scopes.append(sa.and_(Application.stage_party.in_(ASSIGNABLE_PARTIES),
                                  sa.tuple_(Application.plan_id, Application.stage_id).in_(list(self.stages))))
        return scopes

    def waiting(self) -> sa.ColumnElement[bool]:
        """Applications waiting at a stage these desks decide (never the decider's own)."""
        scopes = self._scopes()
        return sa.and_(Application.status == "in_review", sa.or_(*scopes) if scopes else sa.false(),
                       *([Application.person_id != self.me] if self.me else []))

    def seen(self) -> sa.ColumnElement[bool]:
        """What the desks may open (SQL of ``sees``)."""
        scopes = [Application.unit_id.in_(self.units), Application.department_code.in_(list(self.departments)),
                  Application.plan_id.in_({p for p, _ in self.stages})]
        return sa.and_(Application.status != "draft", sa.or_(*scopes))

    def decides(self, app: Application) -> bool:
        if app.status != "in_review" or app.person_id == self.me:
            return False
        if app.stage_party == "unit":
            return app.unit_id in self.units
        if app.stage_party == "department":
            return app.department_code in self.departments
        return app.stage_party in ASSIGNABLE_PARTIES and (app.plan_id, app.stage_id) in self.stages

    def sees(self, app: Application) -> bool:
        """A unit and a department see every submitted application of their applicants; a plan's
        assignees those of the plan. A removal ends it at once (nothing is kept for past deciders)."""
        return app.status != "draft" and (app.unit_id in self.units or app.department_code in self.departments
                                          or any(app.plan_id == p for p, _ in self.stages))


async def desks_of(db: AsyncSession, principal: Principal) -> Desks:
    if principal.kind != "person":  # a unit's legal-person account decides for its unit only
        return Desks(None, principal.reviewed_units, {}, frozenset())
    staff = (await db.scalars(sa.select(DepartmentStaff).where(DepartmentStaff.person_id == principal.id,
                                                               DepartmentStaff.active))).all()
    assigned = (await db.execute(sa.select(StageAssignee.plan_id, StageAssignee.stage_id)
                                 .where(StageAssignee.person_id == principal.id, StageAssignee.active))).all()
    return Desks(principal.id, principal.reviewed_units, {s.department_code: s.department_name for s in staff},
                 frozenset((p, s) for p, s in assigned))


async def desks(db: AsyncSession, principal: Principal) -> list[DeskOut]:
    """工作台: each scope with how many applications wait there (one grouped count)."""
    d = await desks_of(db, principal)
    if not (d.units or d.departments or d.stages):  # most people decide nowhere: nothing to count
        return []
    counts: dict[object, int] = {}
    for party, unit_id, code, plan_id, stage_id, n in (await db.execute(
            sa.select(Application.stage_party, Application.unit_id, Application.department_code, Application.plan_id,
                      Application.stage_id, sa.func.count()).where(d.waiting())
            .group_by(Application.stage_party, Application.unit_id, Application.department_code,
                      Application.plan_id, Application.stage_id))).all():
        key = unit_id if party == "unit" else code if party == "department" else (plan_id, stage_id)
        counts[key] = counts.get(key, 0) + n
    names = dict((await db.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(d.units))))
                 .all()) if d.units else {}
    out = [DeskOut(party="unit", party_label=PARTIES["unit"], scope=names.get(u, "本单位"), waiting=counts.get(u, 0))
           for u in sorted(d.units, key=lambda u: names.get(u, ""))]
    out += [DeskOut(party="department", party_label=PARTIES["department"], scope=name,
                    waiting=counts.get(code, 0)) for code, name in sorted(d.departments.items())]
    plans = {p.id: PlanSnapshot.model_validate(p.data) for p in (await db.scalars(
        sa.select(Plan).where(Plan.id.in_({p for p, _ in d.stages})))).all()} if d.stages else {}
    for plan_id, stage_id in sorted(d.stages):
        plan = plans.get(plan_id)
        stage = next((s for s in plan.stages if s.id == stage_id), None) if plan else None
        if plan is None or stage is None:
            continue  # a plan still syncing, or a stage edited away
        out.append(DeskOut(party=stage.party, party_label=PARTIES.get(stage.party, stage.party),
                           scope=f"{plan.name} · {stage.name}", waiting=counts.get((plan_id, stage_id), 0)))
    return out


async def queue(db: AsyncSession, principal: Principal, *, view: str, plan_id: uuid.UUID | None, name: str | None,
                offset: int, limit: int, page: int) -> Paged[ReviewItem]:
    """``waiting``: what waits for the caller's decision, oldest submission first; ``decided``: what
    they decided (and may still see), newest first."""
    d = await desks_of(db, principal)
    acted = sa.exists().where(Step.application_id == Application.id, Step.actor_id == principal.id,
                              Step.kind != "submitted")
    where = [d.waiting() if view == "waiting" else sa.and_(acted, d.seen())]
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
        version=a.version, submitted_at=a.submitted_at, can_decide=d.decides(a)) for a, p in rows]
    return Paged(items=items, total=total, page=page, page_size=limit)


async def visible(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                  desks: Desks | None = None, lock: bool = False) -> tuple[Application, Desks]:
    """The application if the caller may see it; "not found" otherwise. ``lock``: locked for a
    decision, once the caller is known to see it."""
    d = desks or await desks_of(db, principal)
    app = await db.get(Application, application_id)
    if app is None or not d.sees(app):
        raise NotFound("未找到该申报记录，或它不在您审核的范围内", code="application_not_found")
    if lock:
        await db.refresh(app, with_for_update=True)
    return app, d


async def read(db: AsyncSession, principal: Principal, application_id: uuid.UUID) -> ReviewOut:
    app, d = await visible(db, principal, application_id)
    whole = await drafts.full(db, app)
    return ReviewOut(**whole.model_dump(), can_decide=d.decides(app))


async def file_links(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                     client: httpx.AsyncClient) -> list[FileLinkOut]:
    """附件一览表 for a decider: short-lived links to the files the application claims (documents
    links only files claimed under the application's ref)."""
    app, _ = await visible(db, principal, application_id)
    return await claimed_links(client, app)


async def claimed_links(client: httpx.AsyncClient, app: Application) -> list[FileLinkOut]:
    """Links to every file the application claims (a committee's experts read them too)."""
    if not app.claimed_files:
        return []
    return [FileLinkOut.model_validate(link) for link in
            await documents.links(client, files.ref(app), list(app.claimed_files))]


async def decide(db: AsyncSession, principal: Principal, application_id: uuid.UUID, data: DecisionIn, *,
                 desks: Desks | None = None, batch: bool = False) -> Application:
    """通过, 退回修改 or 不通过 on the version the decider saw. The row lock serialises deciders, and
    the version makes a repeated decision, or one made on a page older than a resubmission, a
    refusal rather than a second step. At a 评委会 stage the decision is the result (评审通过 /
    未通过); the certificate waits for the 评审结果公示 (notices.py). The unit passes an application
    only after its 单位申报公示 (notices.ensure_noticed)."""
    if data.outcome != "pass" and not data.reason:
        raise InvalidField("reason", "请填写退回修改的理由" if data.outcome == "return" else "请填写不通过的理由")
    app, d = await visible(db, principal, application_id, desks=desks, lock=True)
    if principal.kind == "person" and app.person_id == principal.id:
        raise Forbidden("不能审核本人的申报", code="own_application")
    if app.version != data.version:
        raise Conflict(f"该申报在您打开之后已有变化（当前为「{drafts.status_label(app)}」），可能已经处理过；"
                       "请刷新页面查看最新状态", code="already_decided")
    if not d.decides(app):
        raise Forbidden(f"该申报当前为「{drafts.status_label(app)}」，不在您审核的环节", code="not_stage_decider")
    if app.stage_party == "committee" and await db.scalar(sa.select(sa.literal(True)).where(
            Committee.plan_id == app.plan_id, Committee.stage_id == app.stage_id, Committee.closed_at.is_(None))):
        # Drawn experts decide by their vote (votes.close); a hand decision would void their votes.
        raise Conflict("本计划的评委会环节由抽取的评审专家在线表决，表决结束后按表决结果处理，不能逐件审核",
                       code="committee_voting")
    if batch and data.outcome == "reject" and app.stage_party != "committee":
        raise Forbidden(f"该申报当前为「{drafts.status_label(app)}」：批量不通过只适用于评委会评审环节，"
                        "其他环节请打开申报逐件审核", code="batch_reject_not_committee")
    if data.outcome == "pass" and app.stage_party == "unit":
        await notices.ensure_noticed(db, app)
    plan = await drafts.plan_of(db, app.plan_id, known=True)
    return await conclude(db, app, plan, outcome=data.outcome, reason=data.reason, actor_id=principal.id,
                          actor_name=principal.acting_name, acted_for=_acted_for(app, d, plan))


async def conclude(db: AsyncSession, app: Application, plan: PlanSnapshot, *, outcome: str, reason: str,
                   actor_id: uuid.UUID, actor_name: str, acted_for: str) -> Application:
    """The decision's move, once the caller may make it: the step of the timeline, the next stage
    or the end, the events and the result at a 评委会 stage (the certificate waits for the results'
    公示: notices.issue_certificates). A decider's decision comes here, and so does a committee's
    vote when it closes (votes.close)."""
    stage, stage_name, party = app.stage or 0, app.stage_name or "", app.stage_party
    following = plan.stages[stage + 1] if outcome == "pass" and stage + 1 < len(plan.stages) else None
    action = "approve" if outcome == "pass" and following is None else outcome
    app.status = states.move(action, app.status)
    step = Step(id=uuid.uuid4(), application_id=app.id, kind=states.STEP_OF[action], stage=stage,
                stage_name=stage_name, party=app.stage_party, actor_id=actor_id,
                actor_name=actor_name[:100], acted_for=acted_for[:200], reason=reason,
                at=dt.datetime.now(dt.UTC))
    db.add(step)
    if following is not None:
        drafts.place_at(app, plan, stage + 1)
    app.reason = reason if action in ("return", "reject") else ""
    app.version += 1
    app.updated_at = step.at
    await db.flush()
    facts = {**drafts.facts(app), "decision_id": step.id, "stage": stage, "stage_name": stage_name,
             "decider_id": step.actor_id, "decided_by": step.actor_name, "decided_for": step.acted_for,
             "reason": step.reason}
    if following is not None:
        event = ApplicationStagePassed(**facts, next_stage=stage + 1, next_stage_name=following.name)
    else:
        event = {"approve": ApplicationApproved, "return": ApplicationReturned, "reject": ApplicationRejected}[
            action](**facts)
    await record_event(db, drafts.PRODUCER, app.id, event)
    if action == "approve" or (party == "committee" and action in ("pass", "reject")):
        await certificates.record_result(db, app, plan, stage=stage, passed=action != "reject",
                                         decided_by=step.actor_name, reason=step.reason)
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
    """A long queue decided at once (a 评委会's decision list too, 未通过 included): each application
    in its own savepoint, so one that another decider took meanwhile fails alone and the others are
    decided. Locked in id order, so two overlapping batches wait for each other instead of deadlocking."""
    d = await desks_of(db, principal)
    done: list[uuid.UUID] = []
    failed: dict[str, str] = {}
    for item in sorted({i.application_id: i for i in data.applications}.values(), key=lambda i: i.application_id):
        try:
            async with db.begin_nested():
                await decide(db, principal, item.application_id,
                             DecisionIn(version=item.version, outcome=data.outcome, reason=data.reason), desks=d,
                             batch=True)
            done.append(item.application_id)
        except AppError as exc:
            if isinstance(exc, InvalidField):  # the same for every item: say it once, as a field error
                raise
            # Named, so the decider knows which row it was — unless it is not theirs to see at all.
            name = None if isinstance(exc, NotFound) else await db.scalar(
                sa.select(Person.name).join(Application, Application.person_id == Person.id)
                .where(Application.id == item.application_id))
            failed[str(item.application_id)] = f"{name}：{exc.detail}" if name else exc.detail
    return BatchResult(done=done, failed=failed)
