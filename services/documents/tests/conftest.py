"""What the documents tests share: a person to upload as, the bucket to look into, and the
calls they make (through the gateway, or to the internal API as another service would)."""
from __future__ import annotations

import asyncio
import uuid
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from minio import Minio
from sqlalchemy.engine import make_url

from services.documents.settings import DocumentsSettings
from services.documents.tests import samples
from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header
from shared.testing.infra import RUN_ID

BUCKET = f"zct-{RUN_ID}-documents"  # the stack gives each test run its own bucket


class Documents:
    def __init__(self, stack) -> None:
        self.stack = stack
        self.api = f"{stack.gateway}/api/documents"
        endpoint = urlsplit(stack.urls.s3)
        self.s3 = Minio(endpoint.netloc, access_key=stack.s3_keys[0], secret_key=stack.s3_keys[1], secure=False,
                        region="us-east-1")

    def upload(self, browser: HttpBrowser, content: bytes, name: str | bytes | None = "scan.jpg", *,
               content_type: str | None = "application/octet-stream", kind: str | None = "photo",
               **fields: str) -> httpx.Response:
        form = {**({"kind": kind} if kind is not None else {}), **fields}
        filename = name.encode() if isinstance(name, str) else name
        body, ctype = samples.multipart(form, filename, content, content_type)
        return browser.post(f"{self.api}/files", content=body,
                            headers={"content-type": ctype, **csrf_header(browser, self.stack.gateway)})

    def stored(self, browser: HttpBrowser, content: bytes, name: str = "scan.jpg", **kwargs) -> dict:
        response = self.upload(browser, content, name, **kwargs)
        assert response.status_code == 201, response.text
        return response.json()

    def mine(self, browser: HttpBrowser, **params) -> dict:
        response = browser.get(f"{self.api}/files", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def settings(self, **overrides) -> DocumentsSettings:
        """documents' settings as the stack's process has them (for calling its modules directly)."""
        return DocumentsSettings(database_url=self.stack.urls.databases["documents"], s3_endpoint=self.stack.urls.s3,
                                 s3_bucket=BUCKET, s3_access_key=self.stack.s3_keys[0],
                                 s3_secret_key=self.stack.s3_keys[1], **overrides)

    def keys(self, file_id: str) -> tuple[str, str | None]:
        """The object and thumbnail keys of a file's row (a sync helper for sync tests)."""
        async def read() -> tuple[str, str | None]:
            conn = await asyncpg.connect(make_url(self.stack.urls.databases["documents"])
                                         .set(drivername="postgresql").render_as_string(hide_password=False))
            try:
                row = await conn.fetchrow("SELECT object_key, thumbnail_key FROM files WHERE id = $1",
                                          uuid.UUID(file_id))
            finally:
                await conn.close()
            return row["object_key"], row["thumbnail_key"]

        return asyncio.run(read())

    def objects(self) -> set[str]:
        return {o.object_name for o in self.s3.list_objects(BUCKET, recursive=True)}

    def write(self, browser: HttpBrowser, method: str, path: str, **kwargs) -> httpx.Response:
        return browser.request(method, f"{self.api}{path}", headers=csrf_header(browser, self.stack.gateway), **kwargs)

    def claim(self, ref: str, owner_id: str, file_ids: list[str], *, unit_id: str | None = None,
              lock: bool = False, public: bool = False) -> httpx.Response:
        return httpx.put(f"{self.stack.urls.services['documents']}/internal/files/claims/{ref}",
                         headers={"x-service-key": self.stack.internal_key},
                         json={"owner_id": owner_id, "file_ids": file_ids, "unit_id": unit_id, "lock": lock,
                               "public": public})

    def links(self, ref: str, file_ids: list[str], **fields) -> httpx.Response:
        return httpx.post(f"{self.stack.urls.services['documents']}/internal/files/links",
                          headers={"x-service-key": self.stack.internal_key},
                          json={"ref": ref, "file_ids": file_ids, **fields})

    def release(self, ref: str) -> httpx.Response:
        return httpx.delete(f"{self.stack.urls.services['documents']}/internal/files/claims/{ref}",
                            headers={"x-service-key": self.stack.internal_key})


@pytest.fixture(scope="session")
def docs(stack) -> Documents:
    return Documents(stack)


@pytest.fixture(scope="module")
def person(stack):
    browser, account = stack.person_browser("附件测试人")
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def other_person(stack):
    browser, account = stack.person_browser("另一申报人")
    yield browser
    browser.close()
