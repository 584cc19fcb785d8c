"""闽政通 login through OpenID Connect (Authlib): authorization code + PKCE (S256) + state +
nonce. Reached by browsers through the gateway at /auth/*.

The OIDC state travels in a short-lived signed cookie (``zc_oidc``); at the end the person gets
the session cookie (``zc_session``) and lands on registration, 个人首页 or the unit workspace.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Literal

import sqlalchemy as sa
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.deps import DbSession, Settings
from services.identity.models import Person, UnitAccount
from services.identity.sessions import create_session, revoke_session
from services.identity.settings import IdentitySettings
from shared.http import local_path
from shared.idnumbers import InvalidNumber, validate_credit_code

log = logging.getLogger(__name__)
router = APIRouter(prefix="/auth", tags=["login"])

SESSION_COOKIE = "zc_session"
LoginType = Literal["person", "unit"]


def make_oauth(settings: IdentitySettings) -> OAuth:
    oauth = OAuth()
    oauth.register(
        "mzt",
        client_id=settings.mzt_client_id,
        client_secret=settings.mzt_client_secret.get_secret_value(),
        server_metadata_url=settings.mzt_metadata_url or f"{settings.mzt_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile", "code_challenge_method": "S256",
                       "token_endpoint_auth_method": "client_secret_post", "timeout": 10},
    )
    return oauth


def _oauth(request: Request) -> OAuth:
    return request.app.state.oauth


def _fail(settings: IdentitySettings, code: str) -> RedirectResponse:
    """Back to the login page, which explains the code in Chinese; nothing is logged in."""
    return RedirectResponse(f"{settings.public_url}/login?error={code}", status_code=303)


async def _start(request: Request, settings: IdentitySettings, login_type: LoginType) -> RedirectResponse:
    request.session.clear()
    request.session["login_type"] = login_type
    if (next_path := request.query_params.get("next")) and local_path(next_path):
        request.session["next"] = next_path  # where a person goes back to (马上申报 of a plan, say)
    return await _oauth(request).mzt.authorize_redirect(
        request, f"{settings.public_url}/auth/callback", login_type="legal" if login_type == "unit" else "person")


@router.get("/login/person", summary="个人登录：前往闽政通")
async def login_person(request: Request, settings: Settings) -> RedirectResponse:
    return await _start(request, settings, "person")


@router.get("/login/unit", summary="单位登录（法人）：前往闽政通")
async def login_unit(request: Request, settings: Settings) -> RedirectResponse:
    return await _start(request, settings, "unit")


@router.get("/callback", summary="闽政通登录回调")
async def callback(request: Request, settings: Settings, db: DbSession) -> RedirectResponse:
    login_type, next_path = request.session.get("login_type"), request.session.get("next")
    try:
        token = await _oauth(request).mzt.authorize_access_token(request)
    except OAuthError as exc:
        log.warning("闽政通 login refused: %s", exc.error)
        return _fail(settings, "state" if exc.error == "mismatching_state" else "sso")
    except Exception:
        log.exception("闽政通 login failed")
        return _fail(settings, "sso")
    finally:
        request.session.clear()
    claims = dict(token.get("userinfo") or {})
    try:
        target, secret = await _open_session(db, settings, login_type, claims)
    except _WrongAccount as exc:
        return _fail(settings, exc.code)
    if target == "/home" and next_path:
        target = next_path
    response = RedirectResponse(f"{settings.public_url}{target}", status_code=303)
    response.set_cookie(SESSION_COOKIE, secret, max_age=settings.session_hours * 3600, httponly=True,
                        secure=settings.cookie_secure, samesite="lax", path="/")
    return response


class _WrongAccount(Exception):
    def __init__(self, code: str) -> None:
        self.code = code


async def _open_session(db: AsyncSession, settings: IdentitySettings, login_type: str | None,
                        claims: dict) -> tuple[str, str]:
    """(where to go next, session secret) for the account 闽政通 vouched for."""
    hours = settings.session_hours
    if login_type == "unit":
        if claims.get("account_type") != "legal":
            raise _WrongAccount("not_legal")
        try:
            code = validate_credit_code(claims.get("credit_code", ""))
        except InvalidNumber:
            raise _WrongAccount("credit_code") from None
        account = await db.scalar(sa.select(UnitAccount).where(UnitAccount.credit_code == code))
        if account is None:
            try:
                async with db.begin_nested():  # two first logins at once: one inserts, the other reads it
                    account = UnitAccount(credit_code=code, unit_name=claims.get("unit_name", ""),
                                          legal_person_name=claims.get("name", ""))
                    db.add(account)
            except IntegrityError:
                account = await db.scalar(sa.select(UnitAccount).where(UnitAccount.credit_code == code))
        else:
            account.unit_name = claims.get("unit_name", account.unit_name)
            account.legal_person_name = claims.get("name", account.legal_person_name)
            account.last_login_at = dt.datetime.now(dt.UTC)
        await db.flush()
        return "/unit/home", await create_session(db, kind="unit", hours=hours, unit_account_id=account.id)
    if login_type != "person" or claims.get("account_type") != "person":
        raise _WrongAccount("not_person")
    id_number = str(claims.get("id_number", "")).strip().upper()
    person_id = await db.scalar(sa.select(Person.id).where(Person.id_number == id_number))
    if person_id is not None:
        return "/home", await create_session(db, kind="person", hours=hours, person_id=person_id)
    pending = {k: claims.get(k) for k in ("name", "id_number", "phone")}
    return "/register", await create_session(db, kind="pending", hours=1, sso_claims=pending)


@router.post("/logout", summary="退出登录")
async def logout(request: Request, settings: Settings, db: DbSession) -> RedirectResponse:
    if secret := request.cookies.get(SESSION_COOKIE):
        await revoke_session(db, secret)
    response = RedirectResponse(f"{settings.public_url}/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=settings.cookie_secure, httponly=True, samesite="lax")
    return response
