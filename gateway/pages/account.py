"""Pages of signing in: 首页, login choice, registration, 个人首页, the unit workspace's home."""
from __future__ import annotations

import asyncio
import datetime as dt
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.pages.applications.overview import split_current
from gateway.pages.common import (
    HOME_OF,
    AnyVisitor,
    PendingPage,
    PersonPage,
    Unavailable,
    Visitor,
    back_to,
    fetch_json,
    local_path,
    local_time,
    part,
    problem_fields,
    render,
    visitor,
)
from gateway.pages.plans import latest_open_plans
from gateway.tokens import SESSION_COOKIE

router = APIRouter(include_in_schema=False)

LOGIN_ERRORS = {
    "state": "登录请求已失效或校验未通过，请重新登录",
    "sso": "闽政通登录未完成，请稍后重试",
    "not_person": "请使用闽政通个人账号进行个人登录",
    "not_legal": "请使用闽政通法人账号进行单位登录",
    "credit_code": "该法人账号的统一社会信用代码校验未通过，请联系闽政通核实",
    "expired": "登录已失效，请重新登录",
}


@router.get("/")
async def index(request: Request, who: AnyVisitor) -> Response:
    if who.principal and who.principal.kind == "pending":
        return RedirectResponse("/register", status_code=303)
    return render(request, "index.html", who, plans=await part(latest_open_plans(who)))


@router.get("/login")
async def login(request: Request, who: AnyVisitor, error: str | None = None, next: str | None = None) -> Response:
    if who.principal and not error:
        return RedirectResponse(HOME_OF[who.principal.kind], status_code=303)
    # A page that asked for a login (马上申报, say) is where a person goes back to afterwards.
    person_login = "/auth/login/person" + (f"?{urlencode({'next': next})}" if next and local_path(next) else "")
    return render(request, "login.html", who, person_login=person_login,
                  login_error=LOGIN_ERRORS.get(error or "", "登录失败，请重试" if error else None))


@router.get("/register")
async def register_page(request: Request, who: PendingPage) -> Response:
    form = await fetch_json(who, "identity", "/api/identity/registration")
    return render(request, "register.html", who, form=form, values={"choose_unit": "no", "mobile": form.get("mobile") or ""},
                  errors={})


@router.post("/register")
async def register_submit(request: Request, who: PendingPage) -> Response:
    """Register with identity; with 选择单位=是, then ask units for the binding as the new person."""
    posted = await request.form()
    values = {k: str(posted.get(k, "")).strip()
              for k in ("mobile", "address", "email", "choose_unit", "unit_id", "unit_name", "note")}
    bind = values["choose_unit"] == "yes"
    errors: dict[str, str] = {}
    if bind and not values["unit_id"]:
        errors["unit_id"] = "请搜索并选择工作单位；若查询不到所在单位，请将“是否选择单位”选为“否”"
    if bind and len(values["note"]) < 2:
        errors["note"] = "请填写申请说明"
    response = None
    if not errors:
        payload = {"mobile": values["mobile"], "address": values["address"], "email": values["email"] or None,
                   "choose_unit": bind, "name": str(posted.get("name", "")) or None,
                   "id_number": str(posted.get("id_number", "")) or None}
        response = await who.call("POST", "identity", "/api/identity/registration", json=payload)
        if response.status_code == 201:
            request.app.state.broker.forget(request.cookies[SESSION_COOKIE])
            if not bind:
                return back_to("/home", "registered")
            person = await visitor(request)  # the session is a person's now: a new token
            bound = await person.call("POST", "units", "/api/units/bindings",
                                      json={"unit_id": values["unit_id"], "note": values["note"]})
            if bound.status_code == 201:
                return back_to("/home", "registered_bind")
            return back_to("/me/unit", "registered")  # registered; the binding can be retried there
        errors, _ = problem_fields(response)
        errors = errors or {"form": problem_fields(response)[1]}
    form = await fetch_json(who, "identity", "/api/identity/registration")
    return render(request, "register.html", who, status_code=response.status_code if response else 422, form=form,
                  values=values, errors=errors, error="请检查标红的填写项" if errors else None)


async def _pending_items(who: Visitor, mine: dict | Unavailable, stats: list[dict] | Unavailable) -> list[dict]:
    """待处理事项 of a person: where their unit binding stands, and the entries the unit returned
    (each with the way to deal with it). The services are asked at once, not one after another;
    the returned entries only when 业绩统计 counts some (or could not be read)."""
    returned_any = isinstance(stats, Unavailable) or any(s["counts"].get("returned") for s in stats)
    asked = await asyncio.gather(_binding_items(who), *([_returned_entries(who)] if returned_any else []))
    return [item for items in asked for item in items] + _application_items(mine)


def _application_items(mine: dict | Unavailable) -> list[dict]:
    """Applications returned for changes (with the reason), and what waits for the person's decision
    at a review stage or for their vote (``mine``: applications' answer for 个人首页). While
    applications is down the rest of the list still shows."""
    if isinstance(mine, Unavailable):
        return [{"title": "职称申报暂时无法访问，与申报有关的待处理事项稍后显示"}]
    desks, votes = mine["desks"], mine["votes"]
    todos = []
    for a in mine["applications"]:
        if a["status"] == "returned":
            todos.append({"title": f"申报被退回修改：{a['plan_name']} · {a['title']}", "url": f"/apply/{a['id']}",
                          "sub": f"退回理由：{a['reason'] or '见审核记录'}（修改后重新检测并提交）"})
        elif a["status"] == "stopped":
            todos.append({"title": f"申报因公示异议成立而终止：{a['plan_name']} · {a['title']}",
                          "url": f"/apply/{a['id']}", "sub": f"理由：{a['reason'] or '见审核记录'}"})
        todos += _interview_items(a)
    waiting = sum(d["waiting"] for d in desks)
    if desks:  # the way to 申报审核 for deciders the navigation does not know (主管部门, a plan's stages)
        todos.append({"title": f"有 {waiting} 件职称申报等待您审核" if waiting else "申报审核：暂无等待您审核的申报",
                      "url": "/reviews", "sub": "、".join(f"{d['party_label']}：{d['scope']}" for d in desks)})
    open_votes = [v for v in votes if v["can_vote"] and not v["my_choice"]]
    if open_votes:  # a committee's expert: the applications assigned to them that wait for their vote
        todos.append({"title": f"有 {len(open_votes)} 件申报等待您评审表决", "url": "/expert",
                      "sub": f"表决截止：{local_time(min(v['deadline'] for v in open_votes))}"})
    return todos


def _interview_items(a: dict) -> list[dict]:
    """An interview scheduled and still ahead (when, where, the admission page); a 免面试 request
    decided, while the application is in review."""
    todos = []
    interview = a.get("interview")
    if interview and dt.datetime.fromisoformat(interview["starts_at"]) > dt.datetime.now(dt.UTC):
        todos.append({"title": f"面试已安排：{a['plan_name']} · {a['title']}", "url": f"/apply/{a['id']}/admission",
                      "sub": f"面试时间：{local_time(interview['starts_at'])}；面试地点：{interview['place']}；"
                             f"准考证号：{interview['ticket_no']}（点击查看并打印准考证）"})
    exemption = a.get("exemption")
    if exemption and exemption["status"] != "requested" and not interview and a["status"] == "in_review":
        reason = f"，意见：{exemption['decision_reason']}" if exemption["decision_reason"] else ""
        todos.append({"title": f"免面试申请{'已获同意' if exemption['status'] == 'granted' else '未获同意'}："
                               f"{a['plan_name']} · {a['title']}", "url": f"/apply/{a['id']}/exemption",
                      "sub": f"{exemption['status_label']}{reason}"})
    return todos


async def _binding_items(who: Visitor) -> list[dict]:
    mine = await fetch_json(who, "units", "/api/units/bindings/mine")
    todos = []
    if mine["pending"]:
        todos.append({"title": f"您申请绑定「{mine['pending']['unit_name']}」，正在等待单位审核"})
    latest = mine["history"][0] if mine["history"] else None
    if latest and latest["status"] == "rejected":
        todos.append({"title": f"您绑定「{latest['unit_name']}」的申请被退回：{latest['reject_reason']}（可在个人中心重新申请）",
                      "url": "/me/unit"})
    if not mine["current"] and not mine["pending"]:
        todos.append({"title": "您尚未绑定工作单位：绑定并经单位审核通过后，才能提交业绩审核和申报职称", "url": "/me/unit"})
    return todos


RETURNED_SHOWN = 10


async def _returned_entries(who: Visitor) -> list[dict]:
    """已退回 entries: the reason and a link to fix them (a new submission starts from the edit page)."""
    listing = await fetch_json(who, "library", "/api/library/entries",
                               params={"status": "returned", "page_size": RETURNED_SHOWN})
    todos = [{"title": f"业绩被单位退回：{e['type_name']}「{e['title']}」", "url": f"/library/{e['id']}/edit",
              "sub": f"退回原因：{e['return_reason'] or '—'}（修改后重新提交审核）"} for e in listing["items"]]
    if listing["total"] > len(listing["items"]):
        todos.append({"title": f"还有 {listing['total'] - len(listing['items'])} 条被退回的业绩", "url": "/library"})
    return todos


@router.get("/home")
async def home(request: Request, who: PersonPage) -> Response:
    # Every module's services at once: the page waits for the slowest call, not for their sum.
    # applications answers its four parts (申报, 职称, 审核, 表决) in one call.
    me, mine, stats, plans = await asyncio.gather(
        fetch_json(who, "identity", "/api/identity/me"),
        part(fetch_json(who, "applications", "/api/applications/home")),
        part(fetch_json(who, "library", "/api/library/stats")), part(latest_open_plans(who)))
    unavailable = isinstance(mine, Unavailable)
    return render(request, "home.html", who, me=me, unit_name=me.get("unit_name"),
                  titles=mine if unavailable else mine["certificates"],
                  applications=mine if unavailable else _my_applications(mine["applications"]),
                  todos=await part(_pending_items(who, mine, stats)),
                  stats=stats if isinstance(stats, Unavailable) else _library_stats(stats), plans=plans)


def _my_applications(mine: list[dict]) -> list[dict]:
    """我的申报情况: the person's applications of the newest plan year."""
    current, _ = split_current(mine)
    return [{"title": f"{a['plan_name']} · {a['title']}（{a['major']}）", "subtitle": f"申报状态：{a['status_label']}",
             "url": f"/apply/{a['id']}" if "edit" in a["actions"] else f"/apply/{a['id']}/overview"} for a in current]


def _library_stats(stats: list[dict]) -> list[dict]:
    """业绩统计: entries per type (types in use only), and how many await the unit or were returned."""
    rows = [s for s in stats if s["total"]]
    return [{"label": s["type_name"], "count": s["total"], "url": f"/library?type={s['type']}",
             "note": "，".join(f"{label}{s['counts'][k]}" for k, label in (("submitted", "待审"), ("returned", "退回"))
                              if s["counts"].get(k))} for s in rows]
