"""Pages of the platform's operators (运维人员): the staff (工作人员) of each 主管部门, who decide at
the 主管部门 stage over the applications of its units. Everything goes through the units API as
the visitor, which refuses anyone without the operator role itself."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from gateway.pages.common import (
    ANY_ANSWER,
    NOTICES,
    PageRefused,
    PersonPage,
    Visitor,
    back_to,
    back_with_error,
    fetch,
    fetch_json,
    problem_fields,
    render,
)

router = APIRouter(include_in_schema=False)

NOTICES.update({"department_staff_added": "已指定为该主管部门的工作人员。",
                "department_staff_removed": "已移除该工作人员。"})


async def _operator(who: PersonPage) -> Visitor:
    if not who.principal.has("operator"):
        raise PageRefused("此页面仅供平台运维人员使用",
                          "主管部门工作人员由平台运维人员指定。如需成为某主管部门的工作人员，请联系平台运维人员。", who=who)
    return who


OperatorPage = Annotated[Visitor, Depends(_operator)]


async def _department(who: Visitor, code: str) -> dict:
    """The department of the address; a code that is none of them is a page not found."""
    departments = await fetch_json(who, "units", "/api/units/departments")
    found = next((d for d in departments if d["code"] == code), None)
    if found is None:
        raise PageRefused("未找到该主管部门", "请从主管部门列表中选择。", 404, who=who)
    return found


def _person_id(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


@router.get("/operator/departments")
async def departments(request: Request, who: OperatorPage) -> Response:
    listing = await fetch_json(who, "units", "/api/units/departments")
    staff: dict[str, list[dict]] = {}
    for row in await fetch_json(who, "units", "/api/units/departments/staff"):
        staff.setdefault(row["department_code"], []).append(row)
    return render(request, "operator/departments.html", who, departments=listing, staff=staff)


@router.get("/operator/departments/{code}")
async def department(request: Request, who: OperatorPage, code: str,
                     name: Annotated[str, Query(max_length=50)] = "") -> Response:
    found = await _department(who, code)
    staff = await fetch_json(who, "units", f"/api/units/departments/{code}/staff")
    persons = None  # not searched yet (an empty list: searched, nobody of that name)
    if name.strip():
        persons = await fetch_json(who, "units", "/api/units/persons", params={"name": name.strip()})
    return render(request, "operator/department.html", who, department=found, staff=staff, name=name.strip(),
                  persons=persons, staff_ids={s["person_id"] for s in staff})


@router.post("/operator/departments/{code}/staff")
async def add_staff(request: Request, who: OperatorPage, code: str) -> Response:
    found = await _department(who, code)
    back = f"/operator/departments/{found['code']}"
    person_id = _person_id(str((await request.form()).get("person_id", "")))
    if person_id is None:
        return back_with_error(request, back, "请先按姓名查找，再从结果中选择人员")
    response = await fetch(who, "units", f"/api/units/departments/{found['code']}/staff", method="POST",
                           accept=ANY_ANSWER, json={"person_id": person_id})
    if response.status_code == 201:
        return back_to(back, "department_staff_added")
    return back_with_error(request, back, problem_fields(response)[1])


@router.post("/operator/departments/{code}/staff/{person_id}/remove")
async def remove_staff(request: Request, who: OperatorPage, code: str, person_id: str) -> Response:
    found = await _department(who, code)
    back = f"/operator/departments/{found['code']}"
    if (checked := _person_id(person_id)) is None:
        return back_with_error(request, back, "该人员不是此主管部门的工作人员")
    response = await fetch(who, "units", f"/api/units/departments/{found['code']}/staff/{checked}",
                           method="DELETE", accept=ANY_ANSWER)
    if response.status_code == 204:
        return back_to(back, "department_staff_removed")
    return back_with_error(request, back, problem_fields(response)[1])
