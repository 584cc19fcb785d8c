"""Identity's signing keys and the access tokens it mints.

The private key lives in identity's own database so that every identity process signs with
the same key; the newest active key signs, all active keys are published in the JWKS so that
a rotation does not invalidate tokens in flight.
"""
from __future__ import annotations

import math
import time
import uuid
from typing import Any

import sqlalchemy as sa
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.models import SigningKey

ALGORITHM = "RS256"


async def ensure_signing_key(session: AsyncSession) -> None:
    """Create the first key if there is none (concurrent starts agree through the advisory lock)."""
    await session.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))
    if await session.scalar(sa.select(sa.func.count()).select_from(SigningKey).where(SigningKey.active)):
        return
    await rotate_signing_key(session)


async def rotate_signing_key(session: AsyncSession) -> str:
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": ALGORITHM}, private=True)
    key.ensure_kid()
    await session.execute(pg.insert(SigningKey).values(kid=key.kid, private_jwk=key.as_dict(private=True)))
    return key.kid


class KeyRing:
    """An in-memory copy of the active keys, reloaded every minute."""

    def __init__(self) -> None:
        self._keys: list[RSAKey] = []
        self._loaded_at = 0.0

    async def load(self, session: AsyncSession, force: bool = False) -> None:
        if not force and self._keys and time.monotonic() - self._loaded_at < 60:
            return
        rows = (await session.scalars(
            sa.select(SigningKey).where(SigningKey.active).order_by(SigningKey.created_at.desc())
        )).all()
        self._keys = [RSAKey.import_key(r.private_jwk) for r in rows]
        self._loaded_at = time.monotonic()

    def jwks(self) -> dict[str, Any]:
        return KeySet(self._keys).as_dict(private=False)

    def sign(self, claims: dict[str, Any]) -> str:
        key = self._keys[0]
        return jwt.encode({"alg": ALGORITHM, "kid": key.kid, "typ": "JWT"}, claims, key)


def access_claims(*, issuer: str, audience: str, subject: str, kind: str, roles: list[str], session_id: uuid.UUID,
                  name: str | None, lifetime_seconds: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    # iat in milliseconds (a NumericDate may have a fraction): services refuse tokens issued before
    # the subject's access changed, which may be within the same second (shared.revocations).
    issued = time.time()
    now = int(issued)
    return {**(extra or {}), "iss": issuer, "aud": audience, "sub": subject, "iat": math.floor(issued * 1000) / 1000,
            "nbf": now - 5,
            "exp": now + lifetime_seconds, "jti": uuid.uuid4().hex, "sid": str(session_id),
            "kind": kind, "roles": roles, "name": name}
