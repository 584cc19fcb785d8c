"""公示 and 异议: the public notices (no login: the list and one notice, only name, unit, title and
major), a logged-in person's objection to one applicant, and 公示管理 for whoever publishes them
(a unit's 经办人 and legal-person account, a plan's organiser administrators): publish, read the
objections with their evidence and resolve them, 发放证书 after a results notice.
The gateway limits the public pages like 证书查验 (ratelimit.verification)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.upstream import call, fetch, open_link
from gateway.pages.common import (
    AnyVisitor,
    DeciderPage,
    PageRefused,
    PersonPage,
    Visitor,
    after_batch,
    back_to,
    back_with_error,
    problem_fields,
    render,
)

router = APIRouter(include_in_schema=False)


# --- public -------------------------------------------------------------------------------------
@router.get("/notices")
async def public_list(request: Request, who: AnyVisitor, page: int = 1) -> Response:
    listing = await fetch(who, "/public/notices", params={"page": max(1, min(page, 1000)), "page_size": 20})
    return render(request, "notices/list.html", who, listing=listing)


async def _notice_page(request: Request, who: Visitor, notice_id: str) -> Response:
    notice = await fetch(who, f"/public/notices/{notice_id}")
    person = who.principal is not None and who.principal.kind == "person"
    mine = await fetch(who, "/objections", params={"notice_id": notice["id"]}) if person else []
    return render(request, "notices/notice.html", who, n=notice, can_object=person and notice["state"] == "running",
                  mine=mine)


@router.get("/notices/{notice_id}")
async def public_notice(request: Request, who: AnyVisitor, notice_id: str) -> Response:
    return await _notice_page(request, who, notice_id)


async def _objection_form(request: Request, who: Visitor, notice_id: str, entry_id: str, *,
                          values: dict | None = None, errors: dict | None = None, error: str | None = None,
                          status_code: int = 200) -> Response:
    notice = await fetch(who, f"/public/notices/{notice_id}")
    entry = next((e for e in notice["entries"] if e["id"] == entry_id), None)
    if entry is None:
        raise PageRefused("未找到", "未找到该公示对象", 404)
    return render(request, "notices/objection.html", who, status_code=status_code, n=notice, entry=entry,
                  values=values or {"reason": "", "file_ids": []}, errors=errors or {}, error=error)


@router.get("/notices/{notice_id}/objection")
async def objection_form(request: Request, who: PersonPage, notice_id: str, entry: str = "") -> Response:
    """提出异议: a reason and evidence (the person's files), to one applicant of the notice."""
    return await _objection_form(request, who, notice_id, entry[:40])


@router.post("/notices/{notice_id}/objection")
async def object_to(request: Request, who: PersonPage, notice_id: str) -> Response:
    form = await request.form()
    entry = str(form.get("entry_id", ""))[:40]
    values = {"reason": str(form.get("reason", "")), "file_ids": [str(f) for f in form.getlist("file_ids") if f]}
    response = await call(who, "POST", f"/notices/{notice_id}/objections", json={"entry_id": entry, **values})
    if response.status_code != 201:
        errors, detail = problem_fields(response)
        return await _objection_form(request, who, notice_id, entry, values=values, errors=errors, error=detail,
                                     status_code=response.status_code)
    return back_to(f"/notices/{notice_id}", "objection_filed")


# --- 公示管理 ------------------------------------------------------------------------------------
@router.get("/reviews/notices")
async def desk(request: Request, who: DeciderPage) -> Response:
    """What the caller may publish now (with the number of working days), and what they published."""
    return render(request, "notices/desk.html", who, desk=await fetch(who, "/notices/desk"))


@router.post("/reviews/notices")
async def publish(request: Request, who: DeciderPage) -> Response:
    form = await request.form()
    days = str(form.get("workdays", ""))
    response = await call(who, "POST", "/notices", json={
        "kind": str(form.get("kind", "")), "plan_id": str(form.get("plan_id", "")),
        "unit_id": str(form.get("unit_id", "")) or None, "workdays": int(days) if days.isdigit() else 0})
    if response.status_code != 201:
        return back_with_error(request, "/reviews/notices", problem_fields(response)[1])
    return back_to(f"/reviews/notices/{response.json()['id']}", "notice_published")


@router.get("/reviews/notices/{notice_id}")
async def managed(request: Request, who: DeciderPage, notice_id: str) -> Response:
    """One notice of the caller's: its applicants, the objections (evidence, resolution), 发放证书."""
    notice = await fetch(who, f"/notices/{notice_id}")
    objections = await fetch(who, f"/notices/{notice_id}/objections")
    names: dict[str, str] = {}  # the evidence's names (each opens through this page's own address, below)
    for o in objections:
        links = await call(who, "GET", f"/objections/{o['id']}/files")
        if links.status_code == 200:  # while documents is down the files are only numbered
            names.update({f["file_id"]: f["name"] for f in links.json()})
    return render(request, "notices/managed.html", who, n=notice, objections=objections, names=names)


@router.post("/reviews/notices/{notice_id}")
async def act(request: Request, who: DeciderPage, notice_id: str) -> Response:
    """do=resolve: 异议成立 / 不成立 with a note; do=issue: 发放证书 after the results notice."""
    form = await request.form()
    do, page = str(form.get("do", "")), f"/reviews/notices/{notice_id}"
    if do == "resolve":
        objection_id = str(form.get("objection_id", ""))[:40]
        outcome = str(form.get("sustained", ""))
        if outcome not in ("yes", "no"):
            return back_with_error(request, f"{page}#objection-{objection_id}", "请选择异议是否成立")
        response = await call(who, "POST", f"/objections/{objection_id}/resolution",
                              json={"sustained": outcome == "yes", "note": str(form.get("note", ""))})
        if response.status_code != 200:
            return back_with_error(request, f"{page}#objection-{objection_id}", problem_fields(response)[1])
        return back_to(page, "objection_sustained" if outcome == "yes" else "objection_dismissed")
    if do != "issue":
        raise PageRefused("未找到", "不支持该操作。", 404)
    response = await call(who, "POST", f"/notices/{notice_id}/certificates")
    if response.status_code != 200:
        return back_with_error(request, page, problem_fields(response)[1])
    return after_batch(request, page, response.json(), did="发放", unit="张证书", notice="certificates_issued")


@router.get("/reviews/notices/{notice_id}/objections/{objection_id}/files/{file_id}")
async def open_evidence(who: DeciderPage, notice_id: str, objection_id: str, file_id: str) -> Response:
    """An objection's evidence, through a link made now (the service checks who may see it)."""
    return await open_link(who, f"/objections/{objection_id}/files", file_id, "未找到该证明材料")
