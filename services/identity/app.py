"""identity's app factory."""
from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from services.identity import handlers, routes, sso
from services.identity.sessions import prune_sessions, revocations_since
from services.identity.settings import IdentitySettings, get_settings
from services.identity.tokens import KeyRing, ensure_signing_key
from shared.app import create_service_app, periodically
from shared.auth import TokenVerifier
from shared.db import Database
from shared.revocations import Revocations

MIGRATIONS = Path(__file__).parent / "migrations"


def janitors(db: Database, stop: asyncio.Event) -> list[Awaitable[None]]:
    return [periodically(lambda: prune_sessions(db.sessionmaker), stop, every_seconds=3600, name="session pruning")]


def create_app(settings: IdentitySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = Database(settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
    keyring = KeyRing()

    async def local_jwks() -> dict:
        # identity verifies its own tokens from its own key table, not over HTTP.
        async with db.sessionmaker() as session:
            await keyring.load(session, force=True)
        return keyring.jwks()

    async def on_startup(app: FastAPI) -> None:
        async with db.sessionmaker() as session, session.begin():
            await ensure_signing_key(session)

    async def local_revocations(since: dt.datetime) -> dict:
        async with db.sessionmaker() as session:
            return (await revocations_since(session, since)).model_dump(mode="json")

    app = create_service_app(
        settings=settings, title="identity — 身份与登录", db=db,
        routers=[routes.api, routes.internal, routes.wellknown, sso.router],
        verifier=TokenVerifier(local_jwks, settings.platform.jwt_issuer, settings.platform.jwt_audience,
                               revocations=Revocations(local_revocations)),
        on_startup=on_startup, consumers=handlers.consumers,
        background=janitors,
    )
    app.state.keyring = keyring
    app.state.oauth = sso.make_oauth(settings)
    app.add_middleware(SessionMiddleware, secret_key=settings.session_secret.get_secret_value(),
                       session_cookie="zc_oidc", max_age=600, same_site="lax", https_only=settings.cookie_secure)
    return app
