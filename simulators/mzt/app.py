"""The 闽政通 simulator: an OpenID Connect provider (authorization code + PKCE S256 only).

Deliberately strict where the platform's client must be correct (PKCE, nonce, state, exact
redirect_uri, single-use codes, client authentication), locks an account after repeated wrong
passwords as the real one does, and is simple elsewhere: state lives in
memory, the signing key is new at every start, and every /authorize shows the login form (no
SSO session), so tests can log in as anyone at any time.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from pydantic import BaseModel, Field, model_validator

from simulators.mzt import pages
from simulators.mzt.accounts import DEMO_PASSWORD, Account, seed_accounts
from simulators.mzt.settings import SimulatorSettings

__all__ = ["SimulatorSettings", "create_app"]

# Everything an authorization request carries; the login form round-trips these as hidden fields.
AUTH_PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
               "code_challenge", "code_challenge_method", "login_type")
SUPPORTED_SCOPES = ("openid", "profile")
# RFC 7636 §4.1: 43–128 chars of the unreserved set; a S256 challenge is always 43 chars.
_PKCE_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    scope: str
    username: str
    auth_time: int
    expires_at: float
    access_token: str | None = None  # revoked if the code is replayed (RFC 6749 §4.1.2)


@dataclass
class AccessToken:
    username: str
    scope: str
    expires_at: float


@dataclass
class Failures:
    """Wrong passwords in a row for one username, and until when it is locked."""

    count: int = 0
    locked_until: float = 0.0


@dataclass
class State:
    settings: SimulatorSettings
    key: RSAKey
    accounts: dict[str, Account] = field(default_factory=seed_accounts)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    used_codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    # Keyed by the username typed, whether or not it exists: the answers never tell which do.
    failures: dict[str, Failures] = field(default_factory=dict)
    clock: Callable[[], float] = time.time  # tests move it forward past a lockout

    def locked_for(self, username: str) -> float:
        """Seconds the username stays locked (0: not locked)."""
        found = self.failures.get(username)
        return max(0.0, found.locked_until - self.clock()) if found else 0.0

    def failed(self, username: str) -> int:
        """Count a wrong password; the attempts left before the lock (0: locked now)."""
        limit = self.settings.lockout_failures
        if len(self.failures) > 10_000:  # bounded: forget those that are not locked
            self.failures = {u: f for u, f in self.failures.items() if f.locked_until > self.clock()}
        found = self.failures.setdefault(username, Failures())
        found.count += 1
        if found.count < limit:
            return limit - found.count
        found.count, found.locked_until = 0, self.clock() + self.settings.lockout_seconds
        return 0


class AuthorizeError(Exception):
    """An error that may be reported back to the (already validated) redirect_uri."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error, self.description = error, description


class OAuthError(Exception):
    """A token/userinfo endpoint error, rendered as RFC 6749 §5.2 JSON."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


class AccountIn(BaseModel):
    """An account added at runtime by tests (POST /_admin/accounts)."""

    username: str = Field(pattern=r"^[A-Za-z0-9._-]{1,64}$")
    password: str = DEMO_PASSWORD
    account_type: Literal["person", "legal"] = "person"
    name: str = Field(min_length=1)
    id_number: str = Field(min_length=1)  # not checksum-validated: tests need broken ones too
    phone: str | None = None
    unit_name: str | None = None
    credit_code: str | None = None
    sub: str | None = None

    @model_validator(mode="after")
    def _legal_needs_unit(self) -> AccountIn:
        if self.account_type == "legal" and not (self.unit_name and self.credit_code):
            raise ValueError("a legal account needs unit_name and credit_code")
        return self


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def create_app(settings: SimulatorSettings | None = None) -> FastAPI:
    settings = settings or SimulatorSettings()
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
    state = State(settings=settings, key=key)
    app = FastAPI(title="闽政通 OIDC simulator", version="1.0")
    app.state.mzt = state  # tests may reach in (e.g. to inspect codes)

    # ---- authorization endpoint -------------------------------------------------------------

    def read_params(multi: object) -> tuple[dict[str, str], str | None]:
        """The request parameters and, if client_id/redirect_uri are unusable, why."""
        params = {k: multi.get(k) or "" for k in AUTH_PARAMS}  # type: ignore[attr-defined]
        for k in ("client_id", "redirect_uri"):
            if len(multi.getlist(k)) > 1:  # type: ignore[attr-defined]
                return params, f"参数 {k} 重复"
        if params["client_id"] != settings.client_id:
            return params, "未知的接入应用（client_id 无效）"
        # Exact string comparison: no prefixes, no normalisation (`…/callbackX`, `…/../evil`).
        if params["redirect_uri"] not in settings.redirect_uris:
            return params, "回调地址（redirect_uri）未登记，拒绝跳转"
        return params, None

    def check_request(params: dict[str, str], multi: object) -> None:
        """Everything after client and redirect_uri; failures go back to the client."""
        for k in AUTH_PARAMS:
            if len(multi.getlist(k)) > 1:  # type: ignore[attr-defined]
                raise AuthorizeError("invalid_request", f"duplicate parameter {k}")
        if params["response_type"] != "code":
            raise AuthorizeError("unsupported_response_type", "only response_type=code")
        if "openid" not in params["scope"].split():
            raise AuthorizeError("invalid_scope", "scope must contain openid")
        for k in ("state", "nonce", "code_challenge"):
            if not params[k]:
                raise AuthorizeError("invalid_request", f"{k} is required")
        if params["code_challenge_method"] != "S256":
            raise AuthorizeError("invalid_request", "code_challenge_method must be S256")
        if not _PKCE_RE.match(params["code_challenge"]):
            raise AuthorizeError("invalid_request", "malformed code_challenge")
        if params["login_type"] not in ("", "person", "legal"):
            raise AuthorizeError("invalid_request", "login_type must be person or legal")

    def error_redirect(params: dict[str, str], err: AuthorizeError) -> RedirectResponse:
        query = {"error": err.error, "error_description": err.description}
        if params["state"]:
            query["state"] = params["state"]
        return RedirectResponse(_with_query(params["redirect_uri"], query), status_code=302)

    def render_login(params: dict[str, str], *, error: str = "", username: str = "",
                     status: int = 200) -> HTMLResponse:
        login_type = params["login_type"] or "person"
        others = {k: v for k, v in params.items() if v and k != "login_type"}
        html = pages.login_page(
            title="法人用户登录" if login_type == "legal" else "个人用户登录",
            login_type=login_type, error=error, username=username,
            hidden=others | {"login_type": login_type},
            person_url="/authorize?" + urlencode(others | {"login_type": "person"}),
            legal_url="/authorize?" + urlencode(others | {"login_type": "legal"}),
            accounts=[a for a in state.accounts.values() if a.account_type == login_type],
            demo_password=DEMO_PASSWORD)
        return HTMLResponse(html, status_code=status, headers={"X-Frame-Options": "DENY"})

    def locked_message(seconds: float) -> str:
        return (f"密码连续输错 {settings.lockout_failures} 次，账号已被锁定，"
                f"请 {max(1, math.ceil(seconds / 60))} 分钟后再试")

    def error_page(message: str) -> HTMLResponse:
        return HTMLResponse(pages.error_page(message), status_code=400)

    @app.get("/authorize", response_class=HTMLResponse)
    async def authorize(request: Request) -> Response:
        params, bad_client = read_params(request.query_params)
        if bad_client:  # never redirect to a URI we could not validate
            return error_page(bad_client)
        try:
            check_request(params, request.query_params)
        except AuthorizeError as err:
            return error_redirect(params, err)
        return render_login(params)

    @app.post("/authorize", response_class=HTMLResponse)
    async def authorize_submit(request: Request) -> Response:
        form = await request.form()
        params, bad_client = read_params(form)
        if bad_client:
            return error_page(bad_client)
        try:
            check_request(params, form)
        except AuthorizeError as err:
            return error_redirect(params, err)
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        if locked := state.locked_for(username):
            return render_login(params, error=locked_message(locked), username=username, status=423)
        account = state.accounts.get(username)
        if account is None or not hmac.compare_digest(account.password.encode(), password.encode()):
            left = state.failed(username)
            if not left:
                return render_login(params, error=locked_message(state.locked_for(username)), username=username,
                                    status=423)
            return render_login(params, error=f"用户名或密码错误，再输错 {left} 次账号将被锁定", username=username,
                                status=401)
        state.failures.pop(username, None)
        login_type = params["login_type"] or "person"
        if account.account_type != login_type:
            message = "该账号不是法人账号" if login_type == "legal" else "该账号不是个人账号"
            return render_login(params, error=message, username=username, status=403)
        code = secrets.token_urlsafe(32)
        state.codes[code] = AuthCode(
            client_id=params["client_id"], redirect_uri=params["redirect_uri"],
            nonce=params["nonce"], code_challenge=params["code_challenge"],
            scope=" ".join(s for s in params["scope"].split() if s in SUPPORTED_SCOPES),
            username=account.username, auth_time=int(time.time()),
            expires_at=time.time() + settings.code_ttl_seconds)
        target = _with_query(params["redirect_uri"], {"code": code, "state": params["state"]})
        return RedirectResponse(target, status_code=302)

    # ---- token endpoint ----------------------------------------------------------------------

    @app.exception_handler(OAuthError)
    async def oauth_error(_: Request, err: OAuthError) -> JSONResponse:
        headers = dict(_NO_STORE)
        if err.status == 401:
            headers["WWW-Authenticate"] = (
                f'Bearer error="{err.error}"' if err.error == "invalid_token" else 'Basic realm="mzt"')
        return JSONResponse({"error": err.error, "error_description": err.description},
                            status_code=err.status, headers=headers)

    def authenticate_client(request: Request, form: dict[str, str]) -> None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            if form.get("client_secret"):
                raise OAuthError("invalid_request", "use one client authentication method")
            try:
                raw = base64.b64decode(header[6:].strip(), validate=True).decode()
                client_id, client_secret = (unquote_plus(p) for p in raw.split(":", 1))
            except ValueError as exc:
                raise OAuthError("invalid_client", "malformed Basic credentials", 401) from exc
        else:
            client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        ok = hmac.compare_digest(client_id.encode(), settings.client_id.encode()) and \
            hmac.compare_digest(client_secret.encode(), settings.client_secret.encode())
        if not ok:
            raise OAuthError("invalid_client", "client authentication failed", 401)

    @app.post("/token")
    async def token(request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        authenticate_client(request, form)
        if form.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "only authorization_code")
        for k in ("code", "redirect_uri", "code_verifier"):
            if not form.get(k):
                raise OAuthError("invalid_request", f"{k} is required")
        code = form["code"]
        if code in state.used_codes:  # replay: revoke what the first use obtained
            replayed = state.used_codes[code]
            if replayed.access_token:
                state.tokens.pop(replayed.access_token, None)
            raise OAuthError("invalid_grant", "authorization code already used")
        grant = state.codes.pop(code, None)
        if grant is None:
            raise OAuthError("invalid_grant", "unknown authorization code")
        state.used_codes[code] = grant  # consumed even if the checks below fail
        if time.time() >= grant.expires_at:
            raise OAuthError("invalid_grant", "authorization code expired")
        if grant.client_id != settings.client_id:
            raise OAuthError("invalid_grant", "code was issued to another client")
        if form["redirect_uri"] != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match")
        verifier = form["code_verifier"]
        if not _PKCE_RE.match(verifier) or not hmac.compare_digest(s256(verifier), grant.code_challenge):
            raise OAuthError("invalid_grant", "PKCE verification failed")

        account = state.accounts[grant.username]
        now = int(time.time())
        access_token = secrets.token_urlsafe(32)
        state.tokens[access_token] = AccessToken(
            username=account.username, scope=grant.scope, expires_at=now + settings.token_ttl_seconds)
        grant.access_token = access_token
        claims = account.claims() | {
            "iss": settings.issuer, "aud": settings.client_id, "iat": now,
            "exp": now + settings.token_ttl_seconds, "nonce": grant.nonce,
            "auth_time": grant.auth_time}
        id_token = jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)
        return JSONResponse({"access_token": access_token, "token_type": "Bearer",
                             "expires_in": settings.token_ttl_seconds, "id_token": id_token,
                             "scope": grant.scope}, headers=_NO_STORE)

    # ---- userinfo, discovery, keys -----------------------------------------------------------

    @app.api_route("/userinfo", methods=["GET", "POST"])
    async def userinfo(request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        grant = state.tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if grant is None or time.time() >= grant.expires_at:
            raise OAuthError("invalid_token", "missing, unknown or expired access token", 401)
        return JSONResponse(state.accounts[grant.username].claims(), headers=_NO_STORE)

    @app.get("/.well-known/openid-configuration")
    async def discovery() -> dict[str, object]:
        iss = settings.issuer
        back = settings.backchannel_url or iss
        return {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{back}/token",
            "userinfo_endpoint": f"{back}/userinfo",
            "jwks_uri": f"{back}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "scopes_supported": list(SUPPORTED_SCOPES),
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "auth_time",
                                 "account_type", "name", "id_number", "phone", "unit_name",
                                 "credit_code"],
        }

    @app.get("/jwks")
    async def jwks() -> dict[str, object]:
        return KeySet([key]).as_dict(private=False)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # ---- test hook ---------------------------------------------------------------------------

    if settings.allow_admin:
        @app.post("/_admin/accounts", status_code=201)
        async def add_account(body: AccountIn) -> JSONResponse:
            account = Account(**body.model_dump(exclude={"sub"}), sub=body.sub or "")
            if account.username in state.accounts:
                return JSONResponse({"error": "username_taken"}, status_code=409)
            if any(a.sub == account.sub for a in state.accounts.values()):
                return JSONResponse({"error": "sub_taken"}, status_code=409)
            state.accounts[account.username] = account
            return JSONResponse(account.claims() | {"username": account.username}, status_code=201)

    return app
