"""Pages of signing in: 首页, login choice, registration, 个人首页, the unit workspace's home."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gateway.pages.common import HOME_OF, render, require, visitor
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
async def index(request: Request) -> Response:
    who = await visitor(request)
    if who.principal and who.principal.kind == "pending":
        return RedirectResponse("/register", status_code=303)
    return render(request, "index.html", who, plans=[])


@router.get("/login")
async def login(request: Request, error: str | None = None) -> Response:
    who = await visitor(request)
    if who.principal and not error:
        return RedirectResponse(HOME_OF[who.principal.kind], status_code=303)
    return render(request, "login.html", who, login_error=LOGIN_ERRORS.get(error or "", "登录失败，请重试" if error else None))


@router.get("/register")
async def register_page(request: Request) -> Response:
    who = await visitor(request)
    if redirect := require(who, "pending"):
        return redirect
    form = (await who.call("GET", "identity", "/api/identity/registration")).json()
    return render(request, "register.html", who, form=form, values={"choose_unit": "no", "mobile": form.get("mobile") or ""},
                  errors={})


@router.post("/register")
async def register_submit(request: Request) -> Response:
    who = await visitor(request)
    if redirect := require(who, "pending"):
        return redirect
    posted = await request.form()
    values = {k: str(posted.get(k, "")).strip() for k in ("mobile", "address", "email", "choose_unit")}
    payload = {"mobile": values["mobile"], "address": values["address"], "email": values["email"] or None,
               "choose_unit": values["choose_unit"] == "yes",
               "name": str(posted.get("name", "")) or None, "id_number": str(posted.get("id_number", "")) or None}
    response = await who.call("POST", "identity", "/api/identity/registration", json=payload)
    if response.status_code == 201:
        request.app.state.broker.forget(request.cookies[SESSION_COOKIE])
        target = "/home?welcome=1&bind=1" if payload["choose_unit"] else "/home?welcome=1"
        return RedirectResponse(target, status_code=303)
    body = response.json()
    errors = {e["field"]: e["message"] for e in body.get("errors", [])} or {"form": body.get("detail", "注册失败")}
    form = (await who.call("GET", "identity", "/api/identity/registration")).json()
    return render(request, "register.html", who, status_code=response.status_code, form=form, values=values,
                  errors=errors, error=body.get("detail"))


@router.get("/home")
async def home(request: Request, welcome: str | None = None, bind: str | None = None) -> Response:
    who = await visitor(request)
    if redirect := require(who, "person"):
        return redirect
    me = (await who.call("GET", "identity", "/api/identity/me")).json()
    notice = None
    if welcome:
        notice = "注册成功，欢迎使用福建省职称申报评审管理平台。"
        if bind:
            notice += "您选择了绑定工作单位：单位绑定功能开放后，请在「个人中心 → 变更单位」中搜索单位并提交申请。"
    return render(request, "home.html", who, me=me, unit_name=None, applications=[], todos=[], stats=[], plans=[],
                  notice=notice)


@router.get("/unit/home")
async def unit_home(request: Request) -> Response:
    who = await visitor(request)
    if redirect := require(who, "unit"):
        return redirect
    account = (await who.call("GET", "identity", "/api/identity/me")).json()
    return render(request, "unit_home.html", who, account=account, pending_bindings=[])
