"""申报审核: the deciders' workspace — their desks with what waits, the queue (one by one or a
batch), and an application read-only (申报一览表, 附件一览表, the timeline) with the decision form.
Who decides what is the applications service's to say; these pages only show its answers."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.draft import EXTRA_NAMES
from gateway.pages.applications.summaries import attachment_rows
from gateway.pages.applications.upstream import call, fetch, open_link
from gateway.pages.common import (
    DeciderPage,
    Visitor,
    after_batch,
    back_to,
    back_with_error,
    problem_fields,
    render,
)
from shared.entry_types import ENTRY_TYPES
from shared.vocabulary import LEVELS

router = APIRouter(include_in_schema=False)

OUTCOMES = {"pass": "通过", "return": "退回修改", "reject": "不通过"}
# 不通过 is final: one by one, after reading the application — except a 评委会's decision list
# (the service refuses a batch 不通过 at any other stage, application by application).
BATCH_OUTCOMES = ("pass", "return", "reject")


@router.get("/reviews")
async def queue(request: Request, who: DeciderPage, view: str = "waiting", q: str = "", page: int = 1) -> Response:
    view = view if view in ("waiting", "decided") else "waiting"
    desks = await fetch(who, "/reviews/desks")
    listing = await fetch(who, "/reviews", params={"view": view, "person_name": q[:50], "page": max(1, min(page, 1000)),
                                                  "page_size": 50})
    return render(request, "applications/reviews.html", who, desks=desks, listing=listing, view=view, q=q[:50],
                  committee=any(d["party"] == "committee" for d in desks))


@router.post("/reviews/batch")
async def decide_batch(request: Request, who: DeciderPage) -> Response:
    """批量通过 / 批量退回修改 (/ 批量不通过 at a 评委会 stage) of the checked rows; each row carries the
    version it was seen at."""
    form = await request.form()
    outcome = str(form.get("outcome", ""))
    items = []
    for value in form.getlist("picked"):
        application_id, _, version = str(value).partition(":")
        if version.isdigit():
            items.append({"application_id": application_id, "version": int(version)})
    if outcome not in BATCH_OUTCOMES or not items:
        return back_with_error(request, "/reviews", "请先勾选要审核的申报")
    response = await call(who, "POST", "/reviews/decisions",
                          json={"applications": items, "outcome": outcome, "reason": str(form.get("reason", ""))})
    if response.status_code != 200:
        return back_with_error(request, "/reviews", problem_fields(response)[1])
    return after_batch(request, "/reviews", response.json(), did="处理", notice="reviews_decided")


async def files_of(who: Visitor, application_id: str, *, api: str = "/reviews",
                   page: str = "/reviews") -> dict[str, dict[str, Any]]:
    """The application's files as the templates use them: a name, a thumbnail, and where to open
    them — this page's own address, which asks for a fresh short-lived link on each click (a
    reviewer may read for longer than a link lives). While documents is down the page says
    "附件暂时无法显示". ``api`` / ``page``: the committee's experts read them at their own addresses."""
    response = await call(who, "GET", f"{api}/{application_id}/files")
    if response.status_code != 200:
        return {}
    base = f"{page}/{application_id}/files"
    return {f["file_id"]: {"display_name": f["name"], "href": f"{base}/{f['file_id']}",
                           "thumbnail": f["thumbnail_url"]}
            for f in response.json()}


def readonly(app: dict, files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What the read-only application (申报一览表, 附件一览表) needs besides the application."""
    types = {t for s in app["sections"] for t in s["entry_types"]}
    return {"app": app, "files": files, "rows": [(files.get(f), f, used) for f, used in attachment_rows(app)],
            "levels": LEVELS, "extra_name": EXTRA_NAMES.get(app["form"]),
            "entry_fields": {t: ENTRY_TYPES[t].fields for t in types if t in ENTRY_TYPES}}


@router.get("/reviews/{application_id}/files/{file_id}")
async def open_file(who: DeciderPage, application_id: str, file_id: str) -> Response:
    """A file of the application, through a link made now (the service checks who may see it)."""
    return await open_link(who, f"/reviews/{application_id}/files", file_id, "未找到该附件，它可能已不属于这份申报")


async def _detail(request: Request, who: DeciderPage, application_id: str, *, values: dict | None = None,
                  error: str | None = None, status_code: int = 200) -> Response:
    app = await fetch(who, f"/reviews/{application_id}")
    return render(request, "applications/review.html", who, status_code=status_code,
                  **readonly(app, await files_of(who, application_id)), outcomes=OUTCOMES, values=values or {},
                  error=error)


@router.get("/reviews/{application_id}")
async def detail(request: Request, who: DeciderPage, application_id: str) -> Response:
    return await _detail(request, who, application_id)


@router.post("/reviews/{application_id}")
async def decide(request: Request, who: DeciderPage, application_id: str) -> Response:
    """The decision form posts to its own page: a refusal (no reason, decided meanwhile) shows it
    again with what was typed."""
    form = await request.form()
    values = {"outcome": str(form.get("outcome", "")), "reason": str(form.get("reason", ""))}
    version = str(form.get("version", ""))
    if values["outcome"] not in OUTCOMES:
        return await _detail(request, who, application_id, values=values, error="请选择审核意见", status_code=422)
    response = await call(who, "POST", f"/reviews/{application_id}/decision",
                          json={"version": int(version) if version.isdigit() else 0, **values})
    if response.status_code != 200:
        return await _detail(request, who, application_id, values=values, error=problem_fields(response)[1],
                             status_code=response.status_code)
    status = response.json()["status"]
    notice = {"returned": "review_returned", "rejected": "review_rejected", "approved": "review_approved"}
    return back_to(f"/reviews/{application_id}", notice.get(status, "review_passed"))
