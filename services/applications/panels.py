"""专家遴选: the organiser's administrators draw a plan's 评委会 panel at random from their pool.

Candidates: the pool's active experts of the plan's series with at least one of the plan's majors,
sorted by person id. 回避: an expert who applied to the same plan is not a candidate (本计划申报人);
an expert of an applicant's unit does not review that application (同单位). The draw is
``random.Random(seed).sample(candidates, panel + reserves)``: the first ``panel_size`` sit on the
panel, the rest are reserves, in draw order. The seed comes from ``secrets`` and is kept with the
candidates and exclusions, so anyone can draw again from the record and get the same panel.

Who reviews an application (``assigned``): the panel members not of the applicant's unit, and for
each member so excluded the next reserve in draw order who is not of that unit either — each
application keeps ``panel_size`` reviewers while reserves last. Units are those the record took at
the draw, so the assignment never changes afterwards. The panel is drawn once per plan."""
from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications.interviews import future_time, own_plan
from services.applications.models import Application, Committee, Expert, Person
from services.applications.schemas import DrawIn
from shared.auth import Principal
from shared.errors import AppError, Conflict, InvalidField
from shared.events.catalogue import PlanSnapshot, ReviewStage

EXCLUDED_APPLICANT = "本计划申报人"
EXCLUDED_UNIT = "同单位"


def draw(candidates: list[str], seed: str, panel_size: int, reserve_count: int) -> tuple[list[str], list[str]]:
    """The panel and its reserves, in draw order: the same sorted candidates and seed, the same draw."""
    picked = random.Random(seed).sample(sorted(candidates), panel_size + reserve_count)
    return picked[:panel_size], picked[panel_size:]


def assigned(panel: list[str], reserves: list[str], units: dict[str, str], applicant_unit: str) -> list[str]:
    """The experts who review an application of ``applicant_unit`` (回避: none of that unit)."""
    members = [p for p in panel if units.get(p) != applicant_unit]
    spare = [r for r in reserves if units.get(r) != applicant_unit]
    return members + spare[:len(panel) - len(members)]


def shortfall(panel: list[str], reserves: list[str], units: dict[str, str], applicant_units: set[str]) -> int:
    """How many more reserves (of none of those units) the draw would need for every application of
    ``applicant_units`` to keep ``len(panel)`` reviewers after 回避."""
    return max((len(panel) - len(assigned(panel, reserves, units, u)) for u in applicant_units), default=0)


def assigned_to(committee: Committee, app: Application) -> list[str]:
    units = {c["person_id"]: c["unit_id"] for c in committee.candidates}
    return assigned(committee.panel, committee.reserves, units, str(app.unit_id))


def committee_stage(plan: PlanSnapshot) -> ReviewStage | None:
    """The plan's 评委会 stage (the first, should a plan have two)."""
    return next((s for s in plan.stages if s.party == "committee"), None)


def matching(plan: PlanSnapshot) -> sa.Select:
    """The active experts of the organiser's pool for the plan's series and majors."""
    return sa.select(Expert).where(Expert.organizer_id == plan.organizer_id, Expert.active,
                                   Expert.series == plan.series,
                                   sa.or_(*[Expert.majors.contains([m]) for m in plan.majors]) if plan.majors
                                   else sa.false()).order_by(Expert.person_id)


def waiting_at(committee_or_plan: Committee | PlanSnapshot, stage_id: uuid.UUID) -> sa.Select:
    """The applications waiting at the plan's 评委会 stage, in id order (the order of the close's locks)."""
    plan_id = committee_or_plan.plan_id if isinstance(committee_or_plan, Committee) else committee_or_plan.id
    return (sa.select(Application).where(Application.plan_id == plan_id, Application.status == "in_review",
                                         Application.stage_id == stage_id).order_by(Application.id))


async def make(db: AsyncSession, principal: Principal, plan_id: uuid.UUID, data: DrawIn) -> Committee:
    """Configure and draw, once: a plan with a drawn panel refuses a second draw."""
    plan = await own_plan(db, principal, plan_id)
    stage = committee_stage(plan)
    if stage is None:
        raise Conflict("该评审计划没有评委会评审环节，无需遴选专家", code="no_committee_stage")
    if data.panel_size % 2 == 0 or data.panel_size < 3:
        raise InvalidField("panel_size", "评委人数应为不少于 3 的奇数（表决需要明确的多数）")
    deadline = future_time(data.deadline, "deadline", "表决截止时间")
    # Taken before the check, so two administrators drawing at once draw once.
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(f"committee:{plan.id}"))))
    if await db.get(Committee, plan.id) is not None:
        raise Conflict("该评审计划已遴选专家，不能重新抽取", code="already_drawn")
    experts = list(await db.scalars(matching(plan)))
    applicants = set(await db.scalars(sa.select(Application.person_id).where(Application.plan_id == plan.id)))
    exclusions: list[dict[str, Any]] = [
        {"person_id": str(e.person_id), "name": e.name, "reason": EXCLUDED_APPLICANT, "application_id": None,
         "applicant": ""} for e in experts if e.person_id in applicants]
    candidates = [{"person_id": str(e.person_id), "name": e.name, "unit_id": str(e.unit_id),
                   "unit_name": e.unit_name} for e in experts if e.person_id not in applicants]
    needed = data.panel_size + data.reserve_count
    if len(candidates) < needed:
        raise AppError(f"符合条件的在库专家不足：需要 {needed} 名（评委 {data.panel_size} 名、候补 {data.reserve_count} 名），"
                       f"现有 {len(candidates)} 名，还差 {needed - len(candidates)} 名。请先在评委专家库中导入或启用专家",
                       code="pool_too_small", status_code=409)
    seed = secrets.token_hex(16)
    panel, reserves = draw([c["person_id"] for c in candidates], seed, data.panel_size, data.reserve_count)
    committee = Committee(plan_id=plan.id, organizer_id=plan.organizer_id, stage_id=stage.id,
                          panel_size=data.panel_size, reserve_count=data.reserve_count, deadline=deadline, seed=seed,
                          candidates=candidates, exclusions=exclusions, panel=panel, reserves=reserves,
                          drawn_at=dt.datetime.now(dt.UTC), drawn_by_id=principal.id,
                          drawn_by=principal.acting_name[:100], closed_by="")
    # 同单位 of the applications waiting now, for the record (the rule itself is ``assigned``).
    by_id = {c["person_id"]: c for c in candidates}
    drawn = panel + reserves
    waiting = (await db.execute(sa.select(Application, Person.name).join(
        Person, Person.id == Application.person_id, isouter=True).where(
        Application.id.in_(waiting_at(plan, stage.id).with_only_columns(Application.id))))).all()
    missing = shortfall(panel, reserves, {c["person_id"]: c["unit_id"] for c in candidates},
                        {str(app.unit_id) for app, _ in waiting})
    if missing:  # nothing is kept: the administrator adds reserves and draws again
        raise AppError(f"回避后评委不足：抽中的专家中有与申报人同单位者，部分申报只剩 {data.panel_size - missing} 名评委"
                       f"（应为 {data.panel_size} 名），还需要 {missing} 名其他单位的候补专家。"
                       f"请增加候补人数（reserve_count）后重新抽取", code="panel_short_after_avoidance",
                       status_code=409)
    for app, name in waiting:
        for expert in drawn:
            if by_id[expert]["unit_id"] == str(app.unit_id):
                exclusions.append({"person_id": expert, "name": by_id[expert]["name"], "reason": EXCLUDED_UNIT,
                                   "application_id": str(app.id), "applicant": f"{name or ''}（{app.unit_name}）"})
    db.add(committee)
    await db.flush()
    return committee
