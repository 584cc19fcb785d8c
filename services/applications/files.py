"""Every file an application uses — the ID photo, 附件上传, current titles' documents, the
imported items' attachments and the evidence of its 免面试 requests — is claimed at documents under one ref: locked, so the applicant
cannot delete what the application shows, and readable for as long as the application lives
(an imported item keeps its files even after the library entry lets them go)."""
from __future__ import annotations

import uuid

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.applications.models import Application, Exemption, Item
from shared import documents


def ref(app: Application) -> str:
    return f"applications:application:{app.id}"


async def used_by(db: AsyncSession, app: Application) -> list[uuid.UUID]:
    ids: list[uuid.UUID] = []
    if photo := (app.profile or {}).get("photo_file_id"):
        ids.append(uuid.UUID(photo))
    ids += [uuid.UUID(a["file_id"]) for a in app.attachments]
    for row in [*app.current_titles, *app.current_appointments]:
        ids += [uuid.UUID(f) for f in row.get("file_ids", [])]
    for attachment_ids in (await db.scalars(sa.select(Item.attachment_ids).where(Item.application_id == app.id))):
        ids += attachment_ids
    if (exemption := await db.get(Exemption, app.id)) is not None:  # earlier refused requests' evidence too
        ids += [*exemption.file_ids, *(uuid.UUID(f) for p in exemption.previous for f in p["file_ids"])]
    return list(dict.fromkeys(ids))


async def sync(db: AsyncSession, client: httpx.AsyncClient, app: Application) -> None:
    """Tell documents when the set of files changed (most saves change none)."""
    now = await used_by(db, app)
    if set(now) == set(app.claimed_files or []):
        return
    if now:
        await documents.claim(client, ref(app), owner_id=app.person_id, file_ids=now, field="file_ids", lock=True)
    else:
        await documents.release(client, ref(app))
    app.claimed_files = now
    await db.flush()


async def release(client: httpx.AsyncClient, app: Application) -> None:
    """Always asked (not only when ``claimed_files`` says so): a claim made for a save whose commit
    then failed would otherwise lock the files for ever."""
    await documents.release(client, ref(app))
