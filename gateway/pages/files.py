"""我的附件 (the manual's 附件一览表 for a person's own files: upload, 查看附件, rename, delete),
the viewer (点击图片可以放大或缩小), and the file picker other pages embed in their forms
(templates/files/_picker.html with ``picker_context``). Everything goes through the documents
API as the visitor; uploads are re-streamed to it, never read whole here."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gateway.pages.common import (
    ANY_ANSWER,
    NOTICES,
    AnyVisitor,
    PersonPage,
    RedirectTo,
    Unavailable,
    Visitor,
    back_to,
    back_with_error,
    error_page,
    fetch,
    fetch_json,
    problem_fields,
    render,
    templates,
    unavailable_page,
)
from gateway.proxy import BodyTooLarge, _capped
from shared.logging import REQUEST_ID_HEADER, current_request_id

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 20
# What new files of a library entry are (documents' kinds: GET /api/documents/kinds).
ENTRY_ATTACHMENT = "entry_attachment"
NOTICES.update({"file_uploaded": "附件已上传。", "file_renamed": "附件名称已修改。", "file_deleted": "附件已删除。",
                "file_kept": "附件已保存到我的附件，不会被自动清理。"})


def filesize(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def badge(content_type: str) -> str:
    return {"application/pdf": "PDF", "application/ofd": "OFD"}.get(content_type, "文件")


templates.env.filters["filesize"] = filesize
templates.env.filters["file_badge"] = badge


async def _api(who: Visitor, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """documents' answer, refusals (4xx) included, which the page shows; else Unavailable."""
    return await fetch(who, "documents", f"/api/documents{path}", method=method, accept=ANY_ANSWER, **kwargs)


def _file_id(raw: str) -> str | None:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def _upload(who: Visitor, request: Request) -> httpx.Response:
    """Pass the browser's multipart body on to documents as it arrives (capped like the proxy);
    documents parses it, checks it and stops it at its own limit."""
    state = request.app.state
    limit = state.settings.max_body_bytes
    headers = {"content-type": request.headers.get("content-type", ""), "authorization": f"Bearer {who.token}",
               REQUEST_ID_HEADER: current_request_id() or ""}
    if (declared := request.headers.get("content-length", "")).isdigit():
        if int(declared) > limit:
            raise BodyTooLarge
        headers["content-length"] = declared
    try:
        return await state.http.post(f"{state.settings.services['documents']}/api/documents/files",
                                     content=_capped(request.stream(), limit), headers=headers)
    except (httpx.HTTPError, KeyError) as exc:
        raise Unavailable("documents") from exc


async def _upload_problem(who: Visitor, request: Request) -> tuple[dict | None, str | None]:
    """The stored file, or why not (a sentence to show)."""
    try:
        response = await _upload(who, request)
    except BodyTooLarge:
        return None, f"文件：超过大小上限（{request.app.state.settings.max_body_bytes // (1024 * 1024)} MB）"
    except Unavailable:
        return None, "附件服务暂时无法访问，请稍后再试。"
    if response.status_code == 401:
        raise RedirectTo("/login")
    if response.status_code != 201:
        return None, problem_fields(response)[1]
    return response.json(), None


def _error_fragment(request: Request, who: Visitor, target: str, message: str) -> HTMLResponse:
    """An htmx answer that puts the message where the form shows errors (htmx swaps only 2xx)."""
    response = render(request, "files/_error.html", who, target=target, message=message)
    response.headers.update({"HX-Retarget": f"#{target}", "HX-Reswap": "outerHTML"})
    return response


# --- 我的附件 ---------------------------------------------------------------------------------

def _listing_query(request: Request) -> dict[str, Any]:
    kind = request.query_params.get("kind", "")[:40]
    page = request.query_params.get("page", "1")
    return {"kind": kind, "page": int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1}


async def _listing(who: Visitor, query: dict[str, Any]) -> dict:
    params = {"page": query["page"], "page_size": PAGE_SIZE, **({"kind": query["kind"]} if query["kind"] else {})}
    return await fetch_json(who, "documents", "/api/documents/files", params=params)


async def _table(request: Request, who: Visitor, *, notice: str | None = None, error: str | None = None) -> Response:
    """The list after a change: the table alone for htmx, else the page again (post/redirect/get)."""
    query = _listing_query(request)
    if not _htmx(request):
        back = f"/files?{urlencode({'kind': query['kind'], 'page': query['page']})}"
        return back_to(back, notice or "") if error is None else back_with_error(request, back, error)
    return render(request, "files/_table.html", who, files=await _listing(who, query), query=query,
                  table_notice=NOTICES.get(notice or ""), table_error=error)


async def _page(request: Request, who: Visitor) -> Response:
    query = _listing_query(request)
    kinds = await fetch_json(who, "documents", "/api/documents/kinds")
    return render(request, "files/list.html", who, files=await _listing(who, query), kinds=kinds, query=query)


@router.get("/files")
async def my_files(request: Request, who: PersonPage) -> Response:
    try:
        return await _page(request, who)
    except Unavailable as exc:
        return unavailable_page(request, who, exc)


@router.post("/files/upload")
async def upload(request: Request, who: PersonPage) -> Response:
    """htmx (multipart, from the page's upload form): the refreshed table, or the reason."""
    stored, problem = await _upload_problem(who, request)
    if problem:
        return _error_fragment(request, who, "upload-error", problem)
    try:
        response = await _table(request, who, notice="file_uploaded")
    except Unavailable:
        return _error_fragment(request, who, "upload-error", "附件服务暂时无法访问，请稍后再试。")
    response.headers["HX-Trigger"] = "file-uploaded"  # the form clears itself
    return response


async def _change(request: Request, who: Visitor, raw_id: str, method: str, notice: str,
                  json: dict | None = None) -> Response:
    if (file_id := _file_id(raw_id)) is None:
        return error_page(request, who, 404, "未找到", "未找到该附件。")
    try:
        response = await _api(who, method, f"/files/{file_id}", json=json)
        if response.status_code == 401:
            raise RedirectTo("/login")
        if response.status_code >= 400:
            return await _table(request, who, error=problem_fields(response)[1])
        return await _table(request, who, notice=notice)
    except Unavailable as exc:
        return unavailable_page(request, who, exc)


@router.post("/files/{file_id}/rename")
async def rename(request: Request, who: PersonPage, file_id: str) -> Response:
    name = str((await request.form()).get("display_name", ""))
    return await _change(request, who, file_id, "PATCH", "file_renamed", {"display_name": name})


@router.post("/files/{file_id}/keep")
async def keep(request: Request, who: PersonPage, file_id: str) -> Response:
    return await _change(request, who, file_id, "PATCH", "file_kept", {"kept": True})


@router.post("/files/{file_id}/delete")
async def delete(request: Request, who: PersonPage, file_id: str) -> Response:
    return await _change(request, who, file_id, "DELETE", "file_deleted")


# --- the picker other pages embed -------------------------------------------------------------

@dataclass
class Picker:
    """What files/_picker.html shows: see the comment at its top."""

    name: str
    kind: str
    chosen: list[dict] = field(default_factory=list)  # FileOut of the chosen files, in order
    available: list[dict] = field(default_factory=list)  # the person's other files, newest first
    missing: int = 0  # chosen files that no longer exist (dropped when the form is saved)
    unresolved: list[str] = field(default_factory=list)  # chosen ids kept as they are: documents is down
    unavailable: str | None = None  # “附件暂时不可用…” while documents is down

    @property
    def dom_id(self) -> str:
        return "picker-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.name)


def _unique_ids(raw: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in (_file_id(str(r)) for r in raw) if i))


async def files_of(who: Visitor, file_ids: Iterable[str]) -> list[dict | None]:
    """The metadata of these files as the visitor may see it (None where they may not, or it is gone)."""
    return list((await files_by_id(who, file_ids)).values())


async def files_by_id(who: Visitor, file_ids: Iterable[str]) -> dict[str, dict | None]:
    """The metadata of these files by id as the visitor may see it (None where they may not, or it
    is gone): one call per 300 files, however many a page shows."""
    ids, found = _unique_ids(file_ids), {}
    for start in range(0, len(ids), 300):
        response = await _api(who, "GET", "/files/batch", params={"ids": ids[start:start + 300]})
        if response.status_code == 200:
            found.update({f["id"]: f for f in response.json()})
    return {i: found.get(i) for i in ids}


async def picker_context(who: Visitor, *, chosen: Iterable[str] = (), kind: str = ENTRY_ATTACHMENT,
                         name: str = "file_ids") -> Picker:
    """For a page that embeds files/_picker.html: ``chosen`` are the ids the form holds now (from
    the record, or from the posted form when it is shown again), ``kind`` what new uploads are."""
    ids = _unique_ids(chosen)
    picker = Picker(name=name, kind=kind)
    try:
        found = await files_of(who, ids)
        mine = await _api(who, "GET", "/files", params={"page_size": 100})
    except Unavailable as exc:
        picker.unresolved = ids  # keep the form's choice intact until documents answers again
        picker.unavailable = exc.message
        return picker
    picker.chosen = [f for f in found if f]
    picker.missing = len(ids) - len(picker.chosen)
    taken = {f["id"] for f in picker.chosen}
    if mine.status_code == 200:
        picker.available = [f for f in mine.json()["items"] if f["id"] not in taken]
    return picker


@router.get("/files/picker")
async def picker(request: Request, who: PersonPage, chosen: Annotated[list[str], Query()] = [],  # noqa: B006
                 kind: Annotated[str, Query(max_length=40)] = ENTRY_ATTACHMENT,
                 name: Annotated[str, Query(max_length=40, pattern=r"^[A-Za-z0-9_\[\].-]+$")] = "file_ids") -> Response:
    """The picker on its own, for pages that load it with htmx (``hx-get="/files/picker?…"``)."""
    return render(request, "files/_picker.html", who, picker=await picker_context(who, chosen=chosen, kind=kind,
                                                                                  name=name))


@router.post("/files/picker/upload")
async def picker_upload(request: Request, who: PersonPage,
                        name: Annotated[str, Query(max_length=40, pattern=r"^[A-Za-z0-9_\[\].-]+$")] = "file_ids",
                        ) -> Response:
    """htmx (multipart: kind, file): the new file as a chosen item of the picker, or the reason."""
    picker = Picker(name=name, kind="")
    stored, problem = await _upload_problem(who, request)
    if problem:
        return _error_fragment(request, who, f"{picker.dom_id}-error", problem)
    return render(request, "files/_picked.html", who, f=stored, picker=picker, clear_error=True)


# --- the viewer -------------------------------------------------------------------------------

@router.get("/files/{file_id}")
async def view(request: Request, who: AnyVisitor, file_id: str) -> Response:
    """查看附件: the original through a fresh short-lived link; images zoom (static/files.js)."""
    if who.principal is None:
        raise RedirectTo("/login")
    if (fid := _file_id(file_id)) is None:
        return error_page(request, who, 404, "未找到", "未找到该附件。")
    try:
        found = await _api(who, "GET", f"/files/{fid}")
        if found.status_code == 401:
            raise RedirectTo("/login")
        if found.status_code != 200:
            return error_page(request, who, 404, "未找到", "未找到该附件，它可能已被删除，或您无权查看。")
        link = await fetch_json(who, "documents", f"/api/documents/files/{fid}/link", method="POST")
    except Unavailable as exc:
        return unavailable_page(request, who, exc)
    f = found.json()
    return render(request, "files/view.html", who, f=f, link=link,
                  own=who.principal.kind == "person" and f["owner_id"] == str(who.principal.id))
