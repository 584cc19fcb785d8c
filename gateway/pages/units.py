"""The unit workspace (单位工作台) of a unit's legal person and its 经办人: register the unit,
review binding requests, see and end the staff's bindings, keep the unit's details, name
经办人. Also the unit search that 选择单位 uses."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from gateway.pages.common import (
    AnyVisitor,
    RedirectTo,
    UnitDesk,
    Visitor,
    back_to,
    back_with_error,
    error_page,
    fetch_json,
    problem_fields,
    render,
)

router = APIRouter(include_in_schema=False)


@router.get("/ui/units/search")
async def search(request: Request, who: AnyVisitor, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    if who.principal is None:
        raise RedirectTo("/login")
    result = {"items": [], "total": 0}
    if q.strip():
        result = await fetch_json(who, "units", "/api/units/units", params={"q": q, "page_size": 10})
    return render(request, "units/_search_results.html", who, q=q.strip(), result=result)


async def unit_of(request: Request, who: Visitor) -> dict | None:
    """The unit this visitor works for (``?unit=`` picks one when a 经办人 serves several)."""
    units = await fetch_json(who, "units", "/api/units/units/mine")
    wanted = request.query_params.get("unit")
    return next((u for u in units if u["id"] == wanted), units[0] if units else None)


def _is_legal(who: Visitor) -> bool:
    return who.principal is not None and who.principal.kind == "unit"


async def desk_page(request: Request, who: Visitor, template: str, tab: str, *, unit: dict | None = None,
                    status_code: int = 200, **context) -> Response:
    """A page of the workspace (its tabs need the unit); ``unit`` when the caller has it already."""
    unit = unit or await unit_of(request, who)
    if unit is None:
        if _is_legal(who):
            raise RedirectTo("/unit/register")
        return error_page(request, who, 403, "无权访问", "您不是任何单位的经办人")
    return render(request, template, who, status_code=status_code, unit=unit, tab=tab, legal=_is_legal(who),
                  **context)


# --- registration of the unit by its legal person ----------------------------------------------

async def _register_form(request: Request, who: Visitor, values: dict, errors: dict | None = None,
                         error: str | None = None, status_code: int = 200) -> Response:
    departments = await fetch_json(who, "units", "/api/units/departments")
    return render(request, "unit/register.html", who, status_code=status_code, values=values, errors=errors or {},
                  error=error, departments=departments, account=await fetch_json(who, "identity", "/api/identity/me"))


@router.get("/unit/register")
async def register_page(request: Request, who: UnitDesk) -> Response:
    if not _is_legal(who) or await unit_of(request, who):
        return RedirectResponse("/unit/home", status_code=303)
    return await _register_form(request, who, values={})


@router.post("/unit/register")
async def register(request: Request, who: UnitDesk) -> Response:
    posted = await request.form()
    values = {k: str(posted.get(k, "")).strip()
              for k in ("name", "credit_code", "address", "contact_name", "contact_phone", "department_code")}
    response = await who.call("POST", "units", "/api/units/units", json=values)
    if response.status_code == 201:
        request.app.state.broker.forget(request.cookies["zc_session"])  # the token should name the unit
        return back_to("/unit/home", "unit_registered")
    errors, detail = problem_fields(response)
    return await _register_form(request, who, values, errors, detail, response.status_code)


# --- the workspace -------------------------------------------------------------------------------

async def _bindings_view(request: Request, who: Visitor, status: str, page: int = 1) -> Response:
    unit = await unit_of(request, who)
    params = {"unit_id": unit["id"], "status": status, "page": page, "page_size": 20} if unit else {}
    listing = await fetch_json(who, "units", "/api/units/bindings", params=params) if unit else \
        {"items": [], "total": 0, "page": 1, "page_size": 20}
    return await desk_page(request, who, "unit/bindings.html", "staff" if status == "approved" else "pending", unit=unit,
                           listing=listing, status=status)


@router.get("/unit/home")
async def home(request: Request, who: UnitDesk) -> Response:
    return await _bindings_view(request, who, "pending")


@router.get("/unit/bindings")
async def pending(request: Request, who: UnitDesk, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    return await _bindings_view(request, who, "pending", page)


@router.get("/unit/staff")
async def staff(request: Request, who: UnitDesk, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    return await _bindings_view(request, who, "approved", page)


async def _decide(request: Request, who: Visitor, binding_id: str, action: str, done: str, back: str) -> Response:
    posted = await request.form()
    body = {"reason": str(posted.get("reason", "")).strip()} if action != "approve" else None
    response = await who.call("POST", "units", f"/api/units/bindings/{binding_id}/{action}", json=body)
    if response.status_code == 200:
        return back_to(back, done)
    return back_with_error(request, back, problem_fields(response)[1])


@router.post("/unit/bindings/{binding_id}/approve")
async def approve(binding_id: str, request: Request, who: UnitDesk) -> Response:
    return await _decide(request, who, binding_id, "approve", "binding_approved", "/unit/bindings")


@router.post("/unit/bindings/{binding_id}/reject")
async def reject(binding_id: str, request: Request, who: UnitDesk) -> Response:
    return await _decide(request, who, binding_id, "reject", "binding_rejected", "/unit/bindings")


@router.post("/unit/bindings/{binding_id}/end")
async def end(binding_id: str, request: Request, who: UnitDesk) -> Response:
    return await _decide(request, who, binding_id, "end", "binding_ended", "/unit/staff")


@router.get("/unit/info")
async def info(request: Request, who: UnitDesk) -> Response:
    departments = await fetch_json(who, "units", "/api/units/departments")
    return await desk_page(request, who, "unit/info.html", "info", departments=departments, values=None, errors={})


@router.post("/unit/info")
async def save_info(request: Request, who: UnitDesk) -> Response:
    unit = await unit_of(request, who)
    posted = await request.form()
    values = {k: str(posted.get(k, "")).strip() for k in ("address", "contact_name", "contact_phone", "department_code")}
    response = await who.call("PUT", "units", f"/api/units/units/{unit['id'] if unit else 'none'}", json=values)
    if response.status_code == 200:
        return back_to("/unit/info", "unit_saved")
    errors, detail = problem_fields(response)
    departments = await fetch_json(who, "units", "/api/units/departments")
    return await desk_page(request, who, "unit/info.html", "info", departments=departments, values=values,
                       errors=errors, error=detail)


async def _reviewers_view(request: Request, who: Visitor, *, values: dict | None = None,
                          errors: dict | None = None, error: str | None = None) -> Response:
    unit = await unit_of(request, who)
    listing = await fetch_json(who, "units", f"/api/units/units/{unit['id']}/reviewers") if unit else []
    return await desk_page(request, who, "unit/reviewers.html", "reviewers", unit=unit, reviewers=listing, values=values or {},
                       errors=errors or {}, error=error)


@router.get("/unit/reviewers")
async def reviewers(request: Request, who: UnitDesk) -> Response:
    return await _reviewers_view(request, who)


@router.post("/unit/reviewers")
async def add_reviewer(request: Request, who: UnitDesk) -> Response:
    unit = await unit_of(request, who)
    id_number = str((await request.form()).get("id_number", "")).strip()
    response = await who.call("POST", "units", f"/api/units/units/{unit['id'] if unit else 'none'}/reviewers",
                              json={"id_number": id_number})
    if response.status_code == 201:
        return back_to("/unit/reviewers", "reviewer_added")
    errors, detail = problem_fields(response)
    return await _reviewers_view(request, who, values={"id_number": id_number}, errors=errors, error=detail)


@router.post("/unit/reviewers/{person_id}/remove")
async def remove_reviewer(person_id: str, request: Request, who: UnitDesk) -> Response:
    unit = await unit_of(request, who)
    response = await who.call("DELETE", "units", f"/api/units/units/{unit['id'] if unit else 'none'}/reviewers/{person_id}")
    if response.status_code == 204:
        return back_to("/unit/reviewers", "reviewer_removed")
    return back_with_error(request, "/unit/reviewers", problem_fields(response)[1])
