"""Links for a claiming service (POST /internal/files/links): the people who decide on an
application open its files through short-lived links. Only files claimed under exactly the ref
are linked; the links serve images and PDFs inline (for <img src> and the viewer) until they expire."""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import time
import uuid

import httpx
import pytest
from PIL import Image

from services.documents.tests import samples
from shared import documents
from shared.errors import AppError


def application_ref() -> str:
    return f"applications:application:{uuid.uuid4()}"


def fetch(docs, url: str) -> httpx.Response:
    """As a page's <img src> or iframe would: through the gateway, the relative url as it is, no login."""
    return httpx.get(f"{docs.stack.gateway}{url}")


def test_a_record_gets_links_to_the_files_it_claims_and_to_no_other(docs, person, other_person):
    photo, scan, report = samples.jpeg(), samples.png(), samples.pdf("评审材料")
    jpeg = docs.stored(person, photo, "证件照.jpg", kind="photo")
    png = docs.stored(person, scan, "学历证书.png", kind="diploma")
    pdf = docs.stored(person, report, "任职文件.pdf", kind="other")
    unclaimed = docs.stored(person, samples.jpeg(), "未引用.jpg")
    elsewhere = docs.stored(person, samples.jpeg(), "业绩库的.jpg")
    deleted = docs.stored(person, samples.jpeg(), "已删除.jpg")
    theirs = docs.stored(other_person, samples.jpeg(), "别人的.jpg")
    ref = application_ref()
    owner = jpeg["owner_id"]
    # A draft's file its owner deleted (possible while the claim does not lock it), then submitted.
    assert docs.claim(ref, owner, [jpeg["id"], png["id"], pdf["id"], deleted["id"]]).status_code == 200
    assert docs.write(person, "DELETE", f"/files/{deleted['id']}").status_code == 204
    assert docs.claim(ref, owner, [jpeg["id"], png["id"], pdf["id"]], lock=True).status_code == 200
    # The same owner's file under another record (even one whose ref starts with this one) is not this record's.
    assert docs.claim(f"{ref}:v2", owner, [elsewhere["id"]]).status_code == 200
    assert docs.claim(f"library:entry:{uuid.uuid4()}", owner, [elsewhere["id"]]).status_code == 200
    assert docs.claim(f"{ref}x", theirs["owner_id"], [theirs["id"]]).status_code == 200

    asked = [pdf["id"], unclaimed["id"], jpeg["id"], elsewhere["id"], deleted["id"], theirs["id"], str(uuid.uuid4()),
             png["id"], jpeg["id"]]
    response = docs.links(ref, asked)
    assert response.status_code == 200, response.text
    got = response.json()
    assert [x["file_id"] for x in got] == [pdf["id"], jpeg["id"], png["id"]]  # in the order asked, each once
    first = got[1]
    assert {k: first[k] for k in ("name", "kind", "kind_label", "content_type", "size", "has_thumbnail")} == {
        "name": "证件照.jpg", "kind": "photo", "kind_label": jpeg["kind_label"], "content_type": "image/jpeg",
        "size": len(photo), "has_thumbnail": True}
    assert got[0]["has_thumbnail"] is False and got[0]["thumbnail_url"] is None
    lifetime = dt.datetime.fromisoformat(first["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=290) < lifetime <= dt.timedelta(seconds=300)

    # Each opens inline with its own type: an image in <img src>, a PDF in the viewer's iframe.
    for link, content, content_type in ((got[0], report, "application/pdf"), (got[1], photo, "image/jpeg"),
                                        (got[2], scan, "image/png")):
        assert link["url"].startswith("/api/documents/links/")
        opened = fetch(docs, link["url"])
        assert opened.status_code == 200 and opened.content == content
        assert opened.headers["content-type"] == content_type
        assert opened.headers["content-disposition"].startswith("inline; ")
    for link in got[1:]:
        thumbnail = fetch(docs, link["thumbnail_url"])
        assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
        with Image.open(io.BytesIO(thumbnail.content)) as image:
            assert image.format == "JPEG" and max(image.size) <= 320
    no_preview = fetch(docs, got[0]["url"] + "/thumbnail")
    assert no_preview.status_code == 404 and no_preview.json()["code"] == "no_thumbnail"

    # Nothing claimed under a ref: nothing linked.
    assert docs.links(application_ref(), [jpeg["id"]]).json() == []
    assert docs.links(ref, []).json() == []


def test_links_expire_and_forged_ones_are_refused(docs, person):
    f = docs.stored(person, samples.jpeg(), "身份证正面.jpg", kind="id_card_front")
    ref = application_ref()
    docs.claim(ref, f["owner_id"], [f["id"]], lock=True)
    (link,) = docs.links(ref, [f["id"]], ttl_seconds=2).json()

    token = link["url"].rsplit("/", 1)[1]
    forged = f"/api/documents/links/{token[:-2]}{'AA' if not token.endswith('AA') else 'BB'}"
    for url in (forged, f"{forged}/thumbnail", "/api/documents/links/not-a-token/thumbnail"):
        refused = fetch(docs, url)
        assert refused.status_code == 403 and refused.json()["code"] == "link_invalid", url

    expires_at = dt.datetime.fromisoformat(link["expires_at"])
    assert fetch(docs, link["thumbnail_url"]).status_code == 200
    time.sleep(max(0.0, (expires_at - dt.datetime.now(dt.UTC)).total_seconds()) + 0.2)
    for url in (link["url"], link["thumbnail_url"]):
        expired = fetch(docs, url)
        assert expired.status_code == 403 and expired.json()["code"] == "link_expired"

    # The lifetime asked for is bounded by the setting (300 s); the list by 500 files.
    (long,) = docs.links(ref, [f["id"]], ttl_seconds=3600).json()
    lifetime = dt.datetime.fromisoformat(long["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=290) < lifetime <= dt.timedelta(seconds=300)
    assert docs.links(ref, [f["id"]], ttl_seconds=0).status_code == 422
    assert docs.links(ref, [str(uuid.uuid4()) for _ in range(501)]).status_code == 422
    assert docs.links("not a ref", [f["id"]]).status_code == 422


def test_the_links_api_is_internal(stack, docs, person):
    f = docs.stored(person, samples.jpeg())
    ref = application_ref()
    docs.claim(ref, f["owner_id"], [f["id"]], lock=True)
    url = f"{stack.urls.services['documents']}/internal/files/links"
    body = {"ref": ref, "file_ids": [f["id"]]}
    assert httpx.post(url, json=body).status_code == 403  # no service key
    assert httpx.post(url, json=body, headers={"x-service-key": "guessed"}).status_code == 403
    assert httpx.post(f"{stack.gateway}/internal/files/links", json=body).status_code in (404, 405)
    assert person.post(f"{stack.gateway}/internal/files/links", json=body).status_code in (403, 404, 405)


def test_the_client_asks_in_batches_and_reports_documents_unreachable(stack, docs, person):
    f = docs.stored(person, samples.pdf("批次"), "批次.pdf", kind="other")
    ref = application_ref()
    docs.claim(ref, f["owner_id"], [f["id"]], lock=True)
    asked = [uuid.uuid4() for _ in range(600)]
    asked[550] = uuid.UUID(f["id"])  # in the second batch of 500

    async def ask(base_url: str) -> list[dict]:
        async with httpx.AsyncClient(base_url=base_url, headers={"x-service-key": stack.internal_key}) as client:
            return await documents.links(client, ref, asked)

    (found,) = asyncio.run(ask(stack.urls.services["documents"]))
    assert found["file_id"] == f["id"] and fetch(docs, found["url"]).content == samples.pdf("批次")
    with pytest.raises(AppError) as refused:
        asyncio.run(ask("http://127.0.0.1:9"))
    assert refused.value.status_code == 503 and refused.value.code == "documents_unavailable"
