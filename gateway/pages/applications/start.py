"""马上申报 → 申报职称选择 (图4-3) → 诚信承诺书 (图4-4) → the draft's sections."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.pages.applications.upstream import call
from gateway.pages.common import PageRefused, PersonPage, Visitor, problem_fields, render
from gateway.pages.plans import plan_for_page
from shared.vocabulary import FORMS

router = APIRouter(include_in_schema=False)


async def _choose(request: Request, who: Visitor, plan: dict, values: dict, *, pledge: bool = False,
                  errors: dict | None = None, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "applications/choose.html", who, status_code=status_code, plan=plan, values=values,
                  forms=[(f, FORMS.get(f, f)) for f in plan["forms"]], pledge=pledge, errors=errors or {},
                  error=error)


@router.get("/plans/{plan_id}/apply")
async def choose(request: Request, who: PersonPage, plan_id: str) -> Response:
    plan = await plan_for_page(who, plan_id)
    if not plan["open"]:
        raise PageRefused("不在申报时间内", f"该计划的申报时间为 {plan['start_date']} 至 {plan['end_date']}，"
                                              "当前不能申报。", 409)
    values = {"form": plan["forms"][0] if len(plan["forms"]) == 1 else "", "major": "",
              "title": plan["titles"][0]["name"] if len(plan["titles"]) == 1 else ""}
    return await _choose(request, who, plan, values)


@router.post("/plans/{plan_id}/apply")
async def submit(request: Request, who: PersonPage, plan_id: str) -> Response:
    """step=choose: 确认无误 and 提交 open the pledge; step=pledge: 同意并继续 creates the draft."""
    plan = await plan_for_page(who, plan_id)
    form = await request.form()
    values = {k: str(form.get(k, "")).strip() for k in ("form", "major", "title")}
    confirmed, pledged = form.get("confirmed") == "yes", form.get("pledged") == "yes"
    values["confirmed"] = confirmed  # shown again as it was when the form is refused
    missing = {k: f"请选择{label}" for k, label in (("form", "申报形式"), ("major", "申报专业"), ("title", "申报职称"))
               if not values[k]}
    if not confirmed:
        missing["confirmed"] = "请勾选“确认无误”"
    if missing:
        return await _choose(request, who, plan, values, errors=missing, error="请完成申报职称选择", status_code=422)
    if form.get("step") != "pledge":
        return await _choose(request, who, plan, values, pledge=True)
    if not pledged:
        return await _choose(request, who, plan, values, pledge=True, errors={"pledged": "请勾选“我已阅读并承诺”"},
                             error="请阅读诚信承诺书并勾选“我已阅读并承诺”", status_code=422)
    response = await call(who, "POST", "/applications", json={**values, "plan_id": plan["id"], "confirmed": True,
                                                              "pledged": True})
    if response.status_code != 201:
        errors, detail = problem_fields(response)
        return await _choose(request, who, plan, values, errors=errors, error=detail, status_code=response.status_code)
    return RedirectResponse(f"/apply/{response.json()['id']}?notice=application_started", status_code=303)
