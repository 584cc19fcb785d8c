"""Plan attachments (通知文件, 表格模板…) are files kept by documents. Each one is claimed there
under its own ref: publicly, so that every logged-in person can download it, and locked, so that
its uploader cannot delete it from under the plan. One claim per file because a plan's files may
come from different administrators (documents checks that a claim's files are its owner's)."""
from __future__ import annotations

import uuid

import httpx

from shared.errors import AppError, InvalidField


def _ref(plan_id: uuid.UUID, file_id: uuid.UUID) -> str:
    return f"plans:plan:{plan_id}:{file_id}"


def _unavailable() -> AppError:
    return AppError("附件服务暂时不可用，请稍后再试", code="documents_unavailable", status_code=503)


async def claim(documents: httpx.AsyncClient, plan_id: uuid.UUID, file_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    try:
        response = await documents.put(f"/internal/files/claims/{_ref(plan_id, file_id)}", json={
            "owner_id": str(owner_id), "file_ids": [str(file_id)], "lock": True, "public": True})
    except httpx.HTTPError:
        raise _unavailable() from None
    if response.status_code == 422:
        raise InvalidField("file_id", "附件不存在或不是您上传的文件")
    if response.status_code >= 400:
        raise _unavailable()


async def release(documents: httpx.AsyncClient, plan_id: uuid.UUID, file_id: uuid.UUID) -> None:
    try:
        response = await documents.delete(f"/internal/files/claims/{_ref(plan_id, file_id)}")
    except httpx.HTTPError:
        raise _unavailable() from None
    if response.status_code >= 400 and response.status_code != 404:
        raise _unavailable()
