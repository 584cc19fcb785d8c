"""What every page of the browser UI uses: who is visiting, calling services as them, rendering."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from gateway.csrf import CSRF_COOKIE, new_csrf_token
from gateway.tokens import SESSION_COOKIE
from shared.auth import Principal
from shared.logging import REQUEST_ID_HEADER, current_request_id

templates = Jinja2Templates(directory=Path(__file__).resolve().parents[1] / "templates")

HOME_OF = {"person": "/home", "unit": "/unit/home", "pending": "/register"}


def nav_for(p: Principal | None) -> list[tuple[str, str]]:
    """The navigation bar of a visitor: only pages that exist and that they may use."""
    if p is None or p.kind == "pending":
        return []
    if p.kind == "unit":
        return [("/unit/home", "单位工作台")]
    items = [("/home", "个人首页"), ("/me", "个人中心")]
    if p.has("unit_admin"):  # a 经办人 named by a unit
        items.append(("/unit/home", "单位工作台"))
    return items


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
                                                              "nav": nav_for(p),
                                                              "request_path": request.url.path, **context},
                                          status_code=status_code)
    if CSRF_COOKIE not in request.cookies:
        response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", path="/",
                            secure=request.app.state.settings.cookie_secure)
    return response


def error_page(request: Request, who: Visitor, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", who, status_code=status, status=status, title=title, message=message)


def require(who: Visitor, kind: str) -> Response | None:
    """Redirect a visitor who may not see this page to where they belong."""
    p = who.principal
    if p is None:
        return RedirectResponse("/login", status_code=303)
    if p.kind != kind:
        return RedirectResponse(HOME_OF[p.kind], status_code=303)
    return None


