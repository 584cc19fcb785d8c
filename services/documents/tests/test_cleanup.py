"""The clean-up job, called as the service's worker loop calls it, with ``now`` moved forward:
files nothing refers to go after the grace period (rows and objects); claimed and kept stay."""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import uuid

import httpx
import pytest
import sqlalchemy as sa

from services.documents import files
from services.documents.cleanup import sweep, sweep_unrecorded
from services.documents.models import File
from services.documents.storage import ObjectStore, StorageUnavailable
from services.documents.tests import samples
from services.documents.uploads import ReceivedUpload
from shared.auth import Principal
from shared.db import Database, utcnow
from shared.testing.fixtures import eventually


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


async def _keys_of_rows(db: Database) -> set[str]:
    async with db.sessionmaker() as session:
        rows = (await session.execute(sa.select(File.object_key, File.thumbnail_key))).all()
    return {k for row in rows for k in row if k}


async def test_an_object_left_by_a_failed_thumbnail_upload_is_found_by_listing_the_bucket(stack, docs):
    """The file reaches the bucket, then the bucket goes away: the thumbnail fails, and so does
    the removal of the file's object. Nothing records that object; the listing clean-up removes it
    after the grace period, and every object a row records stays (0 lost, 0 leaked)."""
    class BucketGoesAwayAfterTheFile(ObjectStore):
        async def put(self, key, data, size, content_type) -> None:
            await super().put(key, data, size, content_type)
            if key.startswith("files/"):
                await asyncio.to_thread(stack.procs.stop, "s3")

    settings = docs.settings()
    db, store = Database(settings.database_url, pool_size=2), BucketGoesAwayAfterTheFile(settings)
    content = samples.jpeg()
    upload = ReceivedUpload(fields={"kind": "photo"}, filename="照片.jpg", declared_type="image/jpeg",
                            file=io.BytesIO(content), size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                            head=content[:64])
    owner = Principal(subject=str(uuid.uuid4()), kind="person")
    before = docs.objects()
    try:
        async with db.sessionmaker() as session:
            with pytest.raises(StorageUnavailable):
                await files.store_upload(session, store, owner, upload, thumbnail_px=settings.thumbnail_px)
            await session.rollback()
        await asyncio.to_thread(stack.procs.start_again, "s3")
        left = docs.objects() - before
        assert len(left) == 1 and next(iter(left)).startswith("files/"), left  # the orphan
        async with db.sessionmaker() as session:
            assert not await session.scalar(sa.select(sa.func.count()).where(File.owner_id == owner.id))

        grace = dt.timedelta(hours=24)
        assert await sweep_unrecorded(db.sessionmaker, store, now=utcnow() + dt.timedelta(hours=23), grace=grace) == 0
        assert left <= docs.objects()  # within the grace period it stays (an upload may be writing its row)
        assert await sweep_unrecorded(db.sessionmaker, store, now=utcnow() + dt.timedelta(hours=25), grace=grace) >= 1
        objects, recorded = docs.objects(), await _keys_of_rows(db)
        assert not left & objects
        assert recorded <= objects, f"lost: {recorded - objects}"
        assert objects <= recorded, f"leaked: {objects - recorded}"
    finally:
        if stack.procs.get("s3").popen.poll() is not None:
            await asyncio.to_thread(stack.procs.start_again, "s3")
        store.close()
        await db.dispose()


async def test_an_upload_whose_client_gave_up_is_cleaned_up_like_any_unreferenced_file(stack, docs, person):
    """The browser sends the whole upload and goes away before the answer (a timeout): the upload
    still completes, unreferenced and not kept, and the clean-up removes it after the grace period."""
    before = docs.mine(person)["total"]
    # 40 megapixels in 100 KB: the gateway reads it at once, documents decodes it twice (the check
    # and the thumbnail), which takes seconds, long after the client gave up.
    body, ctype = samples.multipart({"kind": "entry_attachment"}, "放弃等待.png".encode(),
                                    samples.png(6300, 6300), "image/png")
    cookies = "; ".join(f"{k}={v}" for k, v in person.cookies(stack.gateway).items())
    with pytest.raises(httpx.ReadTimeout):  # the whole body went out; the answer did not come in time
        httpx.post(f"{stack.gateway}/files/picker/upload", content=body, timeout=httpx.Timeout(10, read=0.5),
                   headers={"content-type": ctype, "cookie": cookies, "x-csrf-token": person.csrf(stack.gateway),
                            "origin": stack.gateway, "hx-request": "true"})

    def arrived() -> dict | None:
        return next((f for f in docs.mine(person)["items"] if f["display_name"] == "放弃等待.png"), None)

    gave_up = await asyncio.to_thread(eventually, arrived, 60)
    assert gave_up and docs.mine(person)["total"] == before + 1
    assert not gave_up["kept"] and not gave_up["referenced"] and gave_up["cleanup_at"]
    key = (await asyncio.to_thread(docs.keys, gave_up["id"]))[0]
    assert key in docs.objects()

    settings = docs.settings()
    db, store = Database(settings.database_url, pool_size=2), ObjectStore(settings)
    try:
        grace = dt.timedelta(hours=24)
        await sweep(db.sessionmaker, store, now=utcnow() + dt.timedelta(hours=25), grace=grace)
        assert person.get(f"{docs.api}/files/{gave_up['id']}").status_code == 404
        assert key not in docs.objects()
        objects, recorded = docs.objects(), await _keys_of_rows(db)
        assert recorded <= objects, f"lost: {recorded - objects}"
    finally:
        store.close()
        await db.dispose()
