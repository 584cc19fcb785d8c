"""评审表决: the experts drawn for a plan's 评委会 (panels.py) review the applications assigned to
them, read-only, write an opinion and vote 同意 / 不同意 / 弃权 until the voting deadline; a vote
may be changed until then. Before the vote closes an expert sees only their own vote, and the
organiser's administrators only how many voted.

After the deadline an administrator closes the vote. Each application waiting at the 评委会 stage
passes when 同意 reaches two thirds of the experts who took part (a vote cast; 弃权 takes part): 5
of 7 pass, 4 of 7 fail. The result takes the review's own path (review.conclude, as a decision of
the stage: 通过 to the next stage or, at the last, 审核通过 with the certificate; 不通过 final), with
the tally as the step's reason. An application nobody voted on stays at the stage for the stage's
deciders. The tally and every vote are kept for the record, and shown from then on."""
from __future__ import annotations

import datetime as dt
import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications import drafts, panels, review
from services.applications.interviews import own_plan
from services.applications.models import Application, Committee, Expert, Person, Plan, Tally, Vote
from services.applications.schemas import (
    CastVote,
    CommitteeOut,
    Exclusion,
    FileLinkOut,
    PanelApplication,
    PanelMember,
    TallyOut,
    VoteIn,
    VoteItem,
    VoteSheetOut,
)
from shared.auth import Principal
from shared.errors import Conflict, NotFound
from shared.events.catalogue import PlanSnapshot
from shared.vocabulary import LEVELS, SERIES, VOTE_CHOICES


def tally(choices: list[str]) -> TallyOut:
    """Two thirds of those who took part (弃权 takes part) must agree; nobody voting decides nothing."""
    agree, disagree, abstain = (choices.count(c) for c in VOTE_CHOICES)
    participants = agree + disagree + abstain
    passed = agree * 3 >= participants * 2 if participants else None
    verdict = {True: "通过", False: "未通过", None: "无人表决，未作出结论"}[passed]
    return TallyOut(agree=agree, disagree=disagree, abstain=abstain, participants=participants, passed=passed,
                    text=f"评委会表决：同意 {agree} 票，不同意 {disagree} 票，弃权 {abstain} 票"
                         f"（参加表决 {participants} 人，同意票须达三分之二）：{verdict}")


def _kept(t: Tally) -> TallyOut:
    return tally(["agree"] * t.agree + ["disagree"] * t.disagree + ["abstain"] * t.abstain)


def _cast(v: Vote) -> CastVote:
    return CastVote(expert_name=v.expert_name, choice=v.choice, choice_label=VOTE_CHOICES[v.choice], opinion=v.opinion,
                    voted_at=v.voted_at)


def _open(committee: Committee) -> bool:
    return committee.closed_at is None and dt.datetime.now(dt.UTC) <= committee.deadline


def _at_stage(committee: Committee, app: Application) -> bool:
    return app.status == "in_review" and app.stage_id == committee.stage_id


# --- the experts' ---------------------------------------------------------------------------------
async def _mine(db: AsyncSession, principal: Principal) -> list[Committee]:
    """The committees the person sits on (panel or reserve)."""
    if principal.kind != "person":
        return []
    me = [str(principal.id)]
    return list(await db.scalars(sa.select(Committee).where(
        sa.or_(Committee.panel.contains(me), Committee.reserves.contains(me)))))


async def _items(db: AsyncSession, principal: Principal, committee: Committee, plan_name: str,
                 application_id: uuid.UUID | None = None) -> list[tuple[VoteItem, Application]]:
    """The applications assigned to the person: those waiting at the stage and, once closed, those
    the vote decided (with a tally kept)."""
    decided = sa.select(Tally.application_id).where(Tally.plan_id == committee.plan_id)
    query = (sa.select(Application, Person.name, Vote, Tally)
             .join(Person, Person.id == Application.person_id, isouter=True)
             .join(Vote, sa.and_(Vote.application_id == Application.id, Vote.expert_id == principal.id), isouter=True)
             .join(Tally, Tally.application_id == Application.id, isouter=True)
             .where(Application.plan_id == committee.plan_id, Application.person_id != principal.id,
                    sa.or_(sa.and_(Application.status == "in_review", Application.stage_id == committee.stage_id),
                           Application.id.in_(decided)))
             .order_by(Application.submitted_at, Application.id))
    if application_id is not None:
        query = query.where(Application.id == application_id)
    out = []
    for app, name, vote, kept in (await db.execute(query)).all():
        if str(principal.id) not in panels.assigned_to(committee, app):
            continue
        out.append((VoteItem(
            application_id=app.id, plan_id=app.plan_id, plan_name=plan_name, person_name=name or "",
            unit_name=app.unit_name, major=app.major, title=app.title, level_name=LEVELS.get(app.level, app.level),
            deadline=committee.deadline, closed=committee.closed_at is not None,
            can_vote=_open(committee) and _at_stage(committee, app),
            my_choice=vote.choice if vote else None, my_choice_label=VOTE_CHOICES[vote.choice] if vote else None,
            tally=_kept(kept) if kept and committee.closed_at else None), app))
    return out


async def _plan_names(db: AsyncSession, plan_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = (await db.execute(sa.select(Plan.id, Plan.data["name"].astext).where(Plan.id.in_(plan_ids)))).all()
    return dict(rows)  # type: ignore[arg-type]


async def assignments(db: AsyncSession, principal: Principal) -> list[VoteItem]:
    """评审表决: what the person reviews, open votes first."""
    out: list[VoteItem] = []
    if not (committees := await _mine(db, principal)):
        return out
    names = await _plan_names(db, [c.plan_id for c in committees])
    for committee in sorted(committees, key=lambda c: (c.closed_at is not None, c.deadline)):
        out += [item for item, _ in await _items(db, principal, committee, names.get(committee.plan_id, ""))]
    return out


async def _assignment(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                      lock: bool = False) -> tuple[VoteItem, Application, Committee]:
    """The application if it is assigned to the person, or "not found" (to anyone else it is not there)."""
    app = await db.get(Application, application_id)
    committee = await db.get(Committee, app.plan_id, with_for_update=lock and {"read": True}) if app else None
    if app is None or committee is None or principal.kind != "person" or (
            str(principal.id) not in committee.panel + committee.reserves):
        raise NotFound("未找到该申报，或它不在分配给您评审的范围内", code="application_not_found")
    names = await _plan_names(db, [committee.plan_id])
    found = await _items(db, principal, committee, names.get(committee.plan_id, ""), application_id)
    if not found:
        raise NotFound("未找到该申报，或它不在分配给您评审的范围内", code="application_not_found")
    item, app = found[0]
    return item, app, committee


async def sheet(db: AsyncSession, principal: Principal, application_id: uuid.UUID) -> VoteSheetOut:
    item, app, committee = await _assignment(db, principal, application_id)
    mine = await db.get(Vote, (app.id, principal.id))
    everyone = []
    if committee.closed_at is not None:  # nobody sees another's vote before the close
        everyone = [_cast(v) for v in await db.scalars(sa.select(Vote).where(Vote.application_id == app.id)
                                                       .order_by(Vote.expert_name, Vote.expert_id))]
    return VoteSheetOut(application=await drafts.full(db, app), item=item, opinion=mine.opinion if mine else "",
                        votes=everyone)


async def sheet_files(db: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                      client: httpx.AsyncClient) -> list[FileLinkOut]:
    """附件一览表 for an assigned expert (short-lived links, as the deciders have them)."""
    _, app, _ = await _assignment(db, principal, application_id)
    return await review.claimed_links(client, app)


async def vote(db: AsyncSession, principal: Principal, application_id: uuid.UUID, data: VoteIn) -> VoteSheetOut:
    """Cast or change a vote. The committee row is read FOR SHARE, so a close (FOR UPDATE) waits
    for votes in flight and no vote lands after it."""
    item, app, committee = await _assignment(db, principal, application_id, lock=True)
    if committee.closed_at is not None:
        raise Conflict("表决已结束，不能再表决或修改", code="vote_closed")
    if dt.datetime.now(dt.UTC) > committee.deadline:
        raise Conflict("已过表决截止时间，不能再表决或修改", code="vote_deadline_passed")
    if not item.can_vote:
        raise Conflict(f"该申报当前为「{drafts.status_label(app)}」，已不在评委会评审环节", code="not_at_committee")
    expert_name = await db.scalar(sa.select(Expert.name).where(Expert.organizer_id == committee.organizer_id,
                                                                Expert.person_id == principal.id))
    values = {"choice": data.choice, "opinion": data.opinion, "voted_at": dt.datetime.now(dt.UTC),
              "plan_id": app.plan_id, "expert_name": (expert_name or principal.acting_name)[:50]}
    await db.execute(pg.insert(Vote).values(application_id=app.id, expert_id=principal.id, **values)
                     .on_conflict_do_update(index_elements=[Vote.application_id, Vote.expert_id], set_=values))
    return await sheet(db, principal, application_id)


# --- the organiser's administrators -----------------------------------------------------------
async def committee_view(db: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> CommitteeOut:
    """专家遴选 of a plan: how many experts match, and once drawn the record, the applications with
    their reviewers and how many voted; once closed, each tally and vote. An administrator who
    applied to the plan does not see their own application there (nor who reviews it)."""
    plan = await own_plan(db, principal, plan_id)
    stage = panels.committee_stage(plan)
    count = await db.scalar(sa.select(sa.func.count()).select_from(panels.matching(plan).subquery())) or 0
    committee = await db.get(Committee, plan.id)
    base = {"plan_id": plan.id, "plan_name": plan.name, "series_name": SERIES.get(plan.series, plan.series),
            "majors": plan.majors, "stage_name": stage.name if stage else "", "matching": count}
    if committee is None:
        return CommitteeOut(**base, drawn=False, panel_size=None, reserve_count=None, deadline=None, seed=None,
                            drawn_at=None, drawn_by=None, candidates=[], exclusions=[], members=[], closed_at=None,
                            closed_by="", can_close=False, why_not_close="尚未遴选专家" if stage else
                            "该评审计划没有评委会评审环节", applications=[])
    by_id = {c["person_id"]: c for c in committee.candidates}
    members = [PanelMember(person_id=p, name=by_id[p]["name"], unit_name=by_id[p]["unit_name"], reserve=p in
                           committee.reserves) for p in committee.panel + committee.reserves]
    rows = []
    decided = sa.select(Tally.application_id).where(Tally.plan_id == plan.id)
    apps = (await db.execute(sa.select(Application, Person.name, Tally).join(
        Person, Person.id == Application.person_id, isouter=True).join(
        Tally, Tally.application_id == Application.id, isouter=True).where(
        Application.plan_id == plan.id, Application.person_id != principal.id,
        sa.or_(sa.and_(Application.status == "in_review", Application.stage_id == committee.stage_id),
               Application.id.in_(decided)))
        .order_by(Application.submitted_at, Application.id))).all()
    votes: dict[uuid.UUID, list[Vote]] = {}
    for v in await db.scalars(sa.select(Vote).where(Vote.plan_id == plan.id).order_by(Vote.expert_name)):
        votes.setdefault(v.application_id, []).append(v)
    for app, name, kept in apps:
        closed = committee.closed_at is not None
        reviewers = panels.assigned_to(committee, app)
        # Only the assigned reviewers' votes count (as at the close): a vote of an expert no longer
        # assigned (the applicant changed unit) is neither counted nor shown.
        counted = [v for v in votes.get(app.id, []) if str(v.expert_id) in reviewers]
        rows.append(PanelApplication(
            application_id=app.id, person_name=name or "", unit_name=app.unit_name, major=app.major, title=app.title,
            status_label=drafts.status_label(app), assigned=[by_id[p]["name"] for p in reviewers],
            voted=len(counted), tally=_kept(kept) if kept and closed else None,
            votes=[_cast(v) for v in counted] if closed else []))
    own = {str(i) for i in await db.scalars(sa.select(Application.id).where(Application.plan_id == plan.id,
                                                                             Application.person_id == principal.id))}
    why = ("表决已结束" if committee.closed_at else
           "表决截止时间之前不能结束表决" if dt.datetime.now(dt.UTC) <= committee.deadline else "")
    return CommitteeOut(**base, drawn=True, panel_size=committee.panel_size, reserve_count=committee.reserve_count,
                        deadline=committee.deadline, seed=committee.seed, drawn_at=committee.drawn_at,
                        drawn_by=committee.drawn_by, candidates=committee.candidates,
                        exclusions=[Exclusion.model_validate(e) for e in committee.exclusions
                                    if e["application_id"] not in own], members=members,
                        closed_at=committee.closed_at, closed_by=committee.closed_by, can_close=not why,
                        why_not_close=why, applications=rows)


async def close(db: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> CommitteeOut:
    """结束表决: after the deadline, once. Every application waiting at the stage is counted and
    decided in the same transaction (locked in id order), or none is."""
    plan: PlanSnapshot = await own_plan(db, principal, plan_id)
    committee = await db.get(Committee, plan.id, with_for_update=True)
    if committee is None:
        raise Conflict("该评审计划尚未遴选专家", code="not_drawn")
    if committee.closed_at is not None:
        raise Conflict("表决已结束", code="vote_closed")
    now = dt.datetime.now(dt.UTC)
    if now <= committee.deadline:
        raise Conflict("表决截止时间之前不能结束表决", code="vote_still_open")
    committee.closed_at, committee.closed_by = now, principal.acting_name[:100]
    stage = next((s for s in plan.stages if s.id == committee.stage_id), None)
    acted_for = (stage.party_name if stage else "") or plan.committee
    for app in list(await db.scalars(panels.waiting_at(committee, committee.stage_id).with_for_update())):
        reviewers = set(panels.assigned_to(committee, app))
        choices = [v.choice for v in await db.scalars(sa.select(Vote).where(Vote.application_id == app.id))
                   if str(v.expert_id) in reviewers]
        result = tally(choices)
        db.add(Tally(application_id=app.id, plan_id=plan.id, agree=result.agree, disagree=result.disagree,
                     abstain=result.abstain, passed=result.passed, closed_at=now))
        if result.passed is not None:
            await review.conclude(db, app, plan, outcome="pass" if result.passed else "reject", reason=result.text,
                                  actor_id=principal.id, actor_name=principal.acting_name, acted_for=acted_for)
    await db.flush()
    return await committee_view(db, principal, plan_id)
