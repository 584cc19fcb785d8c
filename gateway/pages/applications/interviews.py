"""免面试 and interviews: the applicant's 免面试 page and 准考证 (打印准考证: the admission details,
printable; the PDF comes with the documents issue), and the organiser's 面试安排 of a plan (its
免面试 requests to grant or refuse, and the applications to schedule, one by one or a batch).
Who may see and do what is the applications service's to say; these pages show its answers."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.pages.applications.draft import files_shown
from gateway.pages.applications.upstream import call, fetch, open_link
from gateway.pages.common import (
    PageRefused,
    PersonPage,
    Visitor,
    after_batch,
    back_to,
    back_with_error,
    problem_fields,
    render,
)
from gateway.pages.plans import PlanAdminPage, plan_for_page

router = APIRouter(include_in_schema=False)
LISTED = 100  # rows of each list on the organiser's page


# --- the applicant's ----------------------------------------------------------------------------
async def _exemption_page(request: Request, who: Visitor, application_id: str, *, values: dict | None = None,
                          errors: dict | None = None, error: str | None = None, status_code: int = 200) -> Response:
    app = await fetch(who, f"/applications/{application_id}")
    state = await fetch(who, f"/applications/{application_id}/exemption")
    shown = [r for r in [state["current"], *state["previous"]] if r]
    files = await files_shown(who, [f for r in shown for f in r["file_ids"]])
    return render(request, "applications/exemption.html", who, status_code=status_code, app=app, state=state,
                  files=files, values=values or {"reason": "", "file_ids": []}, errors=errors or {}, error=error)


@router.get("/apply/{application_id}/exemption")
async def exemption(request: Request, who: PersonPage, application_id: str) -> Response:
    """免面试: the request and its decision, and the form while one may be made."""
    return await _exemption_page(request, who, application_id)


@router.post("/apply/{application_id}/exemption")
async def request_exemption(request: Request, who: PersonPage, application_id: str) -> Response:
    form = await request.form()
    values = {"reason": str(form.get("reason", "")), "file_ids": [str(f) for f in form.getlist("file_ids") if f]}
    response = await call(who, "POST", f"/applications/{application_id}/exemption", json=values)
    if response.status_code != 201:
        errors, detail = problem_fields(response)
        return await _exemption_page(request, who, application_id, values=values, errors=errors, error=detail,
                                     status_code=response.status_code)
    return back_to(f"/apply/{application_id}/exemption", "exemption_requested")


@router.get("/apply/{application_id}/admission")
async def admission(request: Request, who: PersonPage, application_id: str) -> Response:
    """打印准考证: the admission details on a page that prints as the ticket."""
    ticket = await fetch(who, f"/applications/{application_id}/interview")
    photo = ticket["photo_file_id"]
    files = await files_shown(who, [photo] if photo else [])
    documents = await fetch(who, f"/applications/{application_id}/documents")
    ticket_pdf = next((d for d in documents["items"] if d["kind"] == "admission_ticket"), None)
    return render(request, "applications/admission.html", who, ticket=ticket, photo=files.get(photo) if photo else None,
                  ticket_pdf=ticket_pdf)


# --- the organiser's administrators -------------------------------------------------------------
async def _arrangements(request: Request, who: Visitor, plan_id: str, *, values: dict | None = None,
                        error: str | None = None, status_code: int = 200) -> Response:
    plan = await plan_for_page(who, plan_id)
    exemptions = await fetch(who, "/exemptions", params={"plan_id": plan["id"], "page_size": LISTED})
    needed = await fetch(who, "/interviews", params={"plan_id": plan["id"], "status": "needed", "page_size": LISTED})
    scheduled = await fetch(who, "/interviews", params={"plan_id": plan["id"], "status": "scheduled",
                                                        "page_size": LISTED})
    return render(request, "applications/interviews.html", who, status_code=status_code, plan=plan,
                  exemptions=exemptions, needed=needed, scheduled=scheduled,
                  values=values or {"starts_at": "", "place": "", "picked": []}, error=error)


@router.get("/organizer/plans/{plan_id}/interviews")
async def arrangements(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    """面试安排: 免面试申请 to decide, the applications that need an interview, those scheduled."""
    return await _arrangements(request, who, plan_id)


# Registered before plans' POST /organizer/plans/{plan_id}/{action} (applications' routers come first).
@router.post("/organizer/plans/{plan_id}/interviews")
async def arrange(request: Request, who: PlanAdminPage, plan_id: str) -> Response:
    """do=schedule: 安排面试 for the checked applications (a refused form is shown again as typed);
    do=grant / refuse: the decision on one 免面试 request (back to the page with what happened)."""
    form = await request.form()
    do, page = str(form.get("do", "")), f"/organizer/plans/{plan_id}/interviews"
    if do in ("grant", "refuse"):
        application_id = str(form.get("application_id", ""))
        response = await call(who, "POST", f"/exemptions/{application_id}/decision",
                              json={"granted": do == "grant", "reason": str(form.get("reason", ""))})
        if response.status_code != 200:
            return back_with_error(request, f"{page}#exemption-{application_id}", problem_fields(response)[1])
        return back_to(page, "exemption_granted" if do == "grant" else "exemption_refused")
    if do != "schedule":
        raise PageRefused("未找到", "不支持该操作。", 404)
    values = {"starts_at": str(form.get("starts_at", "")), "place": str(form.get("place", "")),
              "picked": [str(v) for v in form.getlist("picked") if v]}
    missing = [why for why, ok in (("请先勾选要安排面试的申报", values["picked"]),
                                   ("请选择面试时间", values["starts_at"])) if not ok]
    if missing:
        return await _arrangements(request, who, plan_id, values=values, error="；".join(missing), status_code=422)
    response = await call(who, "POST", "/interviews", json={"application_ids": values["picked"],
                                                            "starts_at": values["starts_at"],
                                                            "place": values["place"]})
    if response.status_code != 200:
        return await _arrangements(request, who, plan_id, values=values, error=problem_fields(response)[1],
                                   status_code=response.status_code)
    return after_batch(request, page, response.json(), did="安排", notice="interviews_scheduled")


@router.get("/organizer/plans/{plan_id}/exemptions/{application_id}/files/{file_id}")
async def open_evidence(who: PlanAdminPage, plan_id: str, application_id: str, file_id: str) -> Response:
    """A 免面试 request's evidence, through a link made now (the service checks who may see it)."""
    return await open_link(who, f"/exemptions/{application_id}/files", file_id, "未找到该证明材料")
