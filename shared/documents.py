"""Claims on files kept by documents, for the services whose records refer to files.

A claim says that the record ``ref`` uses these files: documents checks they are the owner's,
lets the named unit's reviewers (or, ``public``, everyone logged in) read them, and with
``lock`` refuses their deletion; ``label`` names the record to the owner in 我的附件. A PUT replaces the ref's previous claim; DELETE releases it.
``links`` gives short-lived links to the files a record claims, for whoever the calling service
lets see that record (documents does not know them)."""
from __future__ import annotations

import uuid

import httpx

from shared.errors import AppError

LINKS_MAX = 500  # documents' limit per call


def _unavailable() -> AppError:
    return AppError("附件服务暂时不可用，请稍后再试", code="documents_unavailable", status_code=503)


async def claim(documents: httpx.AsyncClient, ref: str, *, owner_id: uuid.UUID, file_ids: list[uuid.UUID],
                field: str, unit_id: uuid.UUID | None = None, lock: bool = False, public: bool = False,
                label: str | None = None) -> None:
    """``field``: the caller's name of the attachments, for the message when one is not the owner's."""
    try:
        response = await documents.put(f"/internal/files/claims/{ref}", json={
            "owner_id": str(owner_id), "file_ids": [str(f) for f in file_ids],
            "unit_id": str(unit_id) if unit_id else None, "lock": lock, "public": public,
            "label": label[:200] if label else None})
    except httpx.HTTPError:
        raise _unavailable() from None
    if response.status_code == 422:
        raise AppError("附件不存在或不属于您，请重新选择附件", code="attachment_not_yours", status_code=422,
                       errors=[{"field": field, "label": "附件", "message": "不存在或不属于您"}])
    if response.status_code >= 400:
        raise _unavailable()


async def release(documents: httpx.AsyncClient, ref: str) -> None:
    try:
        response = await documents.delete(f"/internal/files/claims/{ref}")
    except httpx.HTTPError:
        raise _unavailable() from None
    if response.status_code >= 400 and response.status_code != 404:
        raise _unavailable()


async def links(documents: httpx.AsyncClient, ref: str, file_ids: list[uuid.UUID]) -> list[dict]:
    """Links to those of ``file_ids`` that ``ref`` claims (others are left out), in the order asked:
    ``{file_id, name, kind, kind_label, content_type, size, has_thumbnail, url, thumbnail_url,
    expires_at}``; the urls are relative to the gateway and expire within minutes."""
    ids = [str(i) for i in dict.fromkeys(file_ids)]
    found: list[dict] = []
    for start in range(0, len(ids), LINKS_MAX):
        try:
            response = await documents.post("/internal/files/links",
                                            json={"ref": ref, "file_ids": ids[start:start + LINKS_MAX]})
        except httpx.HTTPError:
            raise _unavailable() from None
        if response.status_code >= 400:
            raise _unavailable()
        found += response.json()
    return found


async def generated(documents: httpx.AsyncClient, application_id: uuid.UUID,
                    kinds: list[str] | None = None) -> dict:
    """Links to the application's latest generated PDFs (评审表, 准考证, 证书…) that exist, for whoever
    the caller lets see the application, and the renders under way: ``{items: [{kind, kind_label, url,
    pages, size, created_at, expires_at}], rendering: [{kind, kind_label, step, page, label, started_at, …}]}``."""
    try:
        response = await documents.post("/internal/generated/links",
                                        json={"application_id": str(application_id), "kinds": kinds})
    except httpx.HTTPError:
        raise _unavailable() from None
    if response.status_code >= 400:
        raise _unavailable()
    return response.json()
