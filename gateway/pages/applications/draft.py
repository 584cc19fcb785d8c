"""The draft's sections (图4-5 onwards): 基本信息, 工作经历, 学历教育, 继续教育, 年度考核, 附件上传,
破格申报 / 转评申报 and the condition groups of the plan's standard, with 导入, 上移/下移, 移除.

Every form carries the version the page showed; the service refuses a save made on an older
one, and the page then says so instead of overwriting what another tab saved."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.upstream import call, fetch
from gateway.pages.common import (
    PageRefused,
    PersonPage,
    Unavailable,
    Visitor,
    back_to,
    back_with_error,
    problem_fields,
    render,
)
from gateway.pages.files import files_by_id
from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.entry_types import ENTRY_TYPES
from shared.vocabulary import FORMS, LEVELS

router = APIRouter(include_in_schema=False)

PROFILE_FIELDS = ["ethnicity", "political_status", "mobile", "work_start_date", "years_of_work",
                  "years_in_profession", "profession", "position", "photo_file_id"]
TEACHER_FIELDS = ["teacher_category", "teaching_years", "grades", "staffing", "rural_teaching_years",
                  "teaching_since", "teacher_qualification", "principal_training"]
TITLE_FIELDS = ["series", "title_name", "level", "major", "obtained_on", "certificate_no", "approver"]
APPOINTMENT_FIELDS = ["title_name", "unit", "start_date", "end_date"]
ROWS = {"current-titles": ("current_titles", TITLE_FIELDS), "current-appointments": ("current_appointments",
                                                                                    APPOINTMENT_FIELDS)}
EXTRA_NAMES = {form: FORMS[form] for form in ("exceptional", "transfer")}  # 破格申报 / 转评申报


def menu(app: dict) -> list[tuple[str | None, list[tuple[str, str]]]]:
    """The side navigation: (group, [(section, name)]) in page order."""
    personal = [("basic", "基本信息"), *((s["code"], s["name"]) for s in app["sections"] if s["group"] is None),
                ("attachments", "附件上传")]
    out: list[tuple[str | None, list[tuple[str, str]]]] = [("个人信息", personal)]
    if app["extra_sections"]:
        out.append((None, [("extra", EXTRA_NAMES[app["form"]])]))
    groups: dict[str, list[tuple[str, str]]] = {}
    for s in app["sections"]:
        if s["group"]:
            groups.setdefault(s["group"], []).append((s["code"], s["name"]))
    out += list(groups.items())
    out.append(("结果一览表", [("files", "附件一览表"), ("overview", "申报一览表")]))
    return out


async def files_shown(who: Visitor, ids: list[str]) -> dict[str, dict]:
    """The files a section shows; while documents is down they say "暂时无法显示" and the rest works."""
    try:
        return await files_by_id(who, ids)
    except Unavailable:
        return {}


async def section_page(request: Request, who: Visitor, app: dict, section: str, *, values: dict | None = None,
                       errors: dict | None = None, error: str | None = None, status_code: int = 200) -> Response:
    editable = "edit" in app["actions"]
    by_code = {s["code"]: s for s in app["sections"]}
    context: dict[str, Any] = {"app": app, "menu": menu(app), "section": section, "editable": editable,
                               "values": values, "errors": errors or {}, "error": error, "levels": LEVELS}
    if section == "basic":
        ids = [app["profile"].get("photo_file_id")] if app["profile"].get("photo_file_id") else []
        for row in app["current_titles"] + app["current_appointments"]:
            ids += row.get("file_ids", [])
        context["files"] = await files_shown(who, ids)
        # 从我的职称证书导入: the person's certificates, those already listed marked.
        context["certificates"] = await fetch(who, "/certificates") if editable else []
        context["listed_numbers"] = {row.get("certificate_no") for row in app["current_titles"]}
        template = "applications/basic.html"
    elif section in by_code:
        current = by_code[section]
        context["current"] = current
        context["entry_fields"] = {t: ENTRY_TYPES[t].fields for t in current["entry_types"] if t in ENTRY_TYPES}
        context["files"] = await files_shown(who, [f for i in current["items"] for f in i["attachment_ids"]])
        template = "applications/items.html"
    elif section == "attachments":
        context["files"] = await files_shown(who, [a["file_id"] for a in app["attachments"]])
        template = "applications/attachments.html"
    elif section == "extra" and app["extra_sections"]:
        context["extra_name"] = EXTRA_NAMES[app["form"]]
        template = "applications/extra.html"
    else:
        raise PageRefused("未找到", "该申报没有这一栏。", 404)
    return render(request, template, who, status_code=status_code, **context)


@router.get("/apply/{application_id}")
async def edit(request: Request, who: PersonPage, application_id: str, section: str = "basic") -> Response:
    """填报: continues where the person left off (everything saved stays)."""
    return await section_page(request, who, await fetch(who, f"/applications/{application_id}"), section)


async def _change(request: Request, who: Visitor, application_id: str, method: str, path: str, section: str,
                  notice: str, body: dict | None = None, *, values: dict | None = None) -> Response:
    """Send one change with the version the form showed; back to the section with a notice. A
    refused action goes back with the reason; a refused form (``values``: what was typed, posted to
    the section's own address) is shown again with the reasons and the typed values kept."""
    form = await request.form()
    response = await call(who, method, f"/applications/{application_id}{path}", version=str(form.get("version", "")),
                          json=body)
    if response.status_code >= 400:
        errors, detail = problem_fields(response)
        if values is None:
            return back_with_error(request, f"/apply/{application_id}?section={section}", detail)
        app = await fetch(who, f"/applications/{application_id}")
        if response.status_code == 412:  # another tab saved: this form keeps its version, so it cannot overwrite
            app = {**app, "version": str(form.get("version", ""))}
        return await section_page(request, who, app, section, values=values, errors=errors, error=detail,
                                  status_code=response.status_code)
    if response.status_code == 200 and response.json().get("notices"):
        notice = "years_clamped"
    return back_to(f"/apply/{application_id}?section={section}", notice)


def _text(form: Any, names: list[str]) -> dict[str, Any]:
    """Posted text fields; empty ones are None (a draft saves incomplete)."""
    return {n: (str(form.get(n, "")).strip() or None) for n in names}


@router.post("/apply/{application_id}/delete")
async def delete(request: Request, who: PersonPage, application_id: str) -> Response:
    form = await request.form()
    response = await call(who, "DELETE", f"/applications/{application_id}", version=str(form.get("version", "")))
    if response.status_code != 204:
        return back_with_error(request, "/apply", problem_fields(response)[1])
    return back_to("/apply", "application_deleted")


@router.post("/apply/{application_id}/major")
async def change_major(request: Request, who: PersonPage, application_id: str) -> Response:
    form = await request.form()
    return await _change(request, who, application_id, "PUT", "/major", "basic", "major_changed",
                         {"major": str(form.get("major", ""))})


@router.post("/apply/{application_id}")
async def save_form(request: Request, who: PersonPage, application_id: str) -> Response:
    """The forms a person types into post to the section's own address (``do`` names the form), so
    a refused one is shown again there with what was typed."""
    form = await request.form()
    do = str(form.get("do", ""))
    if do in ("add-current-titles", "add-current-appointments"):
        return await change_rows(request, who, application_id, do.removeprefix("add-"))
    handler = {"profile": save_profile, "teacher-profile": save_teacher_profile, "extra": save_extra}.get(do)
    if handler is None:
        raise PageRefused("未找到", "不支持该操作。", 404)
    return await handler(request, who, application_id)


async def save_profile(request: Request, who: PersonPage, application_id: str) -> Response:
    form = await request.form()
    body = _text(form, PROFILE_FIELDS)
    # The picker adds a new upload after the old one: the last chosen is the photo meant.
    body["photo_file_id"] = next((v for v in reversed(form.getlist("photo_file_id")) if v), None)
    return await _change(request, who, application_id, "PUT", "/profile", "basic", "application_saved", body,
                         values={"profile": body})


async def save_teacher_profile(request: Request, who: PersonPage, application_id: str) -> Response:
    form = await request.form()
    body = _text(form, TEACHER_FIELDS)
    body["principal_training"] = form.get("principal_training") == "yes"
    return await _change(request, who, application_id, "PUT", "/teacher-profile", "basic", "application_saved", body,
                         values={"teacher_profile": body})


@router.post("/apply/{application_id}/rows/{which}")
async def change_rows(request: Request, who: PersonPage, application_id: str, which: str) -> Response:
    """现有职称情况 / 现有职称评聘情况: 新增 (op=add), ↑ / ↓ (up, down), 删除 (delete) of row ``index``."""
    if which not in ROWS:
        raise PageRefused("未找到", "没有这一栏。", 404)
    key, names = ROWS[which]
    form = await request.form()
    rows = list((await fetch(who, f"/applications/{application_id}"))[key])
    op, raw_index = str(form.get("op", "")), str(form.get("index", ""))
    index = int(raw_index) if raw_index.isdigit() else -1
    if op == "add":
        rows.append({**_text(form, names), "file_ids": [v for v in form.getlist(f"files_{which}") if v]})
    elif op in ("up", "down") and 0 <= index < len(rows):
        to = index - 1 if op == "up" else index + 1
        if 0 <= to < len(rows):
            rows[index], rows[to] = rows[to], rows[index]
    elif op == "delete" and 0 <= index < len(rows):
        rows.pop(index)
    cleaned = [{k: v for k, v in r.items() if v not in (None, "") or k == "file_ids"} for r in rows]
    return await _change(request, who, application_id, "PUT", f"/{which}", "basic", "application_saved",
                         {"rows": cleaned}, values={"new_" + key: _text(form, names)} if op == "add" else None)


@router.post("/apply/{application_id}/current-titles/from-certificates")
async def titles_from_certificates(request: Request, who: PersonPage, application_id: str) -> Response:
    """现有职称情况 → 从我的职称证书导入: a row per chosen certificate of the platform's."""
    chosen = [v for v in (await request.form()).getlist("certificate_ids") if v]
    if not chosen:
        return back_with_error(request, f"/apply/{application_id}?section=basic", "请至少选择一张要导入的职称证书")
    return await _change(request, who, application_id, "POST", "/current-titles/from-certificates", "basic",
                         "titles_imported", {"certificate_ids": chosen})


@router.get("/apply/{application_id}/import")
async def import_dialog(request: Request, who: PersonPage, application_id: str, section: str) -> Response:
    """导入: the approved library entries this section takes, already imported ones marked."""
    app = await fetch(who, f"/applications/{application_id}")
    current = next((s for s in app["sections"] if s["code"] == section), None)
    if current is None:
        raise PageRefused("未找到", "该申报没有这一栏。", 404)
    entries = await fetch(who, f"/applications/{application_id}/importable", params={"section": section})
    return render(request, "applications/import.html", who, app=app, current=current, entries=entries,
                  entry_fields={t: ENTRY_TYPES[t].fields for t in current["entry_types"] if t in ENTRY_TYPES})


@router.post("/apply/{application_id}/import")
async def import_entries(request: Request, who: PersonPage, application_id: str) -> Response:
    form = await request.form()
    section = str(form.get("section", ""))
    chosen = [v for v in form.getlist("entry_ids") if v]
    if not chosen:
        return back_with_error(request, f"/apply/{application_id}/import?{urlencode({'section': section})}",
                               "请至少选择一条要导入的业绩")
    return await _change(request, who, application_id, "POST", "/items", section, "items_imported",
                         {"section": section, "entry_ids": chosen})


@router.post("/apply/{application_id}/items/{item_id}/{op}")
async def change_item(request: Request, who: PersonPage, application_id: str, item_id: str, op: str) -> Response:
    """上移 / 下移 / 移除, 最高学历 and 考核结果 of one imported item."""
    form = await request.form()
    section = str(form.get("section", ""))
    path = f"/items/{item_id}"
    if op in ("up", "down"):
        return await _change(request, who, application_id, "POST", f"{path}/move", section, "item_moved",
                             {"direction": op})
    if op == "remove":
        return await _change(request, who, application_id, "DELETE", path, section, "item_removed")
    if op == "highest":
        return await _change(request, who, application_id, "PATCH", path, section, "application_saved",
                             {"highest": True})
    if op == "assessment":
        return await _change(request, who, application_id, "PATCH", path, section, "application_saved",
                             {"assessment": str(form.get("assessment", "")) or None})
    raise PageRefused("未找到", "不支持该操作。", 404)


@router.post("/apply/{application_id}/attachments")
async def change_attachments(request: Request, who: PersonPage, application_id: str) -> Response:
    """附件上传: add the files picked for a kind (op=add), rename one (rename), take one out (remove)."""
    form = await request.form()
    items = list((await fetch(who, f"/applications/{application_id}"))["attachments"])
    op, file_id = str(form.get("op", "")), str(form.get("file_id", ""))
    if op == "add":
        kind = str(form.get("kind", ""))
        have = {a["file_id"] for a in items}
        items += [{"kind": kind, "file_id": f, "name": ATTACHMENT_KINDS.get(kind, kind)}
                  for f in form.getlist(f"files_{kind}") if f and f not in have]
    elif op == "rename":
        items = [{**a, "name": str(form.get("name", "")).strip() or a["name"]} if a["file_id"] == file_id else a
                 for a in items]
    elif op == "remove":
        items = [a for a in items if a["file_id"] != file_id]
    return await _change(request, who, application_id, "PUT", "/attachments", "attachments", "application_saved",
                         {"items": items})


async def save_extra(request: Request, who: PersonPage, application_id: str) -> Response:
    form = await request.form()
    body = {k: str(form.get(k, "")).strip() for k in ("reason", "summary")}
    return await _change(request, who, application_id, "PUT", "/extra", "extra", "application_saved", body,
                         values={"extra": body})
