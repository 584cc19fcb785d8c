"""The clean-up job, called as the service's worker loop calls it, with ``now`` moved forward:
files nothing refers to go after the grace period (rows and objects); claimed and kept stay."""
from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa

from services.documents.cleanup import sweep
from services.documents.models import File
from services.documents.storage import ObjectStore
from services.documents.tests import samples
from shared.db import Database, utcnow


async def test_orphans_go_after_the_grace_period_with_their_objects(stack, docs, person):
    orphan = docs.stored(person, samples.jpeg(), "从未引用.jpg")
    released = docs.stored(person, samples.pdf(), "引用已解除.pdf")
    claimed = docs.stored(person, samples.jpeg(), "仍被引用.jpg")
    kept = docs.stored(person, samples.jpeg(), "保存在我的附件.jpg", kept="true")
    ref = f"library:entry:{uuid.uuid4()}"
    docs.claim(ref, claimed["owner_id"], [claimed["id"], released["id"]])
    docs.claim(ref, claimed["owner_id"], [claimed["id"]])  # released drops out

    settings = docs.settings()
    db, store = Database(settings.database_url, pool_size=2), ObjectStore(settings)
    try:
        async with db.sessionmaker() as session:
            keys = dict((await session.execute(sa.select(File.id, File.object_key).where(
                File.id.in_([uuid.UUID(f["id"]) for f in (orphan, released, claimed, kept)])))).all())
        ours = {str(i): k for i, k in keys.items()}
        grace = dt.timedelta(hours=24)

        await sweep(db.sessionmaker, store, now=utcnow() + dt.timedelta(hours=23), grace=grace)
        assert set(ours.values()) <= docs.objects()  # within the grace period: everything stays

        assert await sweep(db.sessionmaker, store, now=utcnow() + dt.timedelta(hours=25), grace=grace) >= 2
        objects = docs.objects()
        for gone in (orphan, released):
            assert person.get(f"{docs.api}/files/{gone['id']}").status_code == 404
            assert ours[gone["id"]] not in objects
        assert f"thumbnails/{ours[orphan['id']].removeprefix('files/')}.jpg" not in objects
        for stays in (claimed, kept):
            assert person.get(f"{docs.api}/files/{stays['id']}").status_code == 200
            assert ours[stays["id"]] in objects
        async with db.sessionmaker() as session:
            left = set((await session.scalars(sa.select(File.id).where(File.id.in_(keys)))).all())
        assert {str(i) for i in left} == {claimed["id"], kept["id"]}
    finally:
        store.close()
        await db.dispose()
