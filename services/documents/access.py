"""Who may read a file: its owner; the reviewers of a unit a claim names (their access token
lists the unit in ``units``); anyone logged in while a public claim holds it. Everyone else is
told the file does not exist. (A claiming service may also get short-lived links to the files its
own record claims, for the people it lets see that record: ``claimed``.)"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.documents.models import Claim, File
from shared.auth import Principal
from shared.errors import Forbidden, NotFound


def readable_by(principal: Principal) -> sa.ColumnElement[bool]:
    via_claim = sa.exists().where(Claim.file_id == File.id,
                                  sa.or_(Claim.public, Claim.unit_id.in_(list(principal.reviewed_units))))
    if principal.kind != "person":
        return via_claim
    return sa.or_(File.owner_id == principal.id, via_claim)


def not_found() -> NotFound:
    return NotFound("未找到该附件，它可能已被删除", code="file_not_found")


async def readable(db: AsyncSession, principal: Principal, file_id: uuid.UUID) -> File:
    found = await db.scalar(sa.select(File).where(File.id == file_id, File.deleted_at.is_(None),
                                                  readable_by(principal)))
    if found is None:
        raise not_found()
    return found


async def readable_many(db: AsyncSession, principal: Principal, file_ids: list[uuid.UUID]) -> list[File]:
    if not file_ids:
        return []
    return list((await db.scalars(sa.select(File).where(File.id.in_(file_ids), File.deleted_at.is_(None),
                                                        readable_by(principal)))).all())


async def live(db: AsyncSession, file_id: uuid.UUID) -> File:
    """A file that has not been deleted, whoever asks (for short-lived links, already authorised)."""
    found = await db.scalar(sa.select(File).where(File.id == file_id, File.deleted_at.is_(None)))
    if found is None:
        raise not_found()
    return found


async def claimed(db: AsyncSession, ref: str, file_ids: list[uuid.UUID]) -> list[File]:
    """The live files among these that ``ref`` claims, in the order asked (others are left out).

    For the claiming service, which decides who may see its record (e.g. who decides on an
    application): it can reach only the files its own record holds, whatever ids it sends."""
    if not file_ids:
        return []
    found = {f.id: f for f in await db.scalars(
        sa.select(File).join(Claim, Claim.file_id == File.id)
        .where(Claim.ref == ref, File.id.in_(file_ids), File.deleted_at.is_(None)))}
    return [found[i] for i in dict.fromkeys(file_ids) if i in found]


async def owned(db: AsyncSession, principal: Principal, file_id: uuid.UUID) -> File:
    """The file, locked for a change, if the principal owns it (403 for reviewers who may read it)."""
    found = await readable(db, principal, file_id)
    if principal.kind != "person" or found.owner_id != principal.id:
        raise Forbidden("只有上传者本人可以修改或删除该附件", code="owner_only")
    await db.refresh(found, with_for_update=True)
    if found.deleted_at is not None:
        raise not_found()
    return found
