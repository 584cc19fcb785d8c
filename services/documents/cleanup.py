"""Removing files for good: deleted ones at once, and those nothing referred to (no claim, not
kept in 我的附件) for longer than the grace period.

Each round first marks its files deleted (hidden from then on) in one short transaction, then
removes their objects, then their rows. A bucket failure leaves the rows marked, so the next
round tries again; ``SKIP LOCKED`` lets several service instances sweep side by side.

Objects no row records (an upload whose thumbnail or row failed after its file reached the bucket
while the bucket then refused the removal too, or a process that died between the two) are found
by listing the bucket (``sweep_unrecorded``) and removed once older than the grace period: an
upload writes its row seconds after its objects, never a grace period later."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.documents.models import Claim, File
from services.documents.settings import DocumentsSettings
from services.documents.storage import ObjectStore
from shared.db import Database, utcnow

log = logging.getLogger(__name__)
BATCH = 200
UNRECORDED_EVERY = 24  # rounds of the clean-up per listing of the bucket (a day at the hourly default)


async def _remove(sessionmaker: async_sessionmaker[AsyncSession], store: ObjectStore,
                  rows: Sequence[sa.Row]) -> int:
    """Objects first, rows after: a row never outlives its object silently, an object never leaks."""
    failed = await store.remove(k for r in rows for k in (r.object_key, r.thumbnail_key) if k)
    done = [r.id for r in rows if not ({r.object_key, r.thumbnail_key} & failed)]
    if failed:
        log.warning("could not remove %d objects; their files stay marked for the next round", len(failed))
    if done:
        async with sessionmaker() as session, session.begin():
            await session.execute(sa.delete(File).where(File.id.in_(done)))
    return len(done)


async def sweep(sessionmaker: async_sessionmaker[AsyncSession], store: ObjectStore, *, now: dt.datetime,
                grace: dt.timedelta, batch: int = BATCH) -> int:
    """One clean-up pass as of ``now`` (tests move it forward); answers how many files went."""
    cutoff = now - grace
    unclaimed = ~sa.exists().where(Claim.file_id == File.id)
    due = sa.or_(File.deleted_at.is_not(None),
                 sa.and_(~File.kept, File.unreferenced_since < cutoff, unclaimed))
    removed = 0
    while True:
        picked = sa.select(File.id).where(due).limit(batch).with_for_update(skip_locked=True)
        async with sessionmaker() as session, session.begin():
            rows = (await session.execute(
                sa.update(File).where(File.id.in_(picked.scalar_subquery()))
                .values(deleted_at=sa.func.coalesce(File.deleted_at, now))
                .returning(File.id, File.object_key, File.thumbnail_key))).all()
        if not rows:
            return removed
        done = await _remove(sessionmaker, store, rows)
        removed += done
        if done < len(rows) or len(rows) < batch:
            return removed


async def sweep_unrecorded(sessionmaker: async_sessionmaker[AsyncSession], store: ObjectStore, *,
                           now: dt.datetime, grace: dt.timedelta) -> int:
    """Remove the bucket's objects older than the grace period that no file row records (as file
    or thumbnail); answers how many went."""
    old = await store.keys_written_before(now - grace)
    removed = 0
    for start in range(0, len(old), BATCH):
        keys = old[start:start + BATCH]
        async with sessionmaker() as session:
            recorded = set((await session.scalars(
                sa.select(File.object_key).where(File.object_key.in_(keys))
                .union(sa.select(File.thumbnail_key).where(File.thumbnail_key.in_(keys))))).all())
        if unrecorded := [k for k in keys if k not in recorded]:
            log.warning("removing %d objects that no file records: %s", len(unrecorded), unrecorded[:10])
            failed = await store.remove(unrecorded)
            removed += len(unrecorded) - len(failed)
    return removed


async def purge(sessionmaker: async_sessionmaker[AsyncSession], store: ObjectStore, file_id: uuid.UUID) -> None:
    """Right after a person deleted a file (a background task); the sweep retries on failure."""
    try:
        async with sessionmaker() as session:
            rows = (await session.execute(sa.select(File.id, File.object_key, File.thumbnail_key)
                                          .where(File.id == file_id, File.deleted_at.is_not(None)))).all()
        await _remove(sessionmaker, store, rows)
    except Exception:
        log.exception("removing deleted file %s failed; the clean-up will retry", file_id)


async def run_periodically(db: Database, store: ObjectStore, settings: DocumentsSettings,
                           stop: asyncio.Event) -> None:
    grace = dt.timedelta(hours=settings.orphan_grace_hours)
    rounds = 0
    while not stop.is_set():
        try:
            if removed := await sweep(db.sessionmaker, store, now=utcnow(), grace=grace):
                log.info("clean-up removed %d files", removed)
            if (rounds := rounds + 1) % UNRECORDED_EVERY == 1:  # a listing of the whole bucket: now and then
                await sweep_unrecorded(db.sessionmaker, store, now=utcnow(), grace=grace)
        except Exception:
            log.exception("clean-up failed; next round in %ss", settings.cleanup_interval_seconds)
        try:
            await asyncio.wait_for(stop.wait(), timeout=settings.cleanup_interval_seconds)
        except TimeoutError:
            pass
