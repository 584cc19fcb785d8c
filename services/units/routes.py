"""units' HTTP API: /api/units/*."""
from __future__ import annotations

import uuid
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Response

from services.units import access, bindings, registration, reviewers, staff
from services.units.deps import DbSession, Identity, Page, ReadSession
from services.units.models import Binding, DepartmentStaff, Person, Unit
from services.units.models import Department as DepartmentRow
from services.units.schemas import (
    BindingIn,
    BindingOut,
    Department,
    DepartmentStaffIn,
    DepartmentStaffOut,
    MyUnit,
    PersonOut,
    ReasonIn,
    ReviewerIn,
    ReviewerOut,
    UnitBrief,
    UnitIn,
    UnitOut,
    UnitUpdate,
)
from services.units.search import search_units
from shared.auth import CurrentPerson, CurrentPrincipal, Operator
from shared.errors import Forbidden
from shared.schemas import Paged

api = APIRouter(prefix="/api/units", tags=["units"])


def _out(binding: Binding, unit: Unit) -> BindingOut:
    return bindings.binding_out(binding, unit.name)


@api.get("/departments", summary="主管部门列表")
async def departments(_: CurrentPrincipal, db: DbSession) -> list[Department]:
    rows = (await db.scalars(sa.select(DepartmentRow).order_by(DepartmentRow.position))).all()
    return [Department(code=r.code, name=r.name) for r in rows]


@api.get("/departments/mine", summary="本人任工作人员的主管部门")
async def my_departments(principal: CurrentPrincipal, db: DbSession) -> list[Department]:
    return [Department(code=d.code, name=d.name) for d in await staff.departments_of(db, principal)]


def _staff_out(row: DepartmentStaff, person: Person | None) -> DepartmentStaffOut:
    return DepartmentStaffOut(department_code=row.department_code, person_id=row.person_id, name=row.person_name,
                              id_number_masked=person.id_number_masked if person else "—", added_by=row.added_by,
                              added_at=row.added_at)


@api.get("/departments/staff", summary="各主管部门的工作人员（运维人员）")
async def all_staff(_: Operator, db: DbSession) -> list[DepartmentStaffOut]:
    return [_staff_out(s, p) for s, p in await staff.listed(db)]


@api.get("/departments/{code}/staff", summary="主管部门的工作人员（运维人员）")
async def department_staff(code: Annotated[str, Path(max_length=20)], _: Operator,
                           db: DbSession) -> list[DepartmentStaffOut]:
    return [_staff_out(s, p) for s, p in await staff.listed(db, code)]


@api.post("/departments/{code}/staff", status_code=201, summary="指定主管部门工作人员（运维人员）")
async def add_department_staff(code: Annotated[str, Path(max_length=20)], data: DepartmentStaffIn,
                               operator: Operator, db: DbSession) -> DepartmentStaffOut:
    row = await staff.add(db, operator, code, data.person_id)
    return _staff_out(row, await db.get(Person, row.person_id))


@api.delete("/departments/{code}/staff/{person_id}", status_code=204, summary="移除主管部门工作人员（运维人员）")
async def remove_department_staff(code: Annotated[str, Path(max_length=20)], person_id: uuid.UUID, _: Operator,
                                  db: DbSession) -> None:
    await staff.remove(db, code, person_id)


@api.get("/persons", summary="按姓名查找已注册人员（运维人员指定工作人员用）")
async def find_persons(name: Annotated[str, Query(min_length=1, max_length=50)], _: Operator,
                       db: DbSession) -> list[PersonOut]:
    return [PersonOut(id=p.id, name=p.name, id_number_masked=p.id_number_masked)
            for p in await staff.find_persons(db, name)]


@api.get("/units", summary="按名称搜索单位")
async def search(_: CurrentPrincipal, db: ReadSession, page: Page,
                 q: Annotated[str, Query(max_length=100)] = "") -> Paged[UnitBrief]:
    return await search_units(db, q, page)


@api.post("/units", status_code=201, summary="注册单位（法人账号）")
async def register(data: UnitIn, principal: CurrentPrincipal, db: DbSession, response: Response) -> UnitOut:
    unit = await registration.register(db, principal, data)
    response.headers["X-Session-Changed"] = "1"  # the account's token now names its unit
    return await registration.unit_out(db, unit)


@api.get("/units/mine", summary="本人可以经办的单位")
async def my_units(principal: CurrentPrincipal, db: ReadSession) -> list[UnitOut]:
    return [await registration.unit_out(db, u) for u in await access.units_of(db, principal)]


@api.get("/units/{unit_id}", summary="单位信息")
async def get_unit(unit_id: uuid.UUID, principal: CurrentPrincipal, db: ReadSession) -> UnitOut | UnitBrief:
    unit = await access.get_unit(db, unit_id)
    try:
        await access.acting_for(db, principal, unit_id)
    except Forbidden:  # others see the public part only
        return UnitBrief(id=unit.id, name=unit.name, address=unit.address,
                         department_name=await registration.department_name(db, unit.department_code))
    return await registration.unit_out(db, unit)


@api.put("/units/{unit_id}", summary="修改单位信息（法人账号）")
async def update_unit(unit_id: uuid.UUID, data: UnitUpdate, principal: CurrentPrincipal, db: DbSession) -> UnitOut:
    unit = await access.legal_person_of(db, principal, unit_id)
    return await registration.unit_out(db, await registration.update(db, unit, data))


@api.get("/units/{unit_id}/reviewers", summary="经办人列表")
async def list_reviewers(unit_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> list[ReviewerOut]:
    unit = await access.acting_for(db, principal, unit_id)
    return [ReviewerOut.model_validate(r) for r in await reviewers.of_unit(db, unit)]


@api.post("/units/{unit_id}/reviewers", status_code=201, summary="指定经办人（法人账号）")
async def add_reviewer(unit_id: uuid.UUID, data: ReviewerIn, principal: CurrentPrincipal, db: DbSession,
                       identity: Identity) -> ReviewerOut:
    unit = await access.legal_person_of(db, principal, unit_id)
    return ReviewerOut.model_validate(await reviewers.add(db, identity, unit, data.id_number))


@api.delete("/units/{unit_id}/reviewers/{person_id}", status_code=204, summary="移除经办人（法人账号）")
async def remove_reviewer(unit_id: uuid.UUID, person_id: uuid.UUID, principal: CurrentPrincipal,
                          db: DbSession) -> None:
    unit = await access.legal_person_of(db, principal, unit_id)
    await reviewers.remove(db, unit, person_id)


@api.post("/bindings", status_code=201, summary="申请绑定工作单位")
async def request_binding(data: BindingIn, person: CurrentPerson, db: DbSession) -> BindingOut:
    binding, unit = await bindings.request(db, person, data)
    return bindings.binding_out(binding, unit.name)


@api.get("/bindings", summary="绑定申请：本人的，或（经办人）某单位的")
async def list_bindings(principal: CurrentPrincipal, db: DbSession, page: Page,
                        unit_id: uuid.UUID | None = None,
                        status: Literal["pending", "approved", "rejected", "ended", "withdrawn"] | None = None,
                        ) -> Paged[BindingOut]:
    if unit_id is None:
        if principal.kind != "person":
            raise Forbidden("请指定单位", code="unit_required")
        items = [b for b in (await bindings.mine(db, principal)).history if not status or b.status == status]
        return Paged(items=items[page.offset:page.offset + page.page_size], total=len(items), page=page.page,
                     page_size=page.page_size)
    unit = await access.acting_for(db, principal, unit_id)
    return await bindings.of_unit(db, unit, status, page)


@api.get("/bindings/mine", summary="本人的工作单位与申请")
async def my_binding(person: CurrentPerson, db: ReadSession) -> MyUnit:
    return await bindings.mine(db, person)


@api.get("/bindings/{binding_id}", summary="绑定申请详情")
async def get_binding(binding_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> BindingOut:
    return await bindings.visible(db, principal, binding_id)


@api.post("/bindings/{binding_id}/approve", summary="通过绑定申请")
async def approve(binding_id: uuid.UUID, principal: CurrentPrincipal, db: DbSession) -> BindingOut:
    return _out(*await bindings.approve(db, principal, binding_id))


@api.post("/bindings/{binding_id}/reject", summary="退回绑定申请")
async def reject(binding_id: uuid.UUID, data: ReasonIn, principal: CurrentPrincipal, db: DbSession) -> BindingOut:
    return _out(*await bindings.reject(db, principal, binding_id, data.reason))


@api.post("/bindings/{binding_id}/end", summary="解除绑定（单位）")
async def end(binding_id: uuid.UUID, data: ReasonIn, principal: CurrentPrincipal, db: DbSession) -> BindingOut:
    return _out(*await bindings.end(db, principal, binding_id, data.reason))


@api.post("/bindings/{binding_id}/withdraw", summary="撤回本人的绑定申请")
async def withdraw(binding_id: uuid.UUID, person: CurrentPerson, db: DbSession) -> BindingOut:
    return _out(*await bindings.withdraw(db, person, binding_id))
