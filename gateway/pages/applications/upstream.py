"""The 职称申报 pages' calls to the applications service, on the pages' one helper
(``common.fetch``): no answer or a server error is ``Unavailable`` (the page says 职称申报 is
unavailable), the service's refusals come back for the page to show, reads it cannot do
without become the page that says why."""
from __future__ import annotations

from typing import Any

import httpx
from fastapi.responses import RedirectResponse

from gateway.pages.common import ANY_ANSWER, PageRefused, Visitor, problem_fields
from gateway.pages.common import fetch as fetch_from


async def call(who: Visitor, method: str, path: str, *, version: int | str | None = None,
               **kwargs: Any) -> httpx.Response:
    """``path`` below /api/applications; ``version`` goes as If-Match (the version the page showed)."""
    headers = kwargs.pop("headers", {})
    if version not in (None, ""):
        headers["If-Match"] = f'"{version}"'
    return await fetch_from(who, "applications", f"/api/applications{path}", method=method, accept=ANY_ANSWER,
                            headers=headers, **kwargs)


async def fetch(who: Visitor, path: str, **kwargs: Any) -> Any:
    """A read the page cannot do without: its JSON, or the page that says why not."""
    response = await call(who, "GET", path, **kwargs)
    if response.status_code >= 400:
        _, detail = problem_fields(response)
        raise PageRefused("未找到" if response.status_code == 404 else "无法打开", detail, response.status_code)
    return response.json()


async def open_link(who: Visitor, path: str, file_id: str, missing: str) -> RedirectResponse:
    """One of the files ``path`` lists, through a short-lived link made now (the service says whether
    the caller may see them): a page may be read for longer than a link lives."""
    links = await fetch(who, path)
    link = next((f for f in links if f["file_id"] == file_id), None)
    if link is None:
        raise PageRefused("未找到", missing, 404)
    return RedirectResponse(link["url"], status_code=303)
