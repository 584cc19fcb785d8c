"""个人中心: 个人信息, 完善信息 (edit what may be edited), 变更单位, 我的职称 (with each 电子职称证书)."""
from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.common import (
    PageRefused,
    PersonPage,
    Visitor,
    back_to,
    back_with_error,
    fetch_json,
    problem_fields,
    render,
)
from gateway.pages.common import fetch as fetch_from
from gateway.pages.verify import verification_url

router = APIRouter(include_in_schema=False)


async def _me(who: Visitor) -> dict:
    return await fetch_json(who, "identity", "/api/identity/me")


@router.get("/me")
async def info(request: Request, who: PersonPage) -> Response:
    return render(request, "me/info.html", who, me=await _me(who), tab="info")


@router.get("/me/edit")
async def edit(request: Request, who: PersonPage) -> Response:
    me = await _me(who)
    return render(request, "me/edit.html", who, me=me, values=me, errors={}, tab="info")


@router.post("/me/edit")
async def save(request: Request, who: PersonPage) -> Response:
    posted = await request.form()
    values = {k: str(posted.get(k, "")).strip() for k in ("mobile", "address", "email")}
    response = await who.call("PATCH", "identity", "/api/identity/me",
                              json={**values, "email": values["email"] or None})
    if response.status_code == 200:
        return back_to("/me", "profile_saved")
    errors, detail = problem_fields(response)
    return render(request, "me/edit.html", who, status_code=response.status_code, me=await _me(who), values=values,
                  errors=errors, error=detail, tab="info")


async def _unit_page(request: Request, who: Visitor, *, values: dict | None = None, errors: dict | None = None,
                     error: str | None = None, status_code: int = 200) -> Response:
    mine = await fetch_json(who, "units", "/api/units/bindings/mine")
    return render(request, "me/unit.html", who, status_code=status_code, mine=mine, values=values or {},
                  errors=errors or {}, error=error, tab="unit")


@router.get("/me/unit")
async def unit(request: Request, who: PersonPage) -> Response:
    return await _unit_page(request, who)


@router.post("/me/unit")
async def request_binding(request: Request, who: PersonPage) -> Response:
    posted = await request.form()
    values = {k: str(posted.get(k, "")).strip() for k in ("unit_id", "unit_name", "note")}
    if not values["unit_id"]:
        return await _unit_page(request, who, values=values, errors={"unit_id": "请先搜索并选择工作单位"},
                                error="请先搜索并选择工作单位", status_code=422)
    response = await who.call("POST", "units", "/api/units/bindings",
                              json={"unit_id": values["unit_id"], "note": values["note"]})
    if response.status_code == 201:
        return back_to("/me/unit", "binding_requested")
    errors, detail = problem_fields(response)
    return await _unit_page(request, who, values=values, errors=errors, error=detail, status_code=response.status_code)


@router.post("/me/unit/{binding_id}/withdraw")
async def withdraw(binding_id: str, request: Request, who: PersonPage) -> Response:
    response = await who.call("POST", "units", f"/api/units/bindings/{binding_id}/withdraw")
    if response.status_code == 200:
        return back_to("/me/unit", "binding_withdrawn")
    return back_with_error(request, "/me/unit", problem_fields(response)[1])


@router.get("/me/titles")
async def titles(request: Request, who: PersonPage) -> Response:
    """我的职称: the person's 电子职称证书 with their 证书编号."""
    certificates = await fetch_json(who, "applications", "/api/applications/certificates")
    return render(request, "me/titles.html", who, certificates=certificates, tab="titles")


@router.get("/me/titles/{certificate_id}")
async def certificate(request: Request, who: PersonPage, certificate_id: str) -> Response:
    """电子职称证书, printable, with the QR code of its public verification."""
    found = await fetch_from(who, "applications", f"/api/applications/certificates/{quote(certificate_id, safe='')}",
                             accept=(200, 404, 422))
    if found.status_code != 200:
        raise PageRefused("未找到", "未找到该职称证书。", 404, who=who)
    c = found.json()
    return render(request, "me/certificate.html", who, c=c, verify_url=verification_url(request, c["number"]))
