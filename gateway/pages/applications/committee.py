"""The committee online: the organiser's 评委专家库 (import a list, 启用 / 停用) and 专家遴选 of a plan
(configure and draw, the recorded draw, progress, 结束表决 and the tally), and the expert's
评审表决 (their assigned applications; one read-only with its files, an opinion and 同意 / 不同意 /
弃权). Who may see and do what is the applications service's to say; these pages show its answers."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.review import files_of, readonly
from gateway.pages.applications.upstream import call, fetch, open_link
from gateway.pages.common import PageRefused, PersonPage, back_to, back_with_error, problem_fields, render
from gateway.pages.plans import PlanAdminPage, plan_for_page
from shared.vocabulary import VOTE_CHOICES

router = APIRouter(include_in_schema=False)
MAX_UPLOAD = 2 * 1024 * 1024


# --- the organiser's administrators -------------------------------------------------------------
async def _pool_page(request: Request, who: PlanAdminPage, plan_id: str, *, result: dict | None = None,
                     error: str | None = None, status_code: int = 200) -> Response:
    plan = await plan_for_page(who, plan_id)
    experts = await fetch(who, f"/organizers/{plan['organizer_id']}/experts")
    return render(request, "applications/experts.html", who, status_code=status_code, plan=plan, experts=experts,
                  result=result, error=error)


@router.get("/organizer/plans/{plan_id}/experts")
async def pool(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    """评委专家库 of the plan's organiser."""
    return await _pool_page(request, who, plan_id)


# Registered before plans' POST /organizer/plans/{plan_id}/{action} (applications' routers come first).
@router.post("/organizer/plans/{plan_id}/experts")
async def change_pool(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    """do=import: 导入专家名单 (the result, with each refused row, shown on the page);
    do=activate / deactivate: 启用 / 停用 one expert."""
    form = await request.form()
    plan = await plan_for_page(who, plan_id)
    base, do = f"/organizers/{plan['organizer_id']}/experts", str(form.get("do", ""))
    if do in ("activate", "deactivate"):
        response = await call(who, "PATCH", f"{base}/{form.get('expert_id', '')}", json={"active": do == "activate"})
        if response.status_code != 200:
            return back_with_error(request, f"/organizer/plans/{plan_id}/experts", problem_fields(response)[1])
        return back_to(f"/organizer/plans/{plan_id}/experts", "expert_changed")
    if do != "import":
        raise PageRefused("未找到", "不支持该操作。", 404)
    upload = form.get("file")
    content = await upload.read(MAX_UPLOAD + 1) if hasattr(upload, "read") else b""
    name = getattr(upload, "filename", None) or "experts.csv"
    response = await call(who, "POST", f"{base}/import", files={"file": (name, content, "application/octet-stream")})
    if response.status_code != 200:  # shown with 200: htmx swaps in only successful answers
        return await _pool_page(request, who, plan_id, error=problem_fields(response)[1])
    return await _pool_page(request, who, plan_id, result=response.json())


async def _committee_page(request: Request, who: PlanAdminPage, plan_id: str, *, values: dict | None = None,
                          error: str | None = None, status_code: int = 200) -> Response:
    plan = await plan_for_page(who, plan_id)
    committee = await fetch(who, f"/committees/{plan['id']}")
    return render(request, "applications/committee.html", who, status_code=status_code, plan=plan,
                  committee=committee, values=values or {"panel_size": "7", "reserve_count": "2", "deadline": ""},
                  error=error)


@router.get("/organizer/plans/{plan_id}/committee")
async def committee(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    """专家遴选: configure and draw; then the record, the progress of the vote, its close and results."""
    return await _committee_page(request, who, plan_id)


@router.post("/organizer/plans/{plan_id}/committee")
async def act(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    form = await request.form()
    do, page = str(form.get("do", "")), f"/organizer/plans/{plan_id}/committee"
    if do == "close":
        response = await call(who, "POST", f"/committees/{plan_id}/close")
        if response.status_code != 200:
            return back_with_error(request, page, problem_fields(response)[1])
        return back_to(page, "vote_closed")
    if do != "draw":
        raise PageRefused("未找到", "不支持该操作。", 404)
    values = {k: str(form.get(k, "")) for k in ("panel_size", "reserve_count", "deadline")}
    if not all(values[k].isdigit() for k in ("panel_size", "reserve_count")) or not values["deadline"]:
        return await _committee_page(request, who, plan_id, values=values, status_code=422,
                                     error="请填写评委人数、候补人数（整数）和表决截止时间")
    response = await call(who, "POST", f"/committees/{plan_id}/draw",
                          json={"panel_size": int(values["panel_size"]), "reserve_count": int(values["reserve_count"]),
                                "deadline": values["deadline"]})
    if response.status_code != 201:
        return await _committee_page(request, who, plan_id, values=values, error=problem_fields(response)[1],
                                     status_code=response.status_code)
    return back_to(page, "panel_drawn")


# --- the experts' ---------------------------------------------------------------------------------
@router.get("/expert")
async def assignments(request: Request, who: PersonPage) -> Response:
    """评审表决: the applications assigned to the person, open votes first."""
    return render(request, "applications/votes.html", who, items=await fetch(who, "/votes"))


async def _sheet_page(request: Request, who: PersonPage, application_id: str, *, values: dict | None = None,
                      error: str | None = None, status_code: int = 200) -> Response:
    sheet = await fetch(who, f"/votes/{application_id}")
    files = await files_of(who, application_id, api="/votes", page="/expert")
    return render(request, "applications/vote.html", who, status_code=status_code, sheet=sheet,
                  **readonly(sheet["application"], files), choices=VOTE_CHOICES, error=error,
                  values=values or {"choice": sheet["item"]["my_choice"] or "", "opinion": sheet["opinion"]})


@router.get("/expert/{application_id}")
async def sheet(request: Request, who: PersonPage, application_id: str) -> Response:
    return await _sheet_page(request, who, application_id)


@router.post("/expert/{application_id}")
async def cast(request: Request, who: PersonPage, application_id: str) -> Response:
    """表决 posts to its own page: a refusal (after the deadline, closed) shows it again as typed."""
    form = await request.form()
    values = {"choice": str(form.get("choice", "")), "opinion": str(form.get("opinion", ""))}
    if values["choice"] not in VOTE_CHOICES:
        return await _sheet_page(request, who, application_id, values=values, error="请选择同意、不同意或弃权",
                                 status_code=422)
    response = await call(who, "PUT", f"/votes/{application_id}", json=values)
    if response.status_code != 200:
        return await _sheet_page(request, who, application_id, values=values, error=problem_fields(response)[1],
                                 status_code=response.status_code)
    return back_to(f"/expert/{application_id}", "vote_cast")


@router.get("/expert/{application_id}/files/{file_id}")
async def open_file(who: PersonPage, application_id: str, file_id: str) -> Response:
    return await open_link(who, f"/votes/{application_id}/files", file_id, "未找到该附件，它可能已不属于这份申报")
