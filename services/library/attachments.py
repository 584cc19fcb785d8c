"""Entries refer to files kept by documents. Saving, submitting and approving an entry tells
documents (its internal claims API) which files the entry uses: documents checks that they
are the owner's, lets the reviewing unit read them, and locks the approved version's files."""
from __future__ import annotations

import uuid

import httpx

from services.library.models import Entry
from shared.errors import AppError


def _ref(entry: Entry, approved: bool = False) -> str:
    return f"library:entry:{entry.id}{':approved' if approved else ''}"


async def claim(documents: httpx.AsyncClient, entry: Entry, *, had: list[uuid.UUID] | None = None,
                unit_id: uuid.UUID | None, approved: bool = False) -> None:
    """Tell documents which files the entry uses now (``had``: what it used before this change).
    An entry that never had attachments never calls documents."""
    file_ids = entry.attachment_ids
    if not file_ids:
        if had and not approved:
            await release(documents, entry)  # the last attachment was removed
        return
    try:
        response = await documents.put(f"/internal/files/claims/{_ref(entry, approved)}", json={
            "owner_id": str(entry.owner_id), "file_ids": [str(f) for f in file_ids],
            "unit_id": str(unit_id) if unit_id else None, "lock": approved})
    except httpx.HTTPError:
        raise AppError("附件服务暂时不可用，请稍后再试", code="documents_unavailable", status_code=503) from None
    if response.status_code == 422:
        raise AppError("附件不存在或不属于您，请重新选择附件", code="attachment_not_yours", status_code=422,
                       errors=[{"field": "attachment_ids", "label": "附件", "message": "不存在或不属于您"}])
    if response.status_code >= 400:
        raise AppError("附件服务暂时不可用，请稍后再试", code="documents_unavailable", status_code=503)


async def release(documents: httpx.AsyncClient, entry: Entry, *, approved: bool = False) -> None:
    try:
        response = await documents.delete(f"/internal/files/claims/{_ref(entry, approved)}")
    except httpx.HTTPError:
        raise AppError("附件服务暂时不可用，请稍后再试", code="documents_unavailable", status_code=503) from None
    if response.status_code >= 400 and response.status_code != 404:
        raise AppError("附件服务暂时不可用，请稍后再试", code="documents_unavailable", status_code=503)
