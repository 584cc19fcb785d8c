"""评审计划: an organiser's administrators draft, publish, correct and close plans; applicants
find the published ones. Every change others care about is an event with the whole plan."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from cachetools import TTLCache
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from services.plans import attachments
from services.plans.corrections import refused_changes
from services.plans.models import Organizer, Plan, StageAssignee
from services.plans.organizers import administered_by
from services.plans.schemas import AttachmentIn, PlanIn, PlanOut, PlanSummary
from services.plans.standards import build_standard
from services.plans.validation import Problems, clean
from services.plans.window import window_of
from shared.auth import Principal
from shared.deps import PageParams
from shared.errors import Conflict, Forbidden, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import (
    PlanAttachment,
    PlanClosed,
    PlanPublished,
    PlanSnapshot,
    PlanTitle,
    PlanUpdated,
    ReviewStage,
    StageAssigneeRemoved,
)
from shared.schemas import Paged
from shared.vocabulary import ASSIGNABLE_PARTIES, FORMS, LEVELS, PARTIES, PLAN_TYPES, RESUBMIT_FROM, SERIES

PRODUCER = "plans"
PUBLIC = ("published", "closed")


# --- what leaves the service ------------------------------------------------------------------
def snapshot(plan: Plan) -> PlanSnapshot:
    return PlanSnapshot(
        id=plan.id, revision=plan.revision, status=plan.status, organizer_id=plan.organizer_id,
        organizer_name=plan.organizer.name, year=plan.year, name=plan.name, committee=plan.committee,
        levels=plan.levels, plan_type=plan.plan_type, series=plan.series, start_date=plan.start_date,
        end_date=plan.end_date, has_interview=plan.has_interview, scope=plan.scope, content=plan.content,
        majors=plan.majors, titles=plan.titles, forms=plan.forms, stages=plan.stages,
        resubmit_from=plan.resubmit_from, attachments=plan.attachments,
        standard=plan.standard, published_at=plan.published_at, closed_at=plan.closed_at)


def plan_out(plan: Plan, today: dt.date) -> PlanOut:
    window = window_of(plan.status, plan.start_date, plan.end_date, today)
    return PlanOut(**dict(snapshot(plan)), window=window, open=window == "open")


# What a list shows: a plan's standard, majors and stages are large documents, decoded for nothing
# on every 评审计划 page and plan search.
SUMMARY_COLUMNS = load_only(Plan.id, Plan.year, Plan.name, Plan.committee, Plan.organizer_id, Plan.levels,
                            Plan.plan_type, Plan.series, Plan.start_date, Plan.end_date, Plan.has_interview,
                            Plan.status, raiseload=True)


def summary(plan: Plan, today: dt.date) -> PlanSummary:
    window = window_of(plan.status, plan.start_date, plan.end_date, today)
    return PlanSummary(id=plan.id, year=plan.year, name=plan.name, committee=plan.committee,
                       organizer_id=plan.organizer_id, organizer_name=plan.organizer.name, levels=plan.levels,
                       plan_type=plan.plan_type, series=plan.series, start_date=plan.start_date,
                       end_date=plan.end_date, has_interview=plan.has_interview, status=plan.status,
                       window=window, open=window == "open")


# --- reading ----------------------------------------------------------------------------------
async def search(db: AsyncSession, principal: Principal | None, page: PageParams, today: dt.date, *,
                 name: str = "", year: int | None = None, level: str | None = None, plan_type: str | None = None,
                 series: str | None = None, open_: bool | None = None, status: str | None = None,
                 mine: bool = False) -> Paged[PlanSummary]:
    """Applicants see published and closed plans; ``mine`` gives an administrator all of their
    organisers' plans, drafts included. Newest year first, then the latest window.

    The public list is the same for everyone and asked on every 评审计划 page: its answers are
    kept for ``ANSWER_SECONDS`` (a change through this process forgets them at once, see
    ``_changed``; other processes' copies age out). An administrator's own list is never kept."""
    filters = {"name": clean(name), "year": year, "level": level, "plan_type": plan_type, "series": series,
               "open_": open_, "status": status}
    if mine:
        organizers = [o.id for o in await administered_by(db, principal)]
        return await _search(db, Plan.organizer_id.in_(organizers), page, today, **filters)
    key = (*filters.values(), page.page, page.page_size, today)
    if (kept := _answers.get(key)) is None:
        kept = _answers[key] = await _search(db, Plan.status.in_(PUBLIC), page, today, **filters)
    return kept


ANSWER_SECONDS = 30
_answers: TTLCache[tuple, Paged[PlanSummary]] = TTLCache(maxsize=2048, ttl=ANSWER_SECONDS)


async def _search(db: AsyncSession, visible: sa.ColumnElement[bool], page: PageParams, today: dt.date, *, name: str,
                  year: int | None, level: str | None, plan_type: str | None, series: str | None,
                  open_: bool | None, status: str | None) -> Paged[PlanSummary]:
    conditions = [visible]
    if name:
        conditions.append(Plan.name.contains(name, autoescape=True))
    if year is not None:
        conditions.append(Plan.year == year)
    if level:
        conditions.append(Plan.levels.contains([level]))
    if plan_type:
        conditions.append(Plan.plan_type == plan_type)
    if series:
        conditions.append(Plan.series == series)
    if status:
        conditions.append(Plan.status == status)
    if open_ is not None:
        is_open = sa.and_(Plan.status == "published", Plan.start_date <= today, Plan.end_date >= today)
        conditions.append(is_open if open_ else sa.not_(is_open))
    total = await db.scalar(sa.select(sa.func.count(Plan.id)).where(*conditions))
    rows = (await db.scalars(sa.select(Plan).where(*conditions).options(SUMMARY_COLUMNS)
                             .order_by(Plan.year.desc(), Plan.start_date.desc(), Plan.name, Plan.id)
                             .offset(page.offset).limit(page.page_size))).all()
    return Paged(items=[summary(p, today) for p in rows], total=total or 0, page=page.page,
                 page_size=page.page_size)


async def visible_plan(db: AsyncSession, plan_id: uuid.UUID, principal: Principal | None) -> Plan:
    """A published or closed plan to anyone; a draft only to its organiser's administrators."""
    plan = await db.get(Plan, plan_id)
    if plan is None or (plan.status == "draft" and plan.organizer_id not in await _administered_ids(db, principal)):
        raise NotFound("未找到该评审计划", code="plan_not_found")
    return plan


# --- changing ---------------------------------------------------------------------------------
async def create(db: AsyncSession, admin: Principal, data: PlanIn) -> Plan:
    return await add_draft(db, await _organizer_for(db, admin, data.organizer_id), data, created_by=admin.id)


async def add_draft(db: AsyncSession, organizer: Organizer, data: PlanIn, *, created_by: uuid.UUID | None) -> Plan:
    """A new draft of an organiser, whoever may act for it (checked by the caller)."""
    columns = _validated(data)
    await _name_is_free(db, organizer.id, columns["year"], columns["name"])
    plan = Plan(id=uuid.uuid4(), organizer_id=organizer.id, created_by=created_by, status="draft", revision=1,
                attachments=[], **_stored(columns))
    plan.organizer = organizer
    db.add(plan)
    await db.flush()
    return plan


async def update(db: AsyncSession, admin: Principal, plan_id: uuid.UUID, data: PlanIn) -> Plan:
    """Replace the plan; a published plan takes only corrections (see corrections.py)."""
    plan = await own_plan(db, admin, plan_id)
    if plan.status == "closed":
        raise Conflict("计划已结束，不能修改", code="plan_closed")
    organizer = plan.organizer
    if data.organizer_id not in (None, plan.organizer_id) and plan.status == "draft":
        organizer = await _organizer_for(db, admin, data.organizer_id)
    columns = _validated(data)
    before = snapshot(plan)
    after = PlanSnapshot.model_validate({**dict(before), **columns, "organizer_id": data.organizer_id or organizer.id})
    if plan.status == "published" and (errors := refused_changes(before, after)):
        raise Conflict("计划已发布，以下修改会影响已有申报，未予保存：" + "；".join(f"{e['label']}：{e['message']}" for e in errors),
                       code="published_plan_locked", errors=errors)
    if after == before:
        return plan
    await _name_is_free(db, organizer.id, columns["year"], columns["name"], besides=plan.id)
    for key, value in _stored(columns).items():
        setattr(plan, key, value)
    plan.organizer_id, plan.organizer = organizer.id, organizer
    await _changed(db, plan)
    await drop_assignees(db, plan, keep={uuid.UUID(s["id"]) for s in plan.stages if s["party"] in ASSIGNABLE_PARTIES})
    return plan


async def publish(db: AsyncSession, admin: Principal, plan_id: uuid.UUID) -> Plan:
    return await mark_published(db, await own_plan(db, admin, plan_id))


async def mark_published(db: AsyncSession, plan: Plan) -> Plan:
    if plan.status != "draft":
        raise Conflict("计划已发布" if plan.status == "published" else "计划已结束", code="plan_not_draft")
    plan.status, plan.published_at = "published", dt.datetime.now(dt.UTC)
    await _changed(db, plan, PlanPublished)
    return plan


async def close(db: AsyncSession, admin: Principal, plan_id: uuid.UUID) -> Plan:
    return await mark_closed(db, await own_plan(db, admin, plan_id))


async def mark_closed(db: AsyncSession, plan: Plan) -> Plan:
    if plan.status != "published":
        raise Conflict("只能结束已发布的计划" if plan.status == "draft" else "计划已结束", code="plan_not_published")
    plan.status, plan.closed_at = "closed", dt.datetime.now(dt.UTC)
    await _changed(db, plan, PlanClosed)
    return plan


async def delete_draft(db: AsyncSession, documents: httpx.AsyncClient, admin: Principal, plan_id: uuid.UUID) -> None:
    plan = await own_plan(db, admin, plan_id)
    if plan.status != "draft":
        raise Conflict("已发布的计划不能删除，可以结束", code="plan_not_draft")
    for attachment in plan.attachments:
        await attachments.release(documents, plan.id, uuid.UUID(attachment["file_id"]))
    await drop_assignees(db, plan, keep=set())
    await db.delete(plan)
    await db.flush()


async def add_attachment(db: AsyncSession, documents: httpx.AsyncClient, admin: Principal, plan_id: uuid.UUID,
                         data: AttachmentIn) -> Plan:
    """Attach one of the administrator's files (uploaded to documents); allowed on a published
    plan too: a download more invalidates no application."""
    plan = await own_plan(db, admin, plan_id)
    if plan.status == "closed":
        raise Conflict("计划已结束，不能修改", code="plan_closed")
    if any(a["file_id"] == str(data.file_id) for a in plan.attachments):
        raise Conflict("该附件已在计划中", code="attachment_exists")
    name = clean(data.name) or "附件"
    # Claimed before this transaction commits: should the commit fail, the file is merely kept.
    await attachments.claim(documents, plan.id, data.file_id, admin.id)
    plan.attachments = [*plan.attachments, PlanAttachment(file_id=data.file_id, name=name).model_dump(mode="json")]
    await _changed(db, plan)
    return plan


async def remove_attachment(db: AsyncSession, documents: httpx.AsyncClient, admin: Principal, plan_id: uuid.UUID,
                            file_id: uuid.UUID) -> Plan:
    plan = await own_plan(db, admin, plan_id)
    if plan.status == "closed":
        raise Conflict("计划已结束，不能修改", code="plan_closed")
    kept = [a for a in plan.attachments if a["file_id"] != str(file_id)]
    if len(kept) == len(plan.attachments):
        raise NotFound("计划中没有该附件", code="attachment_not_found")
    await attachments.release(documents, plan.id, file_id)
    plan.attachments = kept
    await _changed(db, plan)
    return plan


async def _changed(db: AsyncSession, plan: Plan, event: type[PlanSnapshot] | None = None) -> None:
    """Count the revision; tell consumers about every change of a plan they can see."""
    plan.revision += 1
    plan.updated_at = dt.datetime.now(dt.UTC)
    _answers.clear()  # published, closed or changed: the lists show it at once
    await db.flush()
    event = event or (PlanUpdated if plan.status == "published" else None)
    if event is not None:
        await record_event(db, PRODUCER, plan.id, event(**dict(snapshot(plan))))


async def drop_assignees(db: AsyncSession, plan: Plan, *, keep: set[uuid.UUID]) -> None:
    """The assignees of every stage but ``keep`` go (a stage removed by an edit, or no longer one
    whose deciders are named), each with its event, so that consumers forget them too."""
    gone = await db.execute(sa.delete(StageAssignee)
                            .where(StageAssignee.plan_id == plan.id, StageAssignee.stage_id.not_in(keep))
                            .returning(StageAssignee.stage_id, StageAssignee.person_id))
    for stage_id, person_id in gone.all():
        await record_event(db, PRODUCER, plan.id,
                           StageAssigneeRemoved(plan_id=plan.id, stage_id=stage_id, person_id=person_id))


async def _administered_ids(db: AsyncSession, principal: Principal | None) -> set[uuid.UUID]:
    return {o.id for o in await administered_by(db, principal)}


async def own_plan(db: AsyncSession, admin: Principal, plan_id: uuid.UUID, *, lock: bool = True) -> Plan:
    """The plan, locked for the change (unless only read), if the administrator may manage it.
    Another organiser's draft does not exist for them; another organiser's published plan is not
    theirs to change."""
    query = sa.select(Plan).where(Plan.id == plan_id)
    plan = await db.scalar(query.with_for_update(of=Plan) if lock else query)
    if plan is None:
        raise NotFound("未找到该评审计划", code="plan_not_found")
    if plan.organizer_id not in await _administered_ids(db, admin):
        if plan.status == "draft":
            raise NotFound("未找到该评审计划", code="plan_not_found")
        raise Forbidden("您不是该计划所属组建单位的计划管理员，不能管理此计划", code="not_organizer_admin")
    return plan


async def _organizer_for(db: AsyncSession, admin: Principal, requested: uuid.UUID | None) -> Organizer:
    mine = await administered_by(db, admin)
    if not mine:
        raise Forbidden("您尚未被指定为任何组建单位的计划管理员，请联系平台运维人员", code="no_organizer")
    if requested is None:
        if len(mine) == 1:
            return mine[0]
        raise InvalidField("organizer_id", "请选择组建单位")
    for organizer in mine:
        if organizer.id == requested:
            return organizer
    raise Forbidden("您不是该组建单位的计划管理员，不能为其创建计划", code="not_organizer_admin")


async def _name_is_free(db: AsyncSession, organizer_id: uuid.UUID, year: int, name: str,
                        besides: uuid.UUID | None = None) -> None:
    query = sa.select(Plan.id).where(Plan.organizer_id == organizer_id, Plan.year == year, Plan.name == name)
    if besides is not None:
        query = query.where(Plan.id != besides)
    if await db.scalar(query):
        raise InvalidField("name", "本组建单位在该年度已有同名计划")


# --- validation -------------------------------------------------------------------------------
def _validated(data: PlanIn) -> dict[str, Any]:
    """The plan's fields as they will be stored, or every problem with them at once."""
    problems = Problems()
    name, committee = clean(data.name), clean(data.committee)
    for field, label, value, longest in (("name", "计划名称", name, 200), ("committee", "评委会", committee, 200)):
        if not value:
            problems.add(field, label, "必填")
        elif len(value) > longest:
            problems.add(field, label, f"过长（最多 {longest} 个字符）")
    levels = _codes(data.levels, LEVELS, "levels", "评审级别", problems)
    forms = _codes(data.forms, FORMS, "forms", "申报形式", problems)
    if data.plan_type not in PLAN_TYPES:
        problems.add("plan_type", "计划类型", "请选择" if not data.plan_type else "取值不在允许范围内")
    if data.series not in SERIES:
        problems.add("series", "系列", "请选择" if not data.series else "取值不在允许范围内")
    for field, label, value in (("year", "评审年度", data.year), ("start_date", "申报开始日期", data.start_date),
                                ("end_date", "申报截止日期", data.end_date)):
        if value is None:
            problems.add(field, label, "必填")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        problems.add("end_date", "申报截止日期", "不能早于申报开始日期")
    scope, content = data.scope.strip(), data.content.strip()
    if len(scope) > 5000:
        problems.add("scope", "评审范围对象", "过长（最多 5000 个字符）")
    if len(content) > 20000:
        problems.add("content", "计划内容", "过长（最多 20000 个字符）")
    majors = list(dict.fromkeys(m for m in (clean(m) for m in data.majors) if m))
    if not majors:
        problems.add("majors", "可评审专业", "至少填写一个专业")
    if too_long := [m for m in majors if len(m) > 50]:
        problems.add("majors", "可评审专业", f"专业名称过长（最多 50 个字符）：{too_long[0]}")
    standard = build_standard(data.standard, series=data.series, levels=levels, forms=forms, problems=problems)
    columns = {"year": data.year, "name": name, "committee": committee, "levels": levels,
               "plan_type": data.plan_type, "series": data.series, "start_date": data.start_date,
               "end_date": data.end_date, "has_interview": data.has_interview, "scope": scope, "content": content,
               "majors": majors, "titles": _titles(data, levels, problems), "forms": forms,
               "stages": _stages(data, problems), "resubmit_from": data.resubmit_from, "standard": standard}
    if data.resubmit_from not in RESUBMIT_FROM:
        problems.add("resubmit_from", "退回修改后重新提交，从哪个环节开始审核", "取值不在允许范围内")
    problems.raise_any()
    return columns


def _stored(columns: dict[str, Any]) -> dict[str, Any]:
    """Typed parts become the JSON the columns hold."""
    def plain(value: Any) -> Any:
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value.model_dump(mode="json") if hasattr(value, "model_dump") else value

    return {k: plain(v) for k, v in columns.items()}


def _codes(given: list[str], allowed: dict[str, str], field: str, label: str, problems: Problems) -> list[str]:
    codes = list(dict.fromkeys(given))
    if not codes:
        problems.add(field, label, "至少选择一项")
    if unknown := [c for c in codes if c not in allowed]:
        problems.add(field, label, f"取值不在允许范围内：{'、'.join(unknown)}")
    return [c for c in allowed if c in codes]  # in the vocabulary's order


def _titles(data: PlanIn, levels: list[str], problems: Problems) -> list[PlanTitle]:
    titles: list[PlanTitle] = []
    for i, title in enumerate(data.titles):
        name = clean(title.name)
        if title.level not in levels:
            problems.add(f"titles.{i}.level", f"第{i + 1}个可申报职称的级别", "应为本计划的评审级别之一")
        if not name:
            problems.add(f"titles.{i}.name", f"第{i + 1}个可申报职称的名称", "必填")
        elif len(name) > 50:
            problems.add(f"titles.{i}.name", f"第{i + 1}个可申报职称的名称", "过长（最多 50 个字符）")
        if all((t.level, t.name) != (title.level, name) for t in titles):
            titles.append(PlanTitle(level=title.level, name=name))
    for level in levels:
        if all(t.level != level for t in titles):
            problems.add("titles", "可申报职称", f"请为{LEVELS[level]}设置至少一个可申报职称（如高级工程师）")
    return titles


def _stages(data: PlanIn, problems: Problems) -> list[ReviewStage]:
    if not data.stages:
        problems.add("stages", "评审环节", "至少设置一个审核环节（如用人单位、主管部门、职称管理部门、评委会）")
    stages: list[ReviewStage] = []
    for i, stage in enumerate(data.stages):
        name, where = clean(stage.name), f"第{i + 1}个评审环节"
        if not name:
            problems.add(f"stages.{i}.name", f"{where}的名称", "必填")
        elif len(name) > 50:
            problems.add(f"stages.{i}.name", f"{where}的名称", "过长（最多 50 个字符）")
        elif any(s.name == name for s in stages):
            problems.add(f"stages.{i}.name", f"{where}的名称", "与其他环节重名")
        if stage.party not in PARTIES:
            problems.add(f"stages.{i}.party", f"{where}的审核方", "取值不在允许范围内")
        if stage.id is not None and any(s.id == stage.id for s in stages):
            problems.add(f"stages.{i}.id", where, "编号重复")
        stages.append(ReviewStage(id=stage.id or uuid.uuid4(), name=name, party=stage.party,
                                  party_name=clean(stage.party_name)[:100]))
    return stages

