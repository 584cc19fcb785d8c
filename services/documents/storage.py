"""The bucket, through the MinIO client (any S3 endpoint: MinIO, nanio, AWS).

The MinIO client blocks, so every call runs in a small thread pool of its own: a slow bucket
then holds those threads, never the event loop or the default executor. Downloads are streamed
chunk by chunk; nothing loads a whole file into memory."""
from __future__ import annotations

import asyncio
import datetime as dt
import functools
import io
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, TypeVar
from urllib.parse import urlsplit

import urllib3
from minio import Minio
from minio.deleteobjects import DeleteObject
from minio.error import S3Error

from services.documents.settings import DocumentsSettings
from shared.errors import AppError

log = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK = 256 * 1024
THREADS = 16


class StorageUnavailable(AppError):
    status_code, code, title = 503, "storage_unavailable", "服务暂不可用"


class ObjectMissing(AppError):
    """The bucket answers, but the object a row refers to is not there: lost, not unavailable."""

    status_code, code, title = 410, "file_missing", "附件文件已丢失"


def new_object_key() -> str:
    """Random and meaningless: nothing of the client's name or of the owner reaches the bucket."""
    return f"files/{uuid.uuid4().hex}"


def thumbnail_key(object_key: str) -> str:
    return f"thumbnails/{object_key.removeprefix('files/')}.jpg"


class ObjectStore:
    def __init__(self, settings: DocumentsSettings) -> None:
        endpoint = urlsplit(settings.s3_endpoint)
        http = urllib3.PoolManager(
            maxsize=THREADS, timeout=urllib3.Timeout(connect=5, read=60),
            retries=urllib3.Retry(total=3, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]))
        self.client = Minio(endpoint.netloc, access_key=settings.s3_access_key.get_secret_value(),
                            secret_key=settings.s3_secret_key.get_secret_value(), secure=endpoint.scheme == "https",
                            region=settings.s3_region, http_client=http)
        self.bucket = settings.s3_bucket
        self._pool = ThreadPoolExecutor(THREADS, thread_name_prefix="s3")

    async def _run(self, fn: Callable[..., T], *args: object, **kwargs: object) -> T:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))
        except S3Error as exc:
            if exc.code == "NoSuchKey":
                raise ObjectMissing("附件文件已丢失，无法查看或下载；请重新上传该附件，如有疑问请联系管理员") from exc
            log.warning("object storage failed: %s", exc)
            raise StorageUnavailable("附件存储暂时不可用，请稍后再试") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.warning("object storage failed: %s", exc)
            raise StorageUnavailable("附件存储暂时不可用，请稍后再试") from exc

    async def ensure_bucket(self, *, wait_seconds: float = 30) -> None:
        """Create the bucket if it is missing; wait a little for the endpoint at start-up."""
        deadline = asyncio.get_running_loop().time() + wait_seconds
        while True:
            try:
                if not await self._run(self.client.bucket_exists, self.bucket):
                    await self._run(self.client.make_bucket, self.bucket)
                return
            except StorageUnavailable:
                if asyncio.get_running_loop().time() > deadline:
                    raise
                log.warning("object storage not reachable yet; waiting")
                await asyncio.sleep(1)

    async def check(self) -> None:
        if not await self._run(self.client.bucket_exists, self.bucket):
            raise RuntimeError(f"bucket {self.bucket} is missing")

    async def put(self, key: str, data: BinaryIO, size: int, content_type: str) -> None:
        data.seek(0)
        await self._run(self.client.put_object, self.bucket, key, data, size, content_type=content_type)

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> None:
        await self.put(key, io.BytesIO(data), len(data), content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """The object's bytes as they arrive. Opened here, so a missing object fails before a
        response starts; the connection goes back to the pool when the iteration ends."""
        response = await self._run(self.client.get_object, self.bucket, key)

        async def chunks() -> AsyncIterator[bytes]:
            try:
                stream = response.stream(CHUNK)
                while chunk := await self._run(next, stream, b""):
                    yield chunk
            finally:
                response.close()
                response.release_conn()

        return chunks()

    async def keys_written_before(self, cutoff: dt.datetime) -> list[str]:
        """Every object last written before ``cutoff`` (the clean-up compares them with the rows)."""
        def collect() -> list[str]:
            return [o.object_name for o in self.client.list_objects(self.bucket, recursive=True)
                    if o.last_modified is not None and o.last_modified < cutoff and o.object_name]

        return await self._run(collect)

    async def remove(self, keys: Iterable[str]) -> set[str]:
        """Remove objects (a missing one counts as removed); answers the keys that failed."""
        def remove_all() -> set[str]:
            wanted = [DeleteObject(k) for k in keys]
            return {e.name for e in self.client.remove_objects(self.bucket, wanted)} if wanted else set()

        return await self._run(remove_all)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
