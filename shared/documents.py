"""Claims on files kept by documents, for the services whose records refer to files.

A claim says that the record ``ref`` uses these files: documents checks they are the owner's,
lets the named unit's reviewers (or, ``public``, everyone logged in) read them, and with
``lock`` refuses their deletion; ``label`` names the record to the owner in 我的附件. A PUT replaces the ref's previous claim; DELETE releases it."""
from __future__ import annotations

import uuid

import httpx

from shared.errors import AppError


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
