"""Who decides at a plan's stages. A plan's administrators name persons for each stage whose party
is 职称管理部门, 评委会组建单位 or 评委会 (shared.vocabulary.ASSIGNABLE_PARTIES); at a 用人单位
stage the unit's 经办人 decide and at a 主管部门 stage the department's staff, so nobody is named
there. Each change is an event (applications keeps who may decide where)."""
from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.plans.models import Person, Plan, StageAssignee
from services.plans.plans import PRODUCER, own_plan
from shared.auth import Principal
from shared.errors import Conflict, InvalidField, NotFound
from shared.events import record_event
from shared.events.catalogue import StageAssigneeAdded, StageAssigneeRemoved
from shared.vocabulary import ASSIGNABLE_PARTIES, PARTIES

DECIDED_ELSEWHERE = {
    "unit": "由申报人所在单位的经办人审核",
    "department": "由主管部门的工作人员审核",
}


def stage_of(plan: Plan, stage_id: uuid.UUID) -> dict[str, Any]:
    for stage in plan.stages:
        if stage["id"] == str(stage_id):
            return stage
    raise NotFound("该评审计划中没有此评审环节", code="stage_not_found")


def _assignable(stage: dict[str, Any]) -> None:
    if stage["party"] not in ASSIGNABLE_PARTIES:
        why = DECIDED_ELSEWHERE.get(stage["party"], f"审核方为{PARTIES.get(stage['party'], stage['party'])}")
        raise Conflict(f"“{stage['name']}”环节{why}，不能为其指定审核人员", code="stage_not_assignable")


async def list_assignees(db: AsyncSession, admin: Principal, plan_id: uuid.UUID,
                         stage_id: uuid.UUID) -> list[tuple[StageAssignee, Person | None]]:
    plan = await own_plan(db, admin, plan_id, lock=False)
    stage_of(plan, stage_id)
    rows = await db.execute(
        sa.select(StageAssignee, Person).outerjoin(Person, Person.id == StageAssignee.person_id)
        .where(StageAssignee.plan_id == plan.id, StageAssignee.stage_id == stage_id)
        .order_by(StageAssignee.assigned_at, StageAssignee.person_id))
    return [(a, p) for a, p in rows.all()]


async def add(db: AsyncSession, admin: Principal, plan_id: uuid.UUID, stage_id: uuid.UUID,
              person_id: uuid.UUID) -> tuple[StageAssignee, Person]:
    plan = await own_plan(db, admin, plan_id)  # locked: an edit cannot remove the stage meanwhile
    return await assign(db, plan, stage_id, person_id, assigned_by=admin.subject)


async def assign(db: AsyncSession, plan: Plan, stage_id: uuid.UUID, person_id: uuid.UUID, *,
                 assigned_by: str) -> tuple[StageAssignee, Person]:
    """Name a person at a stage of the plan, whoever may (checked by the caller)."""
    _assignable(stage_of(plan, stage_id))
    person = await db.get(Person, person_id)
    if person is None:
        raise InvalidField("person_id", "未找到该注册人员（人员须先在本平台完成注册）")
    added = await db.scalar(pg.insert(StageAssignee).values(plan_id=plan.id, stage_id=stage_id, person_id=person_id,
                                                            assigned_by=assigned_by)
                            .on_conflict_do_nothing().returning(StageAssignee.person_id))
    if added is None:
        raise Conflict(f"{person.name}已是该环节的审核人员", code="assignee_exists")
    await record_event(db, PRODUCER, plan.id, StageAssigneeAdded(plan_id=plan.id, stage_id=stage_id, person_id=person_id))
    return await db.get(StageAssignee, (plan.id, stage_id, person_id)), person


async def remove(db: AsyncSession, admin: Principal, plan_id: uuid.UUID, stage_id: uuid.UUID,
                 person_id: uuid.UUID) -> None:
    plan = await own_plan(db, admin, plan_id)
    stage_of(plan, stage_id)
    gone = await db.scalar(sa.delete(StageAssignee).where(
        StageAssignee.plan_id == plan.id, StageAssignee.stage_id == stage_id, StageAssignee.person_id == person_id)
        .returning(StageAssignee.person_id))
    if gone is None:
        raise NotFound("该人员不是此环节的审核人员", code="assignee_not_found")
    await record_event(db, PRODUCER, plan.id, StageAssigneeRemoved(plan_id=plan.id, stage_id=stage_id, person_id=person_id))


async def assignments_of(db: AsyncSession, person_id: uuid.UUID) -> list[tuple[StageAssignee, Plan, int, dict]]:
    """The stages of published and closed plans at which the person decides (a draft has no
    applications yet, and is seen by its administrators only): newest year first, then in the
    plan's order of stages."""
    rows = (await db.execute(
        sa.select(StageAssignee, Plan).join(Plan, Plan.id == StageAssignee.plan_id)
        .where(StageAssignee.person_id == person_id, Plan.status.in_(("published", "closed")))
        .order_by(Plan.year.desc(), Plan.name, Plan.id))).all()
    found = []
    for assignee, plan in rows:
        for index, stage in enumerate(plan.stages):
            if stage["id"] == str(assignee.stage_id):
                found.append((assignee, plan, index, stage))
    return sorted(found, key=lambda f: (-f[1].year, f[1].name, str(f[1].id), f[2]))
