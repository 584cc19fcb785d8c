"""The browser UI: server-rendered pages that call the services' APIs with the visitor's token."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from gateway.csrf import CSRF_COOKIE, new_csrf_token
from gateway.tokens import SESSION_COOKIE
from shared.auth import Principal
from shared.logging import REQUEST_ID_HEADER, current_request_id

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)

LOGIN_ERRORS = {
    "state": "登录请求已失效或校验未通过，请重新登录",
    "sso": "闽政通登录未完成，请稍后重试",
    "not_person": "请使用闽政通个人账号进行个人登录",
    "not_legal": "请使用闽政通法人账号进行单位登录",
    "credit_code": "该法人账号的统一社会信用代码校验未通过，请联系闽政通核实",
    "expired": "登录已失效，请重新登录",
}
HOME_OF = {"person": "/home", "unit": "/unit/home", "pending": "/register"}
# The navigation bar of each kind of visitor: only pages that exist are listed.
NAV = {"person": [("/home", "个人首页")], "unit": [("/unit/home", "单位工作台")], "pending": []}


class Visitor:
    """Who is looking at a page, and a client to call services as them."""

    def __init__(self, request: Request, token: str | None, principal: Principal | None) -> None:
        self.request = request
        self.token = token
        self.principal = principal

    async def call(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        state = self.request.app.state
        headers = {REQUEST_ID_HEADER: current_request_id() or ""}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return await state.http.request(method, state.settings.services[service] + path, headers=headers, **kwargs)


async def visitor(request: Request) -> Visitor:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return Visitor(request, None, None)
    found = await request.app.state.broker.token_for(secret)
    return Visitor(request, *found) if found else Visitor(request, None, None)


def render(request: Request, template: str, who: Visitor, status_code: int = 200, **context: Any) -> HTMLResponse:
    csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
    p = who.principal
    user = {"kind": p.kind, "name": p.name, "roles": sorted(p.roles)} if p else None
    response = templates.TemplateResponse(request, template, {"user": user, "csrf_token": csrf,
                                                              "nav": NAV[p.kind] if p else [],
                                                              "request_path": request.url.path, **context},
                                          status_code=status_code)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/",
                            secure=request.app.state.settings.cookie_secure)
    return response


def error_page(request: Request, who: Visitor, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", who, status_code=status, status=status, title=title, message=message)


def _require(who: Visitor, kind: str) -> Response | None:
    """Redirect a visitor who may not see this page to where they belong."""
    p = who.principal
    if p is None:
        return RedirectResponse("/login", status_code=303)
    if p.kind != kind:
        return RedirectResponse(HOME_OF[p.kind], status_code=303)
    return None


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
    if redirect := _require(who, "pending"):
        return redirect
    form = (await who.call("GET", "identity", "/api/identity/registration")).json()
    return render(request, "register.html", who, form=form, values={"choose_unit": "no", "mobile": form.get("mobile") or ""},
                  errors={})


@router.post("/register")
async def register_submit(request: Request) -> Response:
    who = await visitor(request)
    if redirect := _require(who, "pending"):
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
    if redirect := _require(who, "person"):
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
    if redirect := _require(who, "unit"):
        return redirect
    account = (await who.call("GET", "identity", "/api/identity/me")).json()
    return render(request, "unit_home.html", who, account=account, pending_bindings=[])
