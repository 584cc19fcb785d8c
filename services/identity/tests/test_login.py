"""闽政通 login, registration and logout through the gateway, over real HTTP, against the
simulator, with identity and the gateway as real processes."""
from __future__ import annotations

import time
import uuid

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from shared.testing.browser import HttpBrowser


@pytest.fixture
def browser():
    b = HttpBrowser()
    yield b
    b.close()


def register(browser: HttpBrowser, gateway: str, **fields) -> httpx.Response:
    data = {"mobile": "13800000001", "address": "福州市鼓楼区五四路 1 号", "email": "", "choose_unit": "no",
            "csrf_token": browser.csrf(gateway), **fields}
    return browser.post(f"{gateway}/register", data=data)


def test_new_person_registers_then_returns_to_home(stack, browser):
    account = stack.new_person("林晓东")
    landing = browser.login(stack.gateway, account)
    assert landing.url.path == "/register"
    assert "林晓东" in landing.text and account["id_number"] in landing.text
    # Gender and birth date come from the identity number, not from the person.
    birth = account["id_number"]
    assert f"{birth[6:10]}-{birth[10:12]}-{birth[12:14]}" in landing.text

    home = register(browser, stack.gateway, email="lin@example.com")
    assert home.url.path == "/home", home.text[:400]
    for module in ("个人基本信息", "我的申报情况", "待处理事项", "业绩统计", "最新计划"):
        assert module in home.text
    me = browser.get(f"{stack.gateway}/api/identity/me").json()
    assert me["name"] == "林晓东" and me["roles"] == ["applicant"]
    assert me["id_number_masked"] == account["id_number"][:4] + "*" * 10 + account["id_number"][-4:]
    assert "id_number" not in me  # the whole number never leaves identity after registration

    # Returning: a new browser goes straight to 个人首页.
    again = HttpBrowser()
    try:
        assert again.login(stack.gateway, account).url.path == "/home"
    finally:
        again.close()


def test_logout_ends_the_session(stack, browser):
    account = stack.new_person()
    browser.login(stack.gateway, account)
    register(browser, stack.gateway)
    secret = browser.cookies(stack.gateway)["zc_session"]
    assert browser.get(f"{stack.gateway}/api/identity/me").status_code == 200

    out = browser.post(f"{stack.gateway}/auth/logout", data={"csrf_token": browser.csrf(stack.gateway)})
    assert out.url.path == "/"
    assert "zc_session" not in browser.cookies(stack.gateway)
    # The old cookie, replayed by someone who kept it, no longer works either.
    replay = httpx.get(f"{stack.gateway}/api/identity/me", cookies={"zc_session": secret})
    assert replay.status_code == 401
    assert replay.headers["content-type"].startswith("application/problem+json")


def test_logout_without_csrf_token_is_refused(stack, browser):
    browser.login(stack.gateway, stack.new_person())
    refused = browser.post(f"{stack.gateway}/auth/logout", data={})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert "zc_session" in browser.cookies(stack.gateway)
    foreign = browser.post(f"{stack.gateway}/auth/logout", data={"csrf_token": browser.csrf(stack.gateway)},
                           headers={"origin": "http://evil.example"})
    assert foreign.status_code == 403


def test_registration_names_the_bad_field_and_keeps_what_was_typed(stack, browser):
    browser.login(stack.gateway, stack.new_person())
    page = register(browser, stack.gateway, mobile="12345", address="厦门市思明区")
    assert page.status_code == 422
    assert "手机号码" in page.text and "厦门市思明区" in page.text
    assert browser.get(f"{stack.gateway}/api/identity/me").json()["kind"] == "pending"


def test_registration_refuses_an_invalid_identity_number(stack, browser):
    account = stack.new_person("坏号码", valid=False)
    page = browser.login(stack.gateway, account)
    assert page.url.path == "/register" and "校验位不正确" in page.text
    refused = browser.post(f"{stack.gateway}/api/identity/registration",
                           json={"mobile": "13800000002", "address": "福州市台江区"},
                           headers={"x-csrf-token": browser.csrf(stack.gateway)})
    assert refused.status_code == 422
    body = refused.json()
    assert body["errors"][0]["field"] == "id_number" and "身份证号码" in body["detail"]


def test_fixed_fields_cannot_be_changed(stack, browser):
    account = stack.new_person("周建国")
    browser.login(stack.gateway, account)
    forged = register(browser, stack.gateway, name="周改名", id_number="11010519491231002X")
    assert forged.status_code == 422 and "不可修改" in forged.text
    register(browser, stack.gateway)
    before = browser.get(f"{stack.gateway}/api/identity/me").json()

    csrf = {"x-csrf-token": browser.csrf(stack.gateway)}
    attempt = browser.request("PATCH", f"{stack.gateway}/api/identity/me", headers=csrf, json={
        "mobile": "13911112222", "address": "福州市仓山区", "name": "周改名", "gender": "female",
        "birth_date": "2000-01-01", "id_number": "11010519491231002X"})
    assert attempt.status_code == 422 and attempt.json()["code"] == "immutable_field"
    assert "姓名" in attempt.json()["detail"]
    after = browser.get(f"{stack.gateway}/api/identity/me").json()
    assert after == before  # nothing changed, not even the allowed fields of the refused request

    ok = browser.request("PATCH", f"{stack.gateway}/api/identity/me", headers=csrf,
                         json={"mobile": "13911112222", "address": "福州市仓山区"})
    assert ok.status_code == 200
    changed = ok.json()
    assert changed["mobile"] == "13911112222"
    assert (changed["name"], changed["gender"], changed["birth_date"]) == (before["name"], before["gender"],
                                                                           before["birth_date"])


def test_a_wrong_state_is_refused(stack, browser):
    form_page = browser.get(f"{stack.gateway}/auth/login/person")
    assert form_page.status_code == 200
    forged = browser.get(f"{stack.gateway}/auth/callback?code=whatever&state=forged-state")
    assert forged.url.path == "/login" and "校验未通过" in forged.text
    assert "zc_session" not in browser.cookies(stack.gateway)


def test_unit_login_lands_in_the_unit_workspace(stack, browser):
    account = stack.new_unit_account("福建省测试建设集团有限公司")
    page = browser.login(stack.gateway, account, kind="unit")
    assert page.url.path == "/unit/register"  # its unit is not registered yet
    assert "福建省测试建设集团有限公司" in page.text and account["credit_code"] in page.text
    me = browser.get(f"{stack.gateway}/api/identity/me").json()
    assert me["kind"] == "unit" and me["roles"] == ["unit_admin"]


def test_a_person_account_cannot_log_in_as_a_unit(stack, browser):
    account = stack.new_person()
    form_page = browser.get(f"{stack.gateway}/auth/login/unit")
    assert form_page.status_code == 200
    refused = browser.login(stack.gateway, account, kind="unit")
    assert "zc_session" not in browser.cookies(stack.gateway)
    assert refused.status_code in (200, 403) and "法人" in refused.text


# --- tokens: every service verifies them itself ------------------------------------------------

def _claims(**over) -> dict:
    now = int(time.time())
    return {"iss": "zc-identity", "aud": "zc-platform", "sub": str(uuid.uuid4()), "iat": now, "exp": now + 300,
            "kind": "person", "roles": ["applicant", "operator"], "sid": str(uuid.uuid4()), **over}


def _me(stack, token: str) -> httpx.Response:
    return httpx.get(f"{stack.identity}/api/identity/me", headers={"authorization": f"Bearer {token}"})


def test_a_token_signed_with_another_key_is_refused(stack):
    other = RSAKey.generate_key(2048)
    token = jwt.encode({"alg": "RS256", "kid": "attacker"}, _claims(), other)
    response = _me(stack, token)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_alg_none_and_hs256_with_the_public_key_are_refused(stack):
    import base64
    import hashlib
    import hmac
    import json

    def b64(d: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()

    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(_claims())}."
    assert _me(stack, unsigned).status_code == 401

    jwks = httpx.get(f"{stack.identity}/.well-known/jwks.json").json()
    public_pem = RSAKey.import_key(jwks["keys"][0]).as_pem(private=False)
    # The classic confusion attack, signed by hand (JOSE libraries refuse to build it).
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': jwks['keys'][0]['kid']})}.{b64(_claims())}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    hs = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    assert _me(stack, hs).status_code == 401


def test_an_expired_token_is_refused(stack, browser):
    # A genuine token of identity's, but expired: sign one with identity's own key via the DB.
    import asyncio

    from services.identity.tokens import KeyRing
    from shared.db import Database

    async def sign_expired() -> str:
        db = Database(stack.identity_db, pool_size=1, max_overflow=0)
        ring = KeyRing()
        async with db.sessionmaker() as s:
            await ring.load(s, force=True)
        await db.dispose()
        now = int(time.time())
        return ring.sign(_claims(iat=now - 900, exp=now - 600))

    token = asyncio.run(sign_expired())
    response = _me(stack, token)
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"
    # The same key signing a live token is accepted: the refusal above was the expiry.
    async def sign_live() -> str:
        db = Database(stack.identity_db, pool_size=1, max_overflow=0)
        ring = KeyRing()
        async with db.sessionmaker() as s:
            await ring.load(s, force=True)
        await db.dispose()
        return ring.sign(_claims(kind="pending", roles=[]))

    assert _me(stack, asyncio.run(sign_live())).status_code == 200


def test_the_gateway_never_routes_internal_endpoints(stack):
    assert httpx.post(f"{stack.gateway}/internal/sessions/token", json={"session_token": "x" * 20}).status_code == 404
    direct = httpx.post(f"{stack.identity}/internal/sessions/token", json={"session_token": "x" * 20})
    assert direct.status_code == 403


def test_sessions_that_ended_long_ago_are_pruned(stack):
    import asyncio
    import datetime as dt

    import sqlalchemy as sa

    from services.identity.models import Session
    from services.identity.sessions import prune_sessions
    from shared.db import Database

    async def scenario() -> tuple[int, set[str]]:
        db = Database(stack.identity_db, pool_size=1, max_overflow=0)
        now = dt.datetime.now(dt.UTC)
        async with db.sessionmaker() as s, s.begin():
            s.add_all([Session(token_hash=f"old-{uuid.uuid4()}", kind="pending", expires_at=now - dt.timedelta(days=40)),
                       Session(token_hash=f"new-{uuid.uuid4()}", kind="pending", expires_at=now - dt.timedelta(days=1))])
        pruned = await prune_sessions(db.sessionmaker, older_than=dt.timedelta(days=30))
        async with db.sessionmaker() as s:
            left = set((await s.scalars(sa.select(Session.token_hash).where(Session.kind == "pending"))).all())
        await db.dispose()
        return pruned, left

    pruned, left = asyncio.run(scenario())
    assert pruned >= 1 and not any(h.startswith("old-") for h in left) and any(h.startswith("new-") for h in left)
