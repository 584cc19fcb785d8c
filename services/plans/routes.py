"""plans' HTTP API: /api/plans/* (public, through the gateway)."""
from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from services.plans import assignees, organizers, plans
from services.plans.deps import DbSession, Documents, MaybePrincipal, Page, ReadSession
from services.plans.models import OrganizerAdmin, Person, StageAssignee
from services.plans.schemas import (
    AdminIn,
    AdminOut,
    AssigneeIn,
    AssigneeOut,
    AssignmentOut,
    AttachmentIn,
    EntryTypeOut,
    OrganizerIn,
    OrganizerOut,
    PersonOut,
    PlanIn,
    PlanOut,
    PlanSummary,
    Term,
    Vocabulary,
)
from services.plans.window import today_in_shanghai
from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.auth import CurrentPerson, Operator, PlanAdmin, Principal, current_principal
from shared.entry_types import EDUCATION_LEVELS, ENTRY_TYPES
from shared.errors import Forbidden
from shared.schemas import Paged
from shared.vocabulary import EXTRA_SECTIONS, FORMS, LEVELS, PARTIES, PLAN_TYPES, RESUBMIT_FROM, SERIES

api = APIRouter(prefix="/api/plans", tags=["plans"])


def _terms(codes: dict[str, str]) -> list[Term]:
    return [Term(code=k, name=v) for k, v in codes.items()]


@api.get("/vocabulary", summary="级别、申报形式、系列、业绩类型、附件类型等代码表")
async def vocabulary() -> Vocabulary:
    return Vocabulary(levels=_terms(LEVELS), forms=_terms(FORMS), plan_types=_terms(PLAN_TYPES), series=_terms(SERIES),
                      parties=_terms(PARTIES), resubmit_from=_terms(RESUBMIT_FROM), extra_sections=_terms(EXTRA_SECTIONS),
                      education_levels=_terms(EDUCATION_LEVELS), attachment_kinds=_terms(ATTACHMENT_KINDS),
                      entry_types=[EntryTypeOut(code=t.code, name=t.name, series=t.series)
                                   for t in ENTRY_TYPES.values()])


@api.get("/plans", summary="评审计划列表（按计划名称、年度、评审级别、计划类型等查询）")
async def list_plans(principal: MaybePrincipal, db: ReadSession, page: Page,
                     name: Annotated[str, Query(max_length=100)] = "",
                     year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                     level: str | None = None, plan_type: str | None = None, series: str | None = None,
                     open: bool | None = None,
                     status: Literal["draft", "published", "closed"] | None = None,
                     mine: bool = False) -> Paged[PlanSummary]:
    if mine and (principal is None or not principal.has("plan_admin")):
        raise Forbidden("仅计划管理员可以查看本单位的全部计划", code="role_required")
    return await plans.search(db, principal, page, today_in_shanghai(), name=name, year=year, level=level,
                              plan_type=plan_type, series=series, open_=open, status=status, mine=mine)


@api.post("/plans", status_code=201, summary="新建评审计划（草稿，计划管理员）")
async def create_plan(data: PlanIn, admin: PlanAdmin, db: DbSession) -> PlanOut:
    return plans.plan_out(await plans.create(db, admin, data), today_in_shanghai())


@api.get("/plans/{plan_id}", summary="评审计划详情（含评审标准）")
async def get_plan(plan_id: uuid.UUID, principal: MaybePrincipal, db: ReadSession) -> PlanOut:
    return plans.plan_out(await plans.visible_plan(db, plan_id, principal), today_in_shanghai())


@api.put("/plans/{plan_id}", summary="修改评审计划（已发布的计划只能做不影响已有申报的更正）")
async def update_plan(plan_id: uuid.UUID, data: PlanIn, admin: PlanAdmin, db: DbSession) -> PlanOut:
    return plans.plan_out(await plans.update(db, admin, plan_id, data), today_in_shanghai())


@api.delete("/plans/{plan_id}", status_code=204, summary="删除草稿")
async def delete_plan(plan_id: uuid.UUID, admin: PlanAdmin, db: DbSession, documents: Documents) -> None:
    await plans.delete_draft(db, documents, admin, plan_id)


@api.post("/plans/{plan_id}/publish", summary="发布评审计划")
async def publish_plan(plan_id: uuid.UUID, admin: PlanAdmin, db: DbSession) -> PlanOut:
    return plans.plan_out(await plans.publish(db, admin, plan_id), today_in_shanghai())


@api.post("/plans/{plan_id}/close", summary="结束评审计划")
async def close_plan(plan_id: uuid.UUID, admin: PlanAdmin, db: DbSession) -> PlanOut:
    return plans.plan_out(await plans.close(db, admin, plan_id), today_in_shanghai())


@api.post("/plans/{plan_id}/attachments", status_code=201, summary="添加计划附件（本人上传到附件服务的文件）")
async def add_attachment(plan_id: uuid.UUID, data: AttachmentIn, admin: PlanAdmin, db: DbSession,
                         documents: Documents) -> PlanOut:
    return plans.plan_out(await plans.add_attachment(db, documents, admin, plan_id, data), today_in_shanghai())


@api.delete("/plans/{plan_id}/attachments/{file_id}", summary="移除计划附件")
async def remove_attachment(plan_id: uuid.UUID, file_id: uuid.UUID, admin: PlanAdmin, db: DbSession,
                            documents: Documents) -> PlanOut:
    return plans.plan_out(await plans.remove_attachment(db, documents, admin, plan_id, file_id), today_in_shanghai())


@api.get("/organizers", summary="组建单位（mine=true：本人管理的）")
async def list_organizers(principal: MaybePrincipal, db: ReadSession, mine: bool = False) -> list[OrganizerOut]:
    found = await (organizers.administered_by(db, principal) if mine else organizers.all_organizers(db))
    return [OrganizerOut(id=o.id, name=o.name) for o in found]


@api.post("/organizers", status_code=201, summary="新增组建单位（运维人员）")
async def create_organizer(data: OrganizerIn, _: Operator, db: DbSession) -> OrganizerOut:
    organizer = await organizers.create_organizer(db, data.name)
    return OrganizerOut(id=organizer.id, name=organizer.name)


def _admin_out(admin: OrganizerAdmin, person: Person | None) -> AdminOut:
    return AdminOut(organizer_id=admin.organizer_id, person_id=admin.person_id, name=person.name if person else "—",
                    id_number_masked=person.id_number_masked if person else "—", assigned_by=admin.assigned_by,
                    assigned_at=admin.assigned_at)


@api.get("/organizers/{organizer_id}/admins", summary="组建单位的计划管理员（运维人员）")
async def list_admins(organizer_id: uuid.UUID, _: Operator, db: DbSession) -> list[AdminOut]:
    return [_admin_out(a, p) for a, p in await organizers.admins_of(db, organizer_id)]


@api.post("/organizers/{organizer_id}/admins", status_code=201, summary="指定计划管理员（运维人员）")
async def add_admin(organizer_id: uuid.UUID, data: AdminIn, operator: Operator, db: DbSession) -> AdminOut:
    admin = await organizers.add_admin(db, organizer_id, data.person_id, assigned_by=operator.subject)
    return _admin_out(admin, await db.get(Person, data.person_id))


@api.delete("/organizers/{organizer_id}/admins/{person_id}", status_code=204, summary="撤销计划管理员（运维人员）")
async def remove_admin(organizer_id: uuid.UUID, person_id: uuid.UUID, _: Operator, db: DbSession) -> None:
    await organizers.remove_admin(db, organizer_id, person_id)


async def _operator_or_plan_admin(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if not (principal.has("operator") or principal.has("plan_admin")):
        raise Forbidden("您没有进行此操作的权限", code="role_required")
    return principal


@api.get("/persons", summary="按姓名查找已注册人员（运维人员指定管理员、计划管理员指定审核人员用）")
async def find_persons(name: Annotated[str, Query(min_length=1, max_length=50)],
                       _: Annotated[Principal, Depends(_operator_or_plan_admin)], db: DbSession) -> list[PersonOut]:
    return [PersonOut(id=p.id, name=p.name, id_number_masked=p.id_number_masked)
            for p in await organizers.find_persons(db, name)]


def _assignee_out(assignee: StageAssignee, person: Person | None) -> AssigneeOut:
    return AssigneeOut(plan_id=assignee.plan_id, stage_id=assignee.stage_id, person_id=assignee.person_id,
                       name=person.name if person else "—", id_number_masked=person.id_number_masked if person else "—",
                       assigned_by=assignee.assigned_by, assigned_at=assignee.assigned_at)


STAGE = "/plans/{plan_id}/stages/{stage_id}/assignees"


@api.get(STAGE, summary="评审环节的审核人员（本计划的计划管理员）")
async def list_assignees(plan_id: uuid.UUID, stage_id: uuid.UUID, admin: PlanAdmin, db: DbSession) -> list[AssigneeOut]:
    return [_assignee_out(a, p) for a, p in await assignees.list_assignees(db, admin, plan_id, stage_id)]


@api.post(STAGE, status_code=201,
          summary="指定评审环节的审核人员（职称管理部门、评委会组建单位、评委会环节；本计划的计划管理员）")
async def add_assignee(plan_id: uuid.UUID, stage_id: uuid.UUID, data: AssigneeIn, admin: PlanAdmin,
                       db: DbSession) -> AssigneeOut:
    return _assignee_out(*await assignees.add(db, admin, plan_id, stage_id, data.person_id))


@api.delete(STAGE + "/{person_id}", status_code=204, summary="移除评审环节的审核人员（本计划的计划管理员）")
async def remove_assignee(plan_id: uuid.UUID, stage_id: uuid.UUID, person_id: uuid.UUID, admin: PlanAdmin,
                          db: DbSession) -> None:
    await assignees.remove(db, admin, plan_id, stage_id, person_id)


@api.get("/assignments/mine", summary="本人被指定审核的评审环节")
async def my_assignments(person: CurrentPerson, db: DbSession) -> list[AssignmentOut]:
    return [AssignmentOut(plan_id=plan.id, plan_name=plan.name, plan_year=plan.year, plan_status=plan.status,
                          organizer_name=plan.organizer.name, stage_id=a.stage_id, stage_name=stage["name"],
                          stage_index=index, party=stage["party"], party_name=stage["party_name"],
                          assigned_at=a.assigned_at)
            for a, plan, index, stage in await assignees.assignments_of(db, person.id)]
