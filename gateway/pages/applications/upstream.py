"""The one way the 职称申报 pages call the applications service: statuses and problem details
become a page (or the form again with the reason), never a stack trace or false content."""
from __future__ import annotations

from typing import Any

import httpx

from gateway.pages.common import PageRefused, RedirectTo, Visitor, problem_fields

SERVICE = "applications"
DOWN = "职称申报服务暂时无法访问，请稍后再试；已保存的内容不会丢失。"


async def call(who: Visitor, method: str, path: str, *, version: int | str | None = None,
               **kwargs: Any) -> httpx.Response:
    """``path`` below /api/applications; ``version`` goes as If-Match (the version the page showed)."""
    headers = kwargs.pop("headers", {})
    if version not in (None, ""):
        headers["If-Match"] = f'"{version}"'
    try:
        response = await who.call(method, SERVICE, f"/api/applications{path}", headers=headers, **kwargs)
    except httpx.HTTPError as exc:
        raise PageRefused("服务暂不可用", DOWN, 503) from exc
    if response.status_code in (502, 503, 504):
        raise PageRefused("服务暂不可用", DOWN, 503)
    if response.status_code == 401:
        raise RedirectTo("/login")
    return response


async def fetch(who: Visitor, path: str, **kwargs: Any) -> Any:
    """A read that the page cannot do without: its JSON, or the page that says why not."""
    response = await call(who, "GET", path, **kwargs)
    if response.status_code >= 400:
        _, detail = problem_fields(response)
        raise PageRefused("未找到" if response.status_code == 404 else "无法打开", detail, response.status_code)
    return response.json()
