"""Plan attachments (通知文件, 表格模板…) are files kept by documents. Each one is claimed there
under its own ref (shared.documents): publicly, so that every logged-in person can download it,
and locked, so that its uploader cannot delete it from under the plan. One claim per file because
a plan's files may come from different administrators (a claim's files must be its owner's)."""
from __future__ import annotations

import uuid

import httpx

from shared import documents as claims


def _ref(plan_id: uuid.UUID, file_id: uuid.UUID) -> str:
    return f"plans:plan:{plan_id}:{file_id}"


async def claim(documents: httpx.AsyncClient, plan_id: uuid.UUID, file_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    await claims.claim(documents, _ref(plan_id, file_id), owner_id=owner_id, file_ids=[file_id], field="file_id",
                       lock=True, public=True)


async def release(documents: httpx.AsyncClient, plan_id: uuid.UUID, file_id: uuid.UUID) -> None:
    await claims.release(documents, _ref(plan_id, file_id))
