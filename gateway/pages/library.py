"""个人业绩库 (a person's library, one tab per entry type) and the unit workspace's 业绩审核."""
from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gateway.pages.common import (
    PersonPage,
    UnitDesk,
    Visitor,
    back_to,
    back_with_error,
    error_page,
    fetch,
    fetch_json,
    problem_fields,
    render,
)
from gateway.pages.files import Unavailable, files_by_id
from gateway.pages.units import desk_page, unit_of
from shared.entry_types import ENTRY_TYPES

router = APIRouter(include_in_schema=False)


# The entry types are the platform's own data (shared/entry_types.py): read them here rather
# than asking library on every page.
TYPES = [{"code": t.code, "name": t.name, "series": t.series,
          "fields": [{"code": f.code, "label": f.label, "type": f.type, "required": f.required,
                      "choices": list(f.choices)} for f in t.fields]} for t in ENTRY_TYPES.values()]


async def _types(who: Visitor) -> list[dict]:
    return TYPES


def _posted_fields(form, kind: dict) -> dict:
    return {f["code"]: str(form.get(f"f_{f['code']}", "")).strip() for f in kind["fields"]}


def _posted_files(form) -> list[str]:
    return [v for v in form.getlist("file_ids") if v]


async def _attachments(who: Visitor, entries: list[dict]) -> dict[str, dict | None] | None:
    """The entries' files by id (None for one that is gone); None when documents does not answer,
    so that pages still show the entries, with plain links instead of names and previews."""
    try:
        return await files_by_id(who, (f for e in entries for f in e["attachment_ids"]))
    except Unavailable:
        return None


async def _library(request: Request, who: Visitor, type_code: str | None) -> Response:
    types = await _types(who)
    kind = next((t for t in types if t["code"] == type_code), types[0])
    listing = await fetch_json(who, "library", "/api/library/entries", params={"type": kind["code"], "page_size": 100})
    stats = {s["type"]: s["total"] for s in await fetch_json(who, "library", "/api/library/stats")}
    return render(request, "library/index.html", who, types=types, kind=kind,
                  entries=listing["items"], files=await _attachments(who, listing["items"]), stats=stats,
                  unit_id=who.principal.claims.get("unit_id") if who.principal else None)


@router.get("/library")
async def index(request: Request, who: PersonPage, type: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    return await _library(request, who, type)


async def _form(request: Request, who: Visitor, kind: dict, *, entry: dict | None, values: dict, files: list[str],
                errors: dict | None = None, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "library/form.html", who, status_code=status_code, kind=kind, entry=entry, values=values,
                  file_ids=files, errors=errors or {}, error=error)


@router.get("/library/new")
async def new(request: Request, who: PersonPage, type: Annotated[str, Query(max_length=40)]) -> Response:
    kind = next((t for t in await _types(who) if t["code"] == type), None)
    if kind is None:
        return error_page(request, who, 404, "未找到", "没有这种业绩类型")
    return await _form(request, who, kind, entry=None, values={}, files=[])


@router.get("/library/{entry_id}/edit")
async def edit(entry_id: str, request: Request, who: PersonPage) -> Response:
    response = await fetch(who, "library", f"/api/library/entries/{entry_id}", accept=(200, 404, 422))
    if response.status_code != 200:
        return error_page(request, who, 404, "未找到", "未找到该业绩")
    entry = response.json()
    kind = next(t for t in await _types(who) if t["code"] == entry["type"])
    values = {k: "" if v is None else str(v) for k, v in entry["fields"].items()}
    return await _form(request, who, kind, entry=entry, values=values, files=entry["attachment_ids"])


# The form posts to its own address: refused, it is shown again (with what was typed) where it was.
@router.post("/library/new")
@router.post("/library/{entry_id}/edit")
async def save(request: Request, who: PersonPage) -> Response:
    form = await request.form()
    type_code, entry_id = str(form.get("type", "")), str(form.get("entry_id", ""))
    kind = next((t for t in await _types(who) if t["code"] == type_code), None)
    if kind is None:
        return error_page(request, who, 422, "填写内容有误", "没有这种业绩类型")
    values, files = _posted_fields(form, kind), _posted_files(form)
    body = {"fields": {k: v or None for k, v in values.items()}, "attachment_ids": files}
    if entry_id:
        response = await who.call("PUT", "library", f"/api/library/entries/{entry_id}", json=body)
    else:
        response = await who.call("POST", "library", "/api/library/entries", json={"type": type_code, **body})
    if response.status_code in (200, 201):
        return back_to(f"/library?type={type_code}", _saved_notice(who, response.json()))
    errors, detail = problem_fields(response)
    entry = {"id": entry_id} if entry_id else None
    return await _form(request, who, kind, entry=entry, values=values, files=files, errors=errors, error=detail,
                       status_code=response.status_code)


def _saved_notice(who: Visitor, entry: dict) -> str:
    """What to do next depends on the entry (a new version of an approved one?) and on whether the
    person is bound to a unit now."""
    bound = bool(who.principal and who.principal.claims.get("unit_id"))
    new_version = entry.get("approved") is not None
    return ("entry_version_saved" if new_version else "entry_saved") + ("" if bound else "_no_unit")


async def _act(request: Request, who: Visitor, entry_id: str, action: str, notice: str) -> Response:
    type_code = str((await request.form()).get("type", ""))
    method, path = ("DELETE", f"/api/library/entries/{entry_id}") if action == "delete" else \
        ("POST", f"/api/library/entries/{entry_id}/{action}")
    response = await who.call(method, "library", path)
    if response.status_code in (200, 204):
        return back_to(f"/library?type={type_code}", notice)
    return back_with_error(request, f"/library?{urlencode({'type': type_code})}", problem_fields(response)[1])


@router.post("/library/{entry_id}/submit")
async def submit(entry_id: str, request: Request, who: PersonPage) -> Response:
    return await _act(request, who, entry_id, "submit", "entry_submitted")


@router.post("/library/{entry_id}/withdraw")
async def withdraw(entry_id: str, request: Request, who: PersonPage) -> Response:
    return await _act(request, who, entry_id, "withdraw", "entry_withdrawn")


@router.post("/library/{entry_id}/delete")
async def delete(entry_id: str, request: Request, who: PersonPage) -> Response:
    return await _act(request, who, entry_id, "delete", "entry_deleted")


# --- 业绩审核 in the unit workspace ---------------------------------------------------------------

async def _review(request: Request, who: Visitor, *, page: int = 1) -> Response:
    unit = await unit_of(request, who)
    # No queue yet: empty (a just-registered unit reaches the visitor's token a moment later).
    listing, types, files = {"items": [], "total": 0}, [], {}
    if unit:
        # 403 until a just-registered unit reaches the visitor's token: an empty queue meanwhile.
        response = await fetch(who, "library", "/api/library/review-queue", accept=(200, 403),
                               params={"unit_id": unit["id"], "page": page, "page_size": 20})
        if response.status_code == 200:
            listing = response.json()
        types = await _types(who)
        # Which attachments have a preview (PDF and OFD have none): only those are asked for one.
        files = await _attachments(who, listing.get("items", []))
    return await desk_page(request, who, "library/review.html", "entries", unit=unit,
                           listing=listing, types={t["code"]: t for t in types}, files=files)


@router.get("/unit/entries")
async def review(request: Request, who: UnitDesk, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    return await _review(request, who, page=page)


@router.post("/unit/entries/decide")
async def decide(request: Request, who: UnitDesk) -> Response:
    """One entry (its row's 通过/退回 button) or the checked ones (批量通过/批量退回)."""
    form = await request.form()
    action = str(form.get("action", ""))
    ids = [str(form.get("entry_id"))] if form.get("entry_id") else list(form.getlist("entry_ids"))
    reason = str(form.get("reason", "")).strip() or None
    back = "/unit/entries"
    if action not in ("approve", "return") or not ids:
        return back_with_error(request, back, "请先勾选要审核的业绩")
    response = await who.call("POST", "library", "/api/library/review/batch",
                              json={"entry_ids": ids, "action": action, "reason": reason})
    if response.status_code != 200:
        return back_with_error(request, back, problem_fields(response)[1])
    result = response.json()
    if result["failed"]:
        return back_with_error(request, back, "部分业绩未能处理：" + "；".join(result["failed"].values()))
    return back_to("/unit/entries", "entries_approved" if action == "approve" else "entries_returned")
