"""What every page of the browser UI uses: who is visiting, calling services as them, rendering."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from gateway.csrf import CSRF_COOKIE, new_csrf_token
from gateway.tokens import SESSION_COOKIE
from shared.auth import Principal
from shared.clock import SHANGHAI
from shared.logging import REQUEST_ID_HEADER, current_request_id

templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")


def local_time(value: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An ISO time from a service, as people in Fujian read it."""
    if not value:
        return "—"
    return dt.datetime.fromisoformat(value).astimezone(SHANGHAI).strftime(fmt)


templates.env.filters["local_time"] = local_time

HOME_OF = {"person": "/home", "unit": "/unit/home", "pending": "/register"}


def nav_for(p: Principal | None) -> list[tuple[str, str]]:
    """The navigation bar of a visitor: only pages that exist and that they may use."""
    if p is None or p.kind == "pending":
        return []
    if p.kind == "unit":
        return [("/unit/home", "单位工作台")]
    items = [("/home", "个人首页"), ("/library", "个人业绩库"), ("/plans", "评审计划"), ("/files", "我的附件"), ("/me", "个人中心")]
    if p.has("unit_admin"):  # a 经办人 named by a unit
        items.append(("/unit/home", "单位工作台"))
    if p.has("plan_admin"):  # administers an organiser's plans
        items.append(("/organizer/plans", "计划管理"))
    return items


class Visitor:
    """Who is looking at a page, and a client to call services as them."""

    def __init__(self, request: Request, token: str | None, principal: Principal | None) -> None:
        self.request = request
        self.token = token
        self.principal = principal

    async def call(self, method: str, service: str, path: str, **kwargs: Any) -> httpx.Response:
        state = self.request.app.state

        async def send() -> httpx.Response:
            headers = {REQUEST_ID_HEADER: current_request_id() or ""}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            return await state.http.request(method, state.settings.services[service] + path, headers=headers,
                                            **kwargs)

        response = await send()
        if response.status_code == 401 and self.token and (secret := self.request.cookies.get(SESSION_COOKIE)):
            # The service refused the cached token (revoked: it heard of an access change before the
            # gateway did): a new one, once. A refusal at authentication did nothing, so resending is safe.
            state.broker.forget(secret)
            found = await state.broker.token_for(secret)
            if found:
                self.token, self.principal = found
                response = await send()
        return response


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
    context.setdefault("notice", NOTICES.get(request.query_params.get("notice", "")))
    response = templates.TemplateResponse(request, template, {"user": user, "csrf_token": csrf,
                                                              "nav": nav_for(p),
                                                              "request_path": request.url.path, **context},
                                          status_code=status_code)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/",
                            secure=request.app.state.settings.cookie_secure)
    return response


def error_page(request: Request, who: Visitor, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", who, status_code=status, status=status, title=title, message=message)


class RedirectTo(Exception):
    """Raised by the page dependencies below; the gateway answers with a 303 to ``location``."""

    def __init__(self, location: str) -> None:
        self.location = location


def _visitor_of(*kinds: str, role: str | None = None):
    """A dependency: the visitor, if they may see the page; else off to where they belong."""

    async def dependency(request: Request) -> Visitor:
        who = await visitor(request)
        p = who.principal
        if p is None:
            raise RedirectTo("/login")
        if p.kind not in kinds and not (role and p.has(role)):
            raise RedirectTo(HOME_OF[p.kind])
        return who

    return dependency


AnyVisitor = Annotated[Visitor, Depends(visitor)]
PendingPage = Annotated[Visitor, Depends(_visitor_of("pending"))]
PersonPage = Annotated[Visitor, Depends(_visitor_of("person"))]
# The unit workspace: a unit's legal-person account, or a person the unit named as 经办人.
UnitDesk = Annotated[Visitor, Depends(_visitor_of("unit", role="unit_admin"))]




def problem_fields(response: httpx.Response) -> tuple[dict[str, str], str]:
    """A service's problem details as (field → message, the sentence to show)."""
    try:
        body = response.json()
    except ValueError:
        return {}, "系统繁忙，请稍后再试"
    errors = {e["field"].split(".")[-1]: e["message"] for e in body.get("errors", [])}
    return errors, body.get("detail") or "操作未成功，请重试"


# One-line confirmations after a form was handled, by code (never free text from a URL).
NOTICES = {
    "registered": "注册成功，欢迎使用福建省职称申报评审管理平台。",
    "registered_bind": "注册成功。您的单位绑定申请已提交，待单位审核通过后即完成绑定。",
    "profile_saved": "个人信息已保存。",
    "binding_requested": "绑定申请已提交，请等待单位审核。",
    "binding_withdrawn": "绑定申请已撤回。",
    "binding_approved": "已通过该绑定申请。",
    "binding_rejected": "已退回该绑定申请。",
    "binding_ended": "已解除该人员与本单位的绑定。",
    "unit_registered": "单位注册成功。本单位人员现在可以搜索并申请绑定本单位。",
    "unit_saved": "单位信息已保存。",
    "reviewer_added": "经办人已添加。",
    "reviewer_removed": "经办人已移除。",
    "entry_saved": "业绩已保存为草稿。绑定单位后，可提交单位审核。",
    "entry_submitted": "已提交单位审核。",
    "entry_withdrawn": "已撤回，可修改后重新提交。",
    "entry_deleted": "草稿已删除。",
    "entries_approved": "已审核通过。",
    "entries_returned": "已退回，申报人可修改后重新提交。",
}


def back_to(path: str, notice: str) -> RedirectResponse:
    """Post/redirect/get: after a form is handled, show the page again with a confirmation."""
    return RedirectResponse(f"{path}{'&' if '?' in path else '?'}{urlencode({'notice': notice})}", status_code=303)
