"""评审计划 pages. Applicants search plans and read one (the manual's 图4-1 and 图4-2); plan
administrators of an organiser (组建单位) draft, correct, publish and close its plans and
their review standards. Everything goes through the plans API as the visitor."""
from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from gateway.pages.common import (
    ANY_ANSWER,
    NOTICES,
    SHANGHAI,
    AnyVisitor,
    PageRefused,
    PersonPage,
    RedirectTo,
    Unavailable,
    Visitor,
    back_to,
    back_with_error,
    error_page,
    fetch,
    fetch_json,
    render,
    templates,
    unavailable_page,
)
from shared.attachment_kinds import ATTACHMENT_KINDS
from shared.entry_types import EDUCATION_LEVELS, ENTRY_TYPES
from shared.vocabulary import (
    ASSIGNABLE_PARTIES,
    EXTRA_SECTIONS,
    FORMS,
    LEVELS,
    PARTIES,
    PLAN_STATUSES,
    PLAN_TYPES,
    RESUBMIT_FROM,
    SERIES,
)

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 10
WINDOW_LABELS = {"draft": "未发布", "not_started": "未开始", "open": "申报中", "ended": "已截止", "closed": "已结束"}
NOTICES.update({"plan_created": "草稿已保存。可继续上传计划附件，确认无误后发布。", "plan_saved": "计划已保存。",
                "plan_published": "计划已发布，申报人可在评审计划中查到。", "plan_closed": "计划已结束。",
                "plan_deleted": "草稿已删除。", "assignee_added": "审核人员已添加。",
                "assignee_removed": "审核人员已移除。"})
ACTIONS = {"publish": ("POST", "/publish", "plan_published"), "close": ("POST", "/close", "plan_closed"),
           "delete": ("DELETE", "", "plan_deleted")}
# Checkbox groups and multi-selects: a name may come several times.
MULTI = {"levels", "forms", "entry_types", "extra_sections"}


def rich_text(text: str | None) -> Markup:
    """计划内容 as typed: blank lines separate paragraphs, “# ” starts a heading, “- ” a list item.
    Everything else is escaped: no HTML from the organiser reaches the page."""
    blocks: list[str] = []
    for block in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        items: list[str] = []
        for line in lines:
            if line.startswith(("- ", "· ")):
                items.append(f"<li>{escape(line[2:].strip())}</li>")
                continue
            if items:
                blocks.append(f"<ul>{''.join(items)}</ul>")
                items = []
            blocks.append(f"<h3>{escape(line[2:].strip())}</h3>" if line.startswith("# ") else f"<p>{escape(line)}</p>")
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
    return Markup("".join(blocks))


templates.env.filters["rich_text"] = rich_text
templates.env.globals.update(
    LEVELS=LEVELS, FORMS=FORMS, PLAN_TYPES=PLAN_TYPES, SERIES=SERIES, PARTIES=PARTIES, RESUBMIT_FROM=RESUBMIT_FROM,
    EXTRA_SECTIONS=EXTRA_SECTIONS, EDUCATION_LEVELS=EDUCATION_LEVELS, ENTRY_TYPES=ENTRY_TYPES,
    ATTACHMENT_KINDS=ATTACHMENT_KINDS, PLAN_STATUSES=PLAN_STATUSES, WINDOW_LABELS=WINDOW_LABELS)


async def _api(who: Visitor, method: str, path: str, *, service: str = "plans", **kwargs: Any) -> httpx.Response:
    """The service's answer, refusals (4xx) included, which the page shows; else Unavailable."""
    return await fetch(who, service, path, method=method, accept=ANY_ANSWER, **kwargs)


def _problem_page(request: Request, who: Visitor, response: httpx.Response) -> Response:
    if response.status_code == 401:
        raise RedirectTo("/login")
    detail = _detail(response)
    if response.status_code == 404:
        return error_page(request, who, 404, "未找到", detail or "未找到该评审计划，它可能尚未发布或已被删除。")
    return error_page(request, who, response.status_code, "无法完成操作", detail or "请稍后再试。")


def _detail(response: httpx.Response) -> str:
    try:
        return response.json().get("detail", "")
    except ValueError:
        return ""


def _uuid(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


_LATEST: dict[int, tuple[float, list[dict]]] = {}
LATEST_TTL_SECONDS = 30


async def latest_open_plans(who: Visitor, limit: int = 5) -> list[dict]:
    """最新计划 of 个人首页 and 首页: the newest plans open for applications today. The same for
    everyone, so kept for half a minute: on deadline day every home page would ask otherwise.
    Unavailable while plans does not answer (the home pages show that part as unavailable)."""
    cached = _LATEST.get(limit)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    listing = await fetch_json(who, "plans", "/api/plans/plans", params={"open": "true", "page_size": limit})
    plans = [{"title": p["name"], "subtitle": f"申报时间 {p['start_date']} 至 {p['end_date']}", "url": f"/plans/{p['id']}"}
             for p in listing["items"]]
    _LATEST[limit] = (time.monotonic() + LATEST_TTL_SECONDS, plans)
    return plans


# --- applicants ---------------------------------------------------------------------------------
@router.get("/plans")
async def plan_list(request: Request, who: AnyVisitor, name: str = "", year: str = "", level: str = "",
                    plan_type: str = "", page: str = "1") -> Response:
    """评审计划 (图4-1): search by 计划名称, 年度, 评审级别, 计划类型. Plans are public notices."""
    if who.principal and who.principal.kind == "pending":
        raise RedirectTo("/register")
    filters = {"name": name.strip(), "year": year.strip(), "level": level, "plan_type": plan_type}
    params = {k: v for k, v in filters.items() if v}
    try:
        response = await _api(who, "GET", "/api/plans/plans",
                              params={**params, "page": _page_no(page), "page_size": PAGE_SIZE})
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    result, error = {"items": [], "total": 0, "page": 1, "page_size": PAGE_SIZE}, None
    if response.status_code == 200:
        result = response.json()
    elif response.status_code == 422:  # e.g. a 年度 that is not a year: say so, keep the form
        error = _detail(response)
    else:
        return _problem_page(request, who, response)
    return render(request, "plans/list.html", who, filters=filters, result=result, pages=_pages(result), error=error,
                  page_url=lambda n: "/plans?" + urlencode({**params, "page": n}))


@router.get("/plans/{plan_id}")
async def plan_detail(request: Request, who: AnyVisitor, plan_id: str) -> Response:
    """The plan (图4-2): 基本信息, 评审范围对象, 可评审专业, 计划内容, 附件下载, 马上申报."""
    return await _detail_page(request, who, plan_id)


async def plan_for_page(who: Visitor, raw_id: str) -> dict:
    """The plan as the visitor may see it, or the page that says why not (马上申报 uses it too)."""
    if (plan_id := _uuid(raw_id)) is None:
        raise PageRefused("未找到", "未找到该评审计划。", 404)
    response = await _api(who, "GET", f"/api/plans/plans/{plan_id}")  # Unavailable: the gateway says so
    if response.status_code != 200:
        detail = _detail(response)
        if response.status_code == 404:
            raise PageRefused("未找到", detail or "未找到该评审计划，它可能尚未发布或已被删除。", 404)
        raise PageRefused("无法完成操作", detail or "请稍后再试。", response.status_code)
    return response.json()


async def _detail_page(request: Request, who: Visitor, raw_id: str) -> Response:
    if who.principal and who.principal.kind == "pending":
        raise RedirectTo("/register")
    return render(request, "plans/detail.html", who, plan=await plan_for_page(who, raw_id))


# --- organisers' plan administrators -----------------------------------------------------------
async def _plan_admin(who: PersonPage) -> Visitor:
    if not who.principal.has("plan_admin"):
        raise RedirectTo("/home")  # 计划管理 is not in their navigation either
    return who


PlanAdminPage = Annotated[Visitor, Depends(_plan_admin)]


async def _my_organizers(who: Visitor) -> list[dict]:
    response = await _api(who, "GET", "/api/plans/organizers", params={"mine": "true"})
    return response.json() if response.status_code == 200 else []


@router.get("/organizer/plans")
async def organizer_plans(request: Request, who: PlanAdminPage, page: str = "1") -> Response:
    return await _organizer_list(request, who, page)


async def _organizer_list(request: Request, who: Visitor, page: str = "1") -> Response:
    try:
        organizers = await _my_organizers(who)
        response = await _api(who, "GET", "/api/plans/plans",
                              params={"mine": "true", "page": _page_no(page), "page_size": PAGE_SIZE})
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    if response.status_code != 200:
        return _problem_page(request, who, response)
    result = response.json()
    return render(request, "plans/organizer_list.html", who, organizers=organizers,
                  result=result, pages=_pages(result), page_url=lambda n: f"/organizer/plans?page={n}")


@router.get("/organizer/plans/new")
async def new_plan(request: Request, who: PlanAdminPage, copy: str = "") -> Response:
    """A blank plan with the usual stages and condition groups, or a copy of one of ours."""
    try:
        organizers = await _my_organizers(who)
        values = {**NEW_PLAN, "year": dt.datetime.now(SHANGHAI).year}
        if source := _uuid(copy):
            response = await _api(who, "GET", f"/api/plans/plans/{source}")
            if response.status_code == 200 and response.json()["organizer_id"] in {o["id"] for o in organizers}:
                values = _as_copy(response.json())
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    if not organizers:
        return error_page(request, who, 403, "尚未指定组建单位",
                          "您尚未被指定为任何组建单位的计划管理员，请联系平台运维人员。")
    return render(request, "plans/form.html", who, plan=None, values=values, errors={}, organizers=organizers)


@router.post("/organizer/plans/new")
async def create_plan(request: Request, who: PlanAdminPage) -> Response:
    values = plan_values(await request.form(max_fields=5000))
    try:
        response = await _api(who, "POST", "/api/plans/plans", json=values)
        if response.status_code == 201:
            return back_to(f"/organizer/plans/{response.json()['id']}/edit", "plan_created")
        return await _form_again(request, who, None, values, response)
    except Unavailable as exc:
        return unavailable_page(request, who, exc)


@router.get("/organizer/plans/{plan_id}/edit")
async def edit_plan(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    try:
        plan, organizers = await _own_plan(who, plan_id)
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    if isinstance(plan, Response):
        return plan
    return render(request, "plans/form.html", who, plan=plan, values=plan, errors={}, organizers=organizers)


@router.post("/organizer/plans/{plan_id}/edit")
async def save_plan(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    values = plan_values(await request.form(max_fields=5000))
    try:
        plan, _ = await _own_plan(who, plan_id)
        if isinstance(plan, Response):
            return plan
        response = await _api(who, "PUT", f"/api/plans/plans/{plan['id']}", json=values)
        if response.status_code == 200:
            return back_to("/organizer/plans", "plan_saved")
        return await _form_again(request, who, plan, values, response)
    except Unavailable as exc:
        return unavailable_page(request, who, exc)


@router.post("/organizer/plans/{plan_id}/attachments")
async def upload_attachment(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    """htmx: store the file in the documents service, then add it to the plan; answers the
    attachments list, with any message inside it (htmx swaps only successful answers in)."""
    form = await request.form()
    upload = form.get("file")
    try:
        plan, _ = await _own_plan(who, plan_id)
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    if isinstance(plan, Response):
        return plan
    message = "请选择要上传的文件"
    if getattr(upload, "filename", None):
        try:
            message, plan = await _attach(who, plan, upload, str(form.get("name", "")))
        except Unavailable:
            message = "文件服务暂未开通或暂时无法访问，附件暂不能上传。"
    return render(request, "plans/_attachments.html", who, plan=plan, attachment_error=message)


async def _attach(who: Visitor, plan: dict, upload: Any, name: str) -> tuple[str | None, dict]:
    # documents decides the file's type by its content and keeps it, as a 评审计划附件.
    stored = await _api(who, "POST", "/api/documents/files", service="documents", data={"kind": "plan_attachment"},
                        files={"file": (upload.filename, await upload.read(), upload.content_type)})
    if stored.status_code != 201:
        return _detail(stored) or "文件上传失败，请稍后再试。", plan
    added = await _api(who, "POST", f"/api/plans/plans/{plan['id']}/attachments",
                       json={"file_id": stored.json()["id"], "name": name.strip() or upload.filename})
    return (None, added.json()) if added.status_code == 201 else (_detail(added) or "添加附件失败。", plan)


@router.post("/organizer/plans/{plan_id}/attachments/{file_id}/remove")
async def remove_attachment(request: Request, who: PlanAdminPage, plan_id: str, file_id: str) -> Response:
    try:
        plan, _ = await _own_plan(who, plan_id)
        if isinstance(plan, Response):
            return plan
        message = "未找到该附件"
        if (fid := _uuid(file_id)) is not None:
            response = await _api(who, "DELETE", f"/api/plans/plans/{plan['id']}/attachments/{fid}")
            plan, message = (response.json(), None) if response.status_code == 200 else (plan, _detail(response))
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    return render(request, "plans/_attachments.html", who, plan=plan, attachment_error=message)


@router.get("/organizer/plans/{plan_id}/assignees")
async def plan_assignees(request: Request, who: PlanAdminPage, plan_id: str, stage: str = "",
                         name: str = "") -> Response:
    """审核人员: who decides at each stage whose deciders the plan names (职称管理部门, 评委会组建单位,
    评委会); 添加 finds a registered person by name (``stage`` and ``name``: the search of one stage)."""
    try:
        plan, _ = await _own_plan(who, plan_id)
        if isinstance(plan, Response):
            return plan
        listed = {s["id"]: await fetch_json(who, "plans", f"/api/plans/plans/{plan['id']}/stages/{s['id']}/assignees")
                  for s in plan["stages"] if s["party"] in ASSIGNABLE_PARTIES}
        search = {"stage": stage, "name": name.strip(), "found": [], "error": None}
        if stage in listed and search["name"]:
            found = await _api(who, "GET", "/api/plans/persons", params={"name": search["name"]})
            if found.status_code == 200:
                taken = {a["person_id"] for a in listed[stage]}
                search["found"] = [{**p, "assigned": p["id"] in taken} for p in found.json()]
            else:
                search["error"] = _detail(found) or "查找失败，请稍后再试。"
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    return render(request, "plans/assignees.html", who, plan=plan, listed=listed, search=search)


@router.post("/organizer/plans/{plan_id}/assignees")
async def add_assignee(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    if (pid := _uuid(plan_id)) is None:
        return error_page(request, who, 404, "未找到", "未找到该评审计划。")
    form = await request.form()
    stage_id, person_id = _uuid(str(form.get("stage_id", ""))), _uuid(str(form.get("person_id", "")))
    page = f"/organizer/plans/{pid}/assignees"
    if stage_id is None or person_id is None:
        return back_with_error(request, page, "请先按姓名查找，再选择要添加的人员。")
    return await _assignee_change(request, who, page, "POST", f"/api/plans/plans/{pid}/stages/{stage_id}/assignees",
                                  201, "assignee_added", json={"person_id": person_id})


@router.post("/organizer/plans/{plan_id}/assignees/{stage_id}/{person_id}/remove")
async def remove_assignee(request: Request, who: PlanAdminPage, plan_id: str, stage_id: str, person_id: str) -> Response:
    ids = [_uuid(plan_id), _uuid(stage_id), _uuid(person_id)]
    if None in ids:
        return error_page(request, who, 404, "未找到", "请求的地址不存在。")
    pid, sid, person = ids
    return await _assignee_change(request, who, f"/organizer/plans/{pid}/assignees", "DELETE",
                                  f"/api/plans/plans/{pid}/stages/{sid}/assignees/{person}", 204, "assignee_removed")


async def _assignee_change(request: Request, who: Visitor, page: str, method: str, path: str, ok: int, notice: str,
                           **kwargs: Any) -> Response:
    """添加 / 移除, then the page again with what happened (post/redirect/get)."""
    try:
        response = await _api(who, method, path, **kwargs)
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    if response.status_code == ok:
        return back_to(page, notice)
    if response.status_code == 401:
        raise RedirectTo("/login")
    return back_with_error(request, page, _detail(response) or "操作未能完成，请稍后再试。")


# After the more specific routes above: {action} would take “attachments” and “assignees” too.
@router.post("/organizer/plans/{plan_id}/{action}")
async def plan_action(request: Request, who: PlanAdminPage, plan_id: str, action: str) -> Response:
    """发布, 结束, 删除草稿: the list again, with what happened."""
    if action not in ACTIONS or (pid := _uuid(plan_id)) is None:
        return error_page(request, who, 404, "未找到", "请求的地址不存在。")
    method, suffix, notice = ACTIONS[action]
    try:
        response = await _api(who, method, f"/api/plans/plans/{pid}{suffix}")
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    if response.is_success:
        return back_to("/organizer/plans", notice)
    if response.status_code == 401:
        raise RedirectTo("/login")
    return back_with_error(request, "/organizer/plans", _detail(response) or "操作未能完成，请稍后再试。")


async def _own_plan(who: Visitor, raw_id: str) -> tuple[dict | Response, list[dict]]:
    """The plan if it belongs to one of the visitor's organisers, else the page that says no."""
    request = who.request
    if (plan_id := _uuid(raw_id)) is None:
        return error_page(request, who, 404, "未找到", "未找到该评审计划。"), []
    organizers = await _my_organizers(who)
    response = await _api(who, "GET", f"/api/plans/plans/{plan_id}")
    if response.status_code != 200:
        return _problem_page(request, who, response), organizers
    plan = response.json()
    if plan["organizer_id"] not in {o["id"] for o in organizers}:
        return error_page(request, who, 403, "无权操作", "您不是该计划所属组建单位的计划管理员。"), organizers
    return plan, organizers


async def _form_again(request: Request, who: Visitor, plan: dict | None, values: dict,
                      response: httpx.Response) -> Response:
    """The form as it was typed, each error next to its field (by its full path)."""
    if response.status_code == 401:
        raise RedirectTo("/login")
    if response.status_code not in (409, 422):
        return _problem_page(request, who, response)
    body = response.json()
    errors = {e["field"]: e["message"] for e in body.get("errors", [])}
    return render(request, "plans/form.html", who, status_code=response.status_code, plan=plan, values=values,
                  errors=errors, organizers=await _my_organizers(who), error=body.get("detail"))


def _page_no(page: str) -> int:
    return int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1


def _pages(result: dict) -> int:
    return max(1, -(-result["total"] // PAGE_SIZE))


# --- the plan form --------------------------------------------------------------------------------
def _stage(name: str, party: str, party_name: str = "") -> dict:
    return {"name": name, "party": party, "party_name": party_name}


def _category(name: str, entry_type: str, min_count: int, max_count: int) -> dict:
    return {"name": name, "hint": "", "entry_types": [entry_type], "min_count": min_count, "max_count": max_count,
            "required": min_count > 0}


NEW_PLAN: dict[str, Any] = {
    "levels": [], "forms": ["regular"], "plan_type": "review", "has_interview": False, "majors": [], "titles": [],
    "resubmit_from": "first",
    "stages": [_stage("用人单位审核", "unit"), _stage("主管部门审核", "department"),
               _stage("职称管理部门审核", "title_office"), _stage("评委会评审", "committee")],
    "standard": {
        "groups": [{"name": "能力条件", "categories": [_category("工作经历", "work_experience", 1, 10),
                                                    _category("年度考核", "annual_assessment", 1, 5)]},
                   {"name": "业绩条件", "categories": [_category("取得业绩", "achievement", 1, 5)]},
                   {"name": "教科研条件", "categories": [_category("发表论文/著作", "paper", 0, 5)]}],
        "attachments": [{"kind": k, "required": True, "note": "须有本人手写签名" if k == "pledge" else ""}
                        for k in ("id_card_front", "id_card_back", "photo", "pledge")],
        "eligibility": {"min_years": [], "min_education": "bachelor", "requires_current_title": True,
                        "extra_sections": []},
    },
}


def _as_copy(plan: dict) -> dict:
    """A new plan on the model of an existing one: same standard and lists, new ids, no dates."""
    copy = {k: v for k, v in plan.items() if k not in ("id", "name", "start_date", "end_date", "attachments")}
    copy["stages"] = [{**s, "id": None} for s in plan["stages"]]
    copy["standard"] = {**plan["standard"], "groups": [
        {**g, "id": None, "categories": [{**c, "id": None} for c in g["categories"]]} for g in plan["standard"]["groups"]]}
    return copy


def unflatten(pairs: list[tuple[str, str]]) -> dict:
    """Form fields named like ``standard.groups.0.categories.1.name`` back into nested data."""
    root: dict = {}
    for key, value in pairs:
        *path, leaf = key.split(".")
        node = root
        for part in path:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            if leaf in MULTI:
                node.setdefault(leaf, []).append(value)
            else:
                node[leaf] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() and len(k) < 4 for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def _int(value: Any) -> Any:
    """A number when it is one; else what was typed, for the API to name and the form to keep."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() else text


def plan_values(form: Any) -> dict:
    """The API's request body from the posted form; also what the form shows again on an error."""
    v = unflatten([(k, str(val)) for k, val in form.multi_items() if k != "csrf_token"])
    std, rules = v.get("standard") or {}, (v.get("standard") or {}).get("eligibility") or {}
    values = {
        "year": _int(v.get("year")) if v.get("year", "").strip() else None, "name": v.get("name", ""), "committee": v.get("committee", ""),
        "levels": v.get("levels", []), "plan_type": v.get("plan_type", ""), "series": v.get("series", ""),
        "start_date": v.get("start_date") or None, "end_date": v.get("end_date") or None,
        "has_interview": v.get("has_interview") == "yes", "scope": v.get("scope", ""), "content": v.get("content", ""),
        "majors": [m.strip() for m in v.get("majors", "").splitlines() if m.strip()],
        "titles": [{"level": t.get("level", ""), "name": t.get("name", "")} for t in _rows(v.get("titles"))],
        "forms": v.get("forms", []),
        "stages": [{"id": s.get("id") or None, "name": s.get("name", ""), "party": s.get("party", ""),
                    "party_name": s.get("party_name", "")} for s in _rows(v.get("stages"))],
        "resubmit_from": v.get("resubmit_from", "first"),
        "standard": {
            "groups": [{"id": g.get("id") or None, "name": g.get("name", ""), "categories": [
                {"id": c.get("id") or None, "name": c.get("name", ""), "hint": c.get("hint", ""),
                 "entry_types": c.get("entry_types", []), "min_count": _int(c.get("min_count")),
                 "max_count": _int(c.get("max_count")), "required": "required" in c}
                for c in _rows(g.get("categories"))]} for g in _rows(std.get("groups"))],
            "attachments": [{"kind": a.get("kind", ""), "required": "required" in a, "note": a.get("note", "")}
                            for a in _rows(std.get("attachments")) if "include" in a],
            "eligibility": {
                "min_years": [{"form": r.get("form", ""), "level": r.get("level", ""), "years": _int(r.get("years"))}
                              for r in _rows(rules.get("min_years"))],
                "min_education": rules.get("min_education") or None,
                "requires_current_title": "requires_current_title" in rules,
                "extra_sections": rules.get("extra_sections", [])},
        },
    }
    if v.get("organizer_id"):
        values["organizer_id"] = v["organizer_id"]
    # Left out when empty: the API names a missing value 必填, an empty string a bad format.
    return {k: val for k, val in values.items() if val is not None}


def _rows(value: Any) -> list[dict]:
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []
