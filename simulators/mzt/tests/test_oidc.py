"""The 闽政通 simulator as the platform sees it: a real OIDC code flow with PKCE."""
from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from shared.idnumbers import InvalidNumber, parse_id_number, validate_credit_code
from simulators.mzt.accounts import LEGAL_ACCOUNTS, PERSONS
from simulators.mzt.app import create_app
from simulators.mzt.settings import SimulatorSettings

ISSUER = "http://localhost:9100"
CLIENT_ID, CLIENT_SECRET = "zc-platform", "dev-mzt-secret"
REDIRECT = "http://127.0.0.1:8000/auth/callback"
PASSWORD = "Demo@2026"


def make_client(**overrides: object) -> httpx.AsyncClient:
    app = create_app(SimulatorSettings(**overrides))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ISSUER)


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def auth_params(challenge: str, **extra: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT,
            "scope": "openid profile", "state": "st-" + secrets.token_hex(4),
            "nonce": "n-" + secrets.token_hex(8), "code_challenge": challenge,
            "code_challenge_method": "S256", **extra}


async def login(client: httpx.AsyncClient, params: dict[str, str], username: str,
                password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/authorize", params=params)
    assert page.status_code == 200, page.text
    return await client.post("/authorize", data=params | {"username": username, "password": password})


def query_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


async def get_code(client: httpx.AsyncClient, username: str = "zhangsan", **extra: str):
    verifier, challenge = pkce()
    params = auth_params(challenge, **extra)
    query = query_of(await login(client, params, username))
    assert query["state"] == params["state"]
    return query["code"], verifier, params


async def exchange(client: httpx.AsyncClient, code: str, verifier: str, **overrides: str):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    return await client.post("/token", data=data | overrides)


async def test_discovery(client):
    doc = (await client.get("/.well-known/openid-configuration")).json()
    assert doc["issuer"] == ISSUER
    assert doc["authorization_endpoint"] == f"{ISSUER}/authorize"
    assert doc["jwks_uri"] == f"{ISSUER}/jwks"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {"client_secret_post", "client_secret_basic"}
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_full_code_flow_with_pkce(client):
    code, verifier, params = await get_code(client, "zhangsan")
    response = await exchange(client, code, verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "openid profile"

    keys = KeySet.import_key_set((await client.get("/jwks")).json())
    token = jwt.decode(body["id_token"], keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": CLIENT_ID},
        nonce={"essential": True, "value": params["nonce"]}, exp={"essential": True},
    ).validate(token.claims)
    claims = token.claims
    zhangsan = PERSONS[0]
    assert claims["sub"] == zhangsan.sub and claims["name"] == "张三"
    assert claims["account_type"] == "person" and claims["id_number"] == zhangsan.id_number
    assert claims["phone"] == zhangsan.phone and isinstance(claims["auth_time"], int)

    info = await client.get("/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200 and info.json()["sub"] == zhangsan.sub


async def test_legal_login_and_basic_auth(client):
    code, verifier, _ = await get_code(client, "unit-hospital", login_type="legal")
    basic = httpx.BasicAuth(CLIENT_ID, CLIENT_SECRET)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    response = await client.post("/token", data=data, auth=basic)
    assert response.status_code == 200, response.text
    info = (await client.get("/userinfo", headers={
        "Authorization": f"Bearer {response.json()['access_token']}"})).json()
    assert info["account_type"] == "legal" and info["unit_name"] == "福州市第一医院"
    assert _valid_cc(info["credit_code"])


async def test_wrong_pkce_verifier_refused(client):
    code, _, _ = await get_code(client)
    other_verifier, _ = pkce()
    response = await exchange(client, code, other_verifier)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


async def test_code_reuse_refused_and_revokes_token(client):
    code, verifier, _ = await get_code(client)
    first = await exchange(client, code, verifier)
    assert first.status_code == 200
    second = await exchange(client, code, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    info = await client.get("/userinfo", headers={"Authorization": f"Bearer {first.json()['access_token']}"})
    assert info.status_code == 401


async def test_redirect_uri_must_match_on_token(client):
    code, verifier, _ = await get_code(client)
    response = await exchange(client, code, verifier, redirect_uri="http://127.0.0.1:8000/other")
    assert response.json()["error"] == "invalid_grant"


async def test_wrong_client_secret_refused(client):
    code, verifier, _ = await get_code(client)
    response = await exchange(client, code, verifier, client_secret="nope")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


async def test_expired_code_refused():
    async with make_client(code_ttl_seconds=0) as client:
        code, verifier, _ = await get_code(client)
        assert (await exchange(client, code, verifier)).json()["error"] == "invalid_grant"


async def test_userinfo_needs_valid_token(client):
    assert (await client.get("/userinfo")).status_code == 401
    response = await client.get("/userinfo", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401 and "invalid_token" in response.headers["www-authenticate"]


async def test_wrong_password_shows_error(client):
    _, challenge = pkce()
    response = await login(client, auth_params(challenge), "zhangsan", "wrong")
    assert response.status_code == 401 and "location" not in response.headers
    assert "用户名或密码错误" in response.text and 'name="username"' in response.text
    response = await login(client, auth_params(challenge), "nobody")
    assert "用户名或密码错误" in response.text


async def test_repeated_wrong_passwords_lock_the_account():
    async with make_client(lockout_failures=5, lockout_seconds=900) as client:
        state = client._transport.app.state.mzt
        now = [1_000_000.0]
        state.clock = lambda: now[0]
        _, challenge = pkce()
        for left in (4, 3, 2, 1):
            response = await login(client, auth_params(challenge), "zhangsan", "wrong")
            assert response.status_code == 401 and f"再输错 {left} 次账号将被锁定" in response.text
        fifth = await login(client, auth_params(challenge), "zhangsan", "wrong")
        assert fifth.status_code == 423 and "location" not in fifth.headers
        assert "密码连续输错 5 次，账号已被锁定，请 15 分钟后再试" in fifth.text
        # Locked: even the right password is refused, for the whole period; other accounts are not.
        now[0] += 600
        refused = await login(client, auth_params(challenge), "zhangsan")
        assert refused.status_code == 423 and "请 5 分钟后再试" in refused.text
        assert "code" not in refused.headers.get("location", "")
        assert (await get_code(client, "lisi"))[0]
        now[0] += 301
        code, verifier, _ = await get_code(client, "zhangsan")
        assert (await exchange(client, code, verifier)).status_code == 200


async def test_a_successful_login_resets_the_count():
    async with make_client(lockout_failures=3) as client:
        _, challenge = pkce()
        for _ in range(2):
            assert (await login(client, auth_params(challenge), "zhangsan", "wrong")).status_code == 401
        await get_code(client, "zhangsan")
        for _ in range(2):
            assert (await login(client, auth_params(challenge), "zhangsan", "wrong")).status_code == 401
        await get_code(client, "zhangsan")  # not locked: the success in between started the count again
        # Unknown usernames count too, so the answers do not tell which accounts exist.
        for _ in range(2):
            await login(client, auth_params(challenge), "nobody", "wrong")
        assert (await login(client, auth_params(challenge), "nobody", "wrong")).status_code == 423


async def test_person_on_legal_login_refused(client):
    _, challenge = pkce()
    response = await login(client, auth_params(challenge, login_type="legal"), "zhangsan")
    assert "location" not in response.headers and "该账号不是法人账号" in response.text
    response = await login(client, auth_params(challenge), "unit-sjy")
    assert "location" not in response.headers and "该账号不是个人账号" in response.text


async def test_login_page_looks_like_mzt(client):
    _, challenge = pkce()
    person = await client.get("/authorize", params=auth_params(challenge))
    assert "闽政通 统一身份认证平台" in person.text and "个人用户登录" in person.text
    assert "演示账号" in person.text and "张三" in person.text and "福州市第一医院" not in person.text
    legal = await client.get("/authorize", params=auth_params(challenge, login_type="legal"))
    assert "法人用户登录" in legal.text and "福州市第一医院" in legal.text and "张三" not in legal.text


@pytest.mark.parametrize("redirect_uri", [
    "https://evil.example.com/cb", "http://localhost.evil.example.com/cb", "http://127.0.0.1/cb#x", "",
    "http://localhost:80@evil.example/cb", "http://127.0.0.1@evil.example/cb",
    # Registered URIs compare as exact strings: no prefix, no longer path, no dot segments.
    "http://127.0.0.1:8000.evil.example/auth/callback", "http://127.0.0.1:8000/auth/callbackX",
    "http://127.0.0.1:8000/auth/callback/../../evil", "http://127.0.0.1:8000/auth/callback/",
    "http://127.0.0.1:8000/auth/callback?next=evil", "http://127.0.0.1:8000/other", "http://127.0.0.1:8001/auth/callback",
    "HTTP://127.0.0.1:8000/auth/callback"])
async def test_bad_redirect_uri_shows_error_page(client, redirect_uri):
    _, challenge = pkce()
    response = await client.get("/authorize", params=auth_params(challenge, redirect_uri=redirect_uri))
    assert response.status_code == 400 and "location" not in response.headers
    assert "回调地址" in response.text
    posted = await client.post("/authorize", data=auth_params(challenge, redirect_uri=redirect_uri)
                               | {"username": "zhangsan", "password": PASSWORD})
    assert posted.status_code == 400 and "location" not in posted.headers


async def test_unknown_client_shows_error_page(client):
    _, challenge = pkce()
    response = await client.get("/authorize", params=auth_params(challenge, client_id="intruder"))
    assert response.status_code == 400 and "location" not in response.headers


@pytest.mark.parametrize(("drop", "override", "error"), [
    ("code_challenge", {}, "invalid_request"),
    ("nonce", {}, "invalid_request"),
    (None, {"code_challenge_method": "plain"}, "invalid_request"),
    (None, {"scope": "profile"}, "invalid_scope"),
    (None, {"response_type": "token"}, "unsupported_response_type"),
])
async def test_invalid_request_redirects_with_error(client, drop, override, error):
    _, challenge = pkce()
    params = auth_params(challenge, **override)
    if drop:
        params.pop(drop)
    query = query_of(await client.get("/authorize", params=params))
    assert query["error"] == error and query["state"] == params["state"]
    assert "code" not in query


async def test_admin_adds_account():
    async with make_client() as client:
        new = {"username": "fresh-1", "name": "周新人", "id_number": "350102199201010012",
               "phone": "13900000001"}
        created = await client.post("/_admin/accounts", json=new)
        assert created.status_code == 201 and created.json()["sub"]
        assert (await client.post("/_admin/accounts", json=new)).status_code == 409
        code, verifier, _ = await get_code(client, "fresh-1")
        assert (await exchange(client, code, verifier)).status_code == 200
    async with make_client(allow_admin=False) as client:
        assert (await client.post("/_admin/accounts", json=new)).status_code in (404, 405)


def _valid_id(value: str) -> bool:
    try:
        parse_id_number(value)
        return True
    except InvalidNumber:
        return False


def _valid_cc(value: str) -> bool:
    try:
        validate_credit_code(value)
        return True
    except InvalidNumber:
        return False


def test_seed_accounts():
    valid = [p for p in PERSONS if p.username != "badid"]
    assert len(valid) >= 6 and all(_valid_id(p.id_number) for p in valid)
    assert {int(p.id_number[16]) % 2 for p in valid} == {0, 1}  # both genders
    assert all(1970 <= int(p.id_number[6:10]) <= 1998 for p in valid)
    bad = next(p for p in PERSONS if p.username == "badid")
    assert bad.name == "测试坏号" and not _valid_id(bad.id_number)
    assert len(LEGAL_ACCOUNTS) >= 3
    assert all(_valid_cc(a.credit_code) and _valid_id(a.id_number)
               for a in LEGAL_ACCOUNTS)
    subs = [a.sub for a in (*PERSONS, *LEGAL_ACCOUNTS)]
    assert len(set(subs)) == len(subs)
