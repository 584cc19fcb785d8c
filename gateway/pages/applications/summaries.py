"""结果一览表: 附件一览表 (every attachment of the application, 查看附件 opens the viewer),
申报一览表 (everything entered and imported, read-only, with a side navigation) and 开始检测."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.draft import EXTRA_NAMES, files_shown, menu
from gateway.pages.applications.upstream import call, fetch
from gateway.pages.common import PageRefused, PersonPage, back_to, back_with_error, problem_fields, render
from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.entry_types import ENTRY_TYPES
from shared.vocabulary import LEVELS

router = APIRouter(include_in_schema=False)


def attachment_rows(app: dict) -> list[tuple[str, str]]:
    """(file id, where the application uses it), in page order."""
    rows: list[tuple[str, str]] = []
    if photo := app["profile"].get("photo_file_id"):
        rows.append((photo, "基本信息 · 证件照"))
    for key, label in (("current_titles", "现有职称情况"), ("current_appointments", "现有职称评聘情况")):
        for r in app[key]:
            rows += [(f, f"基本信息 · {label} · {r.get('title_name') or ''}") for f in r.get("file_ids", [])]
    rows += [(a["file_id"], f"附件上传 · {ATTACHMENT_KINDS.get(a['kind'], a['kind'])}") for a in app["attachments"]]
    for s in app["sections"]:
        for i in s["items"]:
            rows += [(f, f"{s['group'] + ' · ' if s['group'] else ''}{s['name']} · {i['title']}")
                     for f in i["attachment_ids"]]
    return rows


@router.get("/apply/{application_id}/files")
async def files_overview(request: Request, who: PersonPage, application_id: str) -> Response:
    app = await fetch(who, f"/applications/{application_id}")
    rows = attachment_rows(app)
    files = await files_shown(who, [f for f, _ in rows])
    return render(request, "applications/files.html", who, app=app, menu=menu(app), section="files",
                  rows=[(files.get(f), f, used) for f, used in rows])


@router.get("/apply/{application_id}/overview")
async def overview(request: Request, who: PersonPage, application_id: str) -> Response:
    app = await fetch(who, f"/applications/{application_id}")
    ids = [f for f, _ in attachment_rows(app)]
    types = {t for s in app["sections"] for t in s["entry_types"]}
    return render(request, "applications/overview.html", who, app=app, menu=menu(app), section="overview",
                  files=await files_shown(who, ids), levels=LEVELS, extra_name=EXTRA_NAMES.get(app["form"]),
                  entry_fields={t: ENTRY_TYPES[t].fields for t in types if t in ENTRY_TYPES})


@router.get("/apply/{application_id}/checks")
async def run_checks(request: Request, who: PersonPage, application_id: str) -> Response:
    """开始检测: each rule 符合 / 不符合, with what to fix and a link to where (the service decides;
    nothing changes, so a reload simply checks again)."""
    app = await fetch(who, f"/applications/{application_id}")
    response = await call(who, "POST", f"/applications/{application_id}/checks")
    if response.status_code != 200:
        raise PageRefused("无法检测", problem_fields(response)[1], response.status_code)
    sections = {code for _, items in menu(app) for code, _ in items}
    return render(request, "applications/checks.html", who, app=app, menu=menu(app), section="checks",
                  result=response.json(), sections=sections)


@router.post("/apply/{application_id}/submit")
async def submit(request: Request, who: PersonPage, application_id: str) -> Response:
    """提交审核 from the checks page: the service checks everything again; a refusal goes back there."""
    form = await request.form()
    response = await call(who, "POST", f"/applications/{application_id}/submit", version=str(form.get("version", "")))
    if response.status_code != 200:
        return back_with_error(request, f"/apply/{application_id}/checks", problem_fields(response)[1])
    return back_to(f"/apply/{application_id}/overview", "application_submitted")
