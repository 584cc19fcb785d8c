"""Bearer tokens die with what they stand for: a token taken before a 经办人 was removed, or before
its session was logged out, is refused by the services themselves (not only at the gateway),
while a fresh token works; a service that starts later knows the recent revocations."""
from __future__ import annotations

import asyncio
import concurrent.futures

import httpx

from shared.revocations import Revocations, http_revocations_loader
from shared.settings import PlatformSettings
from shared.testing.browser import HttpBrowser
from shared.testing.fixtures import csrf_header, eventually


def run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (browser tests of the same session)
    keeps an event loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def token_of(stack, browser: HttpBrowser) -> str:
    """An access token for the browser's session, as the gateway (or an API client) gets one."""
    response = httpx.post(f"{stack.identity}/internal/sessions/token", headers={"x-service-key": stack.internal_key},
                          json={"session_token": browser.cookies(stack.gateway)["zc_session"]})
    response.raise_for_status()
    return response.json()["access_token"]


def at(stack, service: str, path: str, token: str, **params) -> httpx.Response:
    """Straight to the service, past the gateway."""
    return httpx.get(f"{stack.urls.services[service]}{path}", params=params,
                     headers={"authorization": f"Bearer {token}"}, timeout=10)


def refused(response: httpx.Response) -> bool:
    return response.status_code == 401 and response.json()["code"] == "token_revoked"


def test_a_removed_reviewers_earlier_token_is_refused_by_library_and_units(stack):
    unit, account = stack.unit_browser("福建省令牌吊销测试院")
    reviewer, reviewer_account = stack.person_browser("经办人丁")
    unit_id = account["unit_id"]
    added = unit.post(f"{stack.gateway}/api/units/units/{unit_id}/reviewers", headers=csrf_header(unit, stack.gateway),
                      json={"id_number": reviewer_account["id_number"]})
    assert added.status_code == 201, added.text
    person_id = added.json()["person_id"]
    assert eventually(lambda: "unit_admin" in reviewer.get(f"{stack.gateway}/api/identity/me").json()["roles"])

    before = token_of(stack, reviewer)
    assert at(stack, "library", "/api/library/review-queue", before, unit_id=unit_id).status_code == 200
    assert at(stack, "units", "/api/units/bindings", before, unit_id=unit_id, status="pending").status_code == 200

    removed = unit.request("DELETE", f"{stack.gateway}/api/units/units/{unit_id}/reviewers/{person_id}",
                           headers=csrf_header(unit, stack.gateway))
    assert removed.status_code == 204, removed.text

    # units → identity → every service: within moments the old token is refused everywhere.
    assert eventually(lambda: refused(at(stack, "library", "/api/library/review-queue", before, unit_id=unit_id)))
    assert refused(at(stack, "units", "/api/units/bindings", before, unit_id=unit_id, status="pending"))
    assert refused(at(stack, "library", "/api/library/entries", before))  # whatever the route

    # A token taken now works, and says what the person may do now: no longer the unit's queue.
    fresh = token_of(stack, reviewer)
    assert at(stack, "library", "/api/library/entries", fresh).status_code == 200
    assert at(stack, "library", "/api/library/review-queue", fresh, unit_id=unit_id).status_code == 403
    assert at(stack, "units", "/api/units/bindings", fresh, unit_id=unit_id, status="pending").status_code == 403


def test_a_token_taken_before_logout_is_refused_after_it(stack):
    person, account = stack.person_browser("退出测试")
    before = token_of(stack, person)
    assert at(stack, "library", "/api/library/entries", before).status_code == 200
    assert at(stack, "identity", "/api/identity/me", before).status_code == 200

    person.post(f"{stack.gateway}/auth/logout", data={"csrf_token": person.csrf(stack.gateway)})
    assert "zc_session" not in person.cookies(stack.gateway)

    assert eventually(lambda: refused(at(stack, "library", "/api/library/entries", before)))
    # Each service hears it on its own listener: a moment apart.
    assert eventually(lambda: refused(at(stack, "units", "/api/units/bindings", before)))
    assert eventually(lambda: refused(at(stack, "identity", "/api/identity/me", before)))  # identity: the same list

    # A service that starts only now learns the recent revocations from identity before it accepts a token.
    later = Revocations(http_revocations_loader(stack.identity, PlatformSettings(internal_key=stack.internal_key)))
    run(later.ensure_loaded())
    assert later.refuses(_claims(before))

    # The same person logged in again: the new session's token works.
    person.login(stack.gateway, account)
    again = token_of(stack, person)
    assert at(stack, "library", "/api/library/entries", again).status_code == 200
    assert not later.refuses(_claims(again))


def _claims(token: str) -> dict:
    """The claims of a token, unverified (the services verified it above)."""
    import base64
    import json

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_an_event_the_services_missed_is_caught_up_from_identity_and_the_gateway_takes_a_new_token(stack):
    """As if the broker had been away: identity records the change but nobody hears it. Within the
    reload interval every service refuses the earlier tokens; the gateway, which still holds one,
    takes a new one at the refusal, and the person notices nothing."""
    import uuid

    import sqlalchemy as sa

    from shared.db import Database
    from shared.events import record_event
    from shared.events.catalogue import AccessChanged
    from shared.events.outbox import outbox

    person, account = stack.person_browser("漏听测试")
    other = HttpBrowser()  # the same person in a second browser: a session and a cached token of its own
    other.login(stack.gateway, account)
    for browser in (person, other):  # the gateway holds a token for each
        assert browser.get(f"{stack.gateway}/api/library/entries").status_code == 200
    person_id = uuid.UUID(person.get(f"{stack.gateway}/api/identity/me").json()["id"])
    earlier = token_of(stack, person)

    async def record_unheard() -> None:
        db = Database(stack.identity_db, pool_size=1, max_overflow=0)
        try:
            async with db.sessionmaker() as session, session.begin():
                envelope = await record_event(session, "identity", person_id, AccessChanged(subject=person_id))
                await session.execute(sa.update(outbox).where(outbox.c.id == envelope.id).values(sent_at=sa.func.now()))
        finally:
            await db.dispose()

    run(record_unheard())
    assert eventually(lambda: refused(at(stack, "library", "/api/library/entries", earlier)), timeout=30)
    # The gateway's cached tokens are as old: refused too, and replaced without the person noticing,
    # on a page as through the API.
    page = person.get(f"{stack.gateway}/library")
    assert page.status_code == 200 and "个人业绩库" in page.text
    assert other.get(f"{stack.gateway}/api/library/entries").status_code == 200
    # A write with a (small) body too: the gateway's token is refused again after a second change,
    # and the body is sent again with a new one, saved once.
    between = token_of(stack, other)
    run(record_unheard())
    assert eventually(lambda: refused(at(stack, "library", "/api/library/entries", between)), timeout=30)
    saved = other.post(f"{stack.gateway}/api/library/entries", headers=csrf_header(other, stack.gateway),
                       json={"type": "annual_assessment", "fields": {"year": 2024, "result": "合格"}})
    assert saved.status_code == 201, saved.text
    assert other.get(f"{stack.gateway}/api/library/entries").json()["total"] == 1
