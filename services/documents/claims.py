"""Claims: other services record which of a person's files their records refer to.

A ref (``library:entry:<id>:v2``, ``applications:application:<id>``) has one claim set, which
each PUT replaces whole: removing an attachment from a draft drops its claim. A locked claim
makes its files undeletable; ``unit_id`` lets that unit's reviewers read them."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.documents.models import Claim, File
from services.documents.schemas import ClaimIn, ClaimOut
from shared.errors import InvalidField


async def _serialise(db: AsyncSession, ref: str) -> None:
    # Two replacements of one ref must not interleave (each would keep its own files).
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(ref, 0))))


async def refresh_references(db: AsyncSession, file_ids: Iterable[uuid.UUID], now: dt.datetime) -> None:
    """Start the grace period of files that lost their last claim; stop it for claimed ones.

    The update always writes the row, so a concurrent clean-up that picked the file re-checks
    it and lets it be."""
    ids = list(file_ids)
    if not ids:
        return
    claimed = sa.exists().where(Claim.file_id == File.id)
    await db.execute(sa.update(File).where(File.id.in_(ids)).values(
        unreferenced_since=sa.case((claimed, None), else_=sa.func.coalesce(File.unreferenced_since, now))))


async def replace(db: AsyncSession, ref: str, data: ClaimIn, now: dt.datetime) -> ClaimOut:
    """Make ``ref`` refer to exactly ``data.file_ids``; every one must be a live file of the owner."""
    await _serialise(db, ref)
    wanted = list(dict.fromkeys(data.file_ids))
    previous = set((await db.scalars(sa.select(Claim.file_id).where(Claim.ref == ref))).all())
    touched = sorted(previous | set(wanted))
    # Row locks in id order: a delete or the clean-up cannot slip in between check and claim.
    files = {f.id: f for f in (await db.scalars(
        sa.select(File).where(File.id.in_(touched)).order_by(File.id).with_for_update())).all()}
    bad = [i for i in wanted if (f := files.get(i)) is None or f.deleted_at is not None or f.owner_id != data.owner_id]
    if bad:
        raise InvalidField("file_ids", f"以下附件不存在或不属于该申报人：{'、'.join(str(i) for i in bad)}")
    await db.execute(sa.delete(Claim).where(Claim.ref == ref))
    db.add_all(Claim(ref=ref, file_id=i, owner_id=data.owner_id, unit_id=data.unit_id, lock=data.lock,
                     public=data.public, label=data.label, claimed_at=now) for i in wanted)
    await db.flush()
    await refresh_references(db, touched, now)
    return ClaimOut(ref=ref, **data.model_dump(exclude={"file_ids"}), file_ids=wanted)


async def release(db: AsyncSession, ref: str, now: dt.datetime) -> None:
    await _serialise(db, ref)
    released = (await db.scalars(sa.delete(Claim).where(Claim.ref == ref).returning(Claim.file_id))).all()
    await refresh_references(db, released, now)


# What a claim without a label is named after (the service in front of its ref).
_SERVICE_NAMES = {"library": "业绩库", "plans": "评审计划", "applications": "职称申报"}


def label_of(claim: Claim) -> str:
    return claim.label or _SERVICE_NAMES.get(claim.ref.split(":", 1)[0], "其他记录")


@dataclass
class Held:
    """The claims on one file: whether one locks it, and the records that use it (each once)."""

    locked: bool = False
    used_by: list[str] = field(default_factory=list)


async def status(db: AsyncSession, file_ids: list[uuid.UUID]) -> dict[uuid.UUID, Held]:
    """For each claimed file among these, what holds it (unclaimed files are absent)."""
    if not file_ids:
        return {}
    held: dict[uuid.UUID, Held] = {}
    for c in await db.scalars(sa.select(Claim).where(Claim.file_id.in_(file_ids))
                              .order_by(Claim.claimed_at, Claim.ref)):
        h = held.setdefault(c.file_id, Held())
        h.locked = h.locked or c.lock
        if (label := label_of(c)) not in h.used_by:
            h.used_by.append(label)
    return held
