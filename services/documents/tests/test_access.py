"""Who may read a file: the owner; a reviewer of the unit a claim names; no one else (404,
so that a file's existence is not revealed). Short-lived links, and their expiry."""
from __future__ import annotations

import datetime as dt
import time
import uuid

import httpx
import pytest

from services.documents.tests import samples
from shared.testing.fixtures import eventually

REF = "library:entry:{}:v1"


def unit_reviewer(stack, name: str):
    """A unit legal-person account whose access token lists its unit in ``units``: identity learns
    the unit from an event, and a token issued before that does not name it, so log in again."""
    browser, account = stack.unit_browser(name)
    assert eventually(lambda: browser.get(f"{stack.gateway}/api/identity/me").json().get("unit_id"))
    stack.relogin(browser, account, kind="unit")
    return browser, account["unit_id"]


@pytest.fixture(scope="module")
def units(stack):
    reviewing, unit_id = unit_reviewer(stack, "福建省附件审核单位")
    elsewhere, _ = unit_reviewer(stack, "福建省无关审核单位")
    yield reviewing, unit_id, elsewhere
    reviewing.close()
    elsewhere.close()


def readable(docs, browser, file_id: str) -> dict[str, int]:
    base = f"{docs.api}/files/{file_id}"
    return {"metadata": browser.get(base).status_code, "content": browser.get(f"{base}/content").status_code,
            "thumbnail": browser.get(f"{base}/thumbnail").status_code,
            "link": docs.write(browser, "POST", f"/files/{file_id}/link").status_code}


def test_only_the_owner_and_reviewers_of_the_claiming_unit_read_a_file(stack, docs, person, other_person, units):
    reviewing, unit_id, elsewhere = units
    photo = samples.jpeg()
    f = docs.stored(person, photo, "身份证反面.jpg", kind="id_card_back")
    hidden = {"metadata": 404, "content": 404, "thumbnail": 404, "link": 404}

    assert readable(docs, person, f["id"]) == {"metadata": 200, "content": 200, "thumbnail": 200, "link": 200}
    for stranger in (other_person, reviewing, elsewhere):
        assert readable(docs, stranger, f["id"]) == hidden
    assert docs.write(other_person, "DELETE", f"/files/{f['id']}").status_code == 404
    assert httpx.get(f"{docs.api}/files/{f['id']}").status_code == 401  # not logged in at all
    # An id that does not exist looks exactly like one that is not yours.
    assert other_person.get(f"{docs.api}/files/{uuid.uuid4()}").json()["detail"] == \
        other_person.get(f"{docs.api}/files/{f['id']}").json()["detail"]

    ref = REF.format(uuid.uuid4())
    assert docs.claim(ref, f["owner_id"], [f["id"]], unit_id=unit_id).status_code == 200
    assert readable(docs, reviewing, f["id"]) == {"metadata": 200, "content": 200, "thumbnail": 200, "link": 200}
    assert reviewing.get(f"{docs.api}/files/{f['id']}/content").content == photo
    for stranger in (other_person, elsewhere):
        assert readable(docs, stranger, f["id"]) == hidden
    # A reviewer reads, but never renames or deletes.
    assert docs.write(reviewing, "PATCH", f"/files/{f['id']}", json={"display_name": "改名"}).status_code == 403
    assert docs.write(reviewing, "DELETE", f"/files/{f['id']}").status_code == 403
    assert reviewing.get(f"{docs.api}/files").status_code == 403  # the list is a person's own

    assert docs.release(ref).status_code == 204
    assert readable(docs, reviewing, f["id"]) == hidden


def test_a_public_claim_lets_every_logged_in_user_read(docs, person, other_person):
    f = docs.stored(person, samples.pdf("申报通知"), "申报通知.pdf", kind="other")
    ref = f"plans:plan:{uuid.uuid4()}:attachments"
    docs.claim(ref, f["owner_id"], [f["id"]], public=True)
    assert other_person.get(f"{docs.api}/files/{f['id']}/content").status_code == 200
    assert httpx.get(f"{docs.api}/files/{f['id']}/content").status_code == 401
    docs.release(ref)
    assert other_person.get(f"{docs.api}/files/{f['id']}/content").status_code == 404


def test_short_lived_links_serve_without_login_until_they_expire(docs, person):
    document = samples.pdf("link")
    f = docs.stored(person, document, "任职文件.pdf", kind="other")
    made = docs.write(person, "POST", f"/files/{f['id']}/link", params={"ttl_seconds": 2})
    assert made.status_code == 200
    link = made.json()
    expires_at = dt.datetime.fromisoformat(link["expires_at"])
    assert link["url"].startswith("/api/documents/links/")

    anonymous = httpx.get(f"{docs.stack.gateway}{link['url']}")
    assert anonymous.status_code == 200 and anonymous.content == document
    assert anonymous.headers["content-type"] == "application/pdf"
    assert anonymous.headers["content-disposition"].startswith("inline; filename*=UTF-8''")

    token = link["url"].rsplit("/", 1)[1]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = httpx.get(f"{docs.api}/links/{forged}")
    assert refused.status_code == 403 and refused.json()["detail"] == "链接无效，请重新打开附件"

    time.sleep(max(0.0, (expires_at - dt.datetime.now(dt.UTC)).total_seconds()) + 0.2)
    expired = httpx.get(f"{docs.stack.gateway}{link['url']}")
    assert expired.status_code == 403 and "链接已过期" in expired.json()["detail"]

    # The lifetime asked for is bounded by the setting (300 s).
    long = docs.write(person, "POST", f"/files/{f['id']}/link", params={"ttl_seconds": 3600}).json()
    lifetime = dt.datetime.fromisoformat(long["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(seconds=290) < lifetime <= dt.timedelta(seconds=300)


def test_a_link_to_a_deleted_file_stops_working(docs, person):
    f = docs.stored(person, samples.jpeg(), "即将删除.jpg")
    link = docs.write(person, "POST", f"/files/{f['id']}/link").json()
    assert docs.write(person, "DELETE", f"/files/{f['id']}").status_code == 204
    assert httpx.get(f"{docs.stack.gateway}{link['url']}").status_code == 404


def test_the_claims_api_is_internal(stack, docs, person):
    f = docs.stored(person, samples.jpeg())
    ref = REF.format(uuid.uuid4())
    direct = httpx.put(f"{stack.urls.services['documents']}/internal/files/claims/{ref}",
                       json={"owner_id": f["owner_id"], "file_ids": [f["id"]]})
    assert direct.status_code == 403  # no service key
    assert httpx.put(f"{stack.gateway}/internal/files/claims/{ref}", json={}).status_code in (404, 405)
    assert docs.claim("not a ref", f["owner_id"], [f["id"]]).status_code in (404, 422)
