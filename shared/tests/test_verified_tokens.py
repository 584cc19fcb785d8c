"""The signatures a service already checked are remembered; what can change while a token lives —
its expiry, a revocation, the key that signed it — is still decided at every request."""
from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from shared.auth import TokenVerifier
from shared.errors import Unauthorized
from shared.revocations import Revocations

ISSUER, AUDIENCE = "https://identity.test", "zc-test"


def new_key() -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, private=True)
    key.ensure_kid()
    return key


def token(key: RSAKey, *, sid: str, lifetime: float = 300) -> str:
    now = time.time()
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid.uuid4()), "sid": sid, "kind": "person",
              "iat": now, "exp": int(now + lifetime), "roles": ["applicant"], "name": "验证人"}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


async def nothing_revoked(since: dt.datetime) -> dict:
    return {"ended_sessions": [], "access_changed": []}


def verifier_of(keys: list[RSAKey], revocations: Revocations | None = None) -> TokenVerifier:
    async def load() -> dict:  # identity's JWKS as it stands at each load
        return KeySet(keys).as_dict(private=False)

    return TokenVerifier(load, ISSUER, AUDIENCE, min_refresh_seconds=0, revocations=revocations)


async def test_an_expired_token_is_refused_though_its_signature_was_checked_before():
    key = new_key()
    verifier = verifier_of([key])
    short = token(key, sid=str(uuid.uuid4()), lifetime=1.2)
    assert (await verifier.verify(short)).name == "验证人"
    await asyncio.sleep(2.2)
    with pytest.raises(Unauthorized):
        await verifier.verify(short)


async def test_a_revoked_session_is_refused_though_its_signature_was_checked_before():
    key, sid = new_key(), str(uuid.uuid4())
    revocations = Revocations(nothing_revoked)
    verifier = verifier_of([key], revocations)
    given = token(key, sid=sid)
    await verifier.verify(given)
    revocations.session_ended(sid, time.time())
    with pytest.raises(Unauthorized) as refused:
        await verifier.verify(given)
    assert refused.value.code == "token_revoked"


async def test_a_changed_token_is_checked_again_and_a_withdrawn_key_takes_its_tokens_along():
    old, new = new_key(), new_key()
    keys = [old]
    verifier = verifier_of(keys)
    signed_by_old = token(old, sid=str(uuid.uuid4()))
    await verifier.verify(signed_by_old)
    head, payload, signature = signed_by_old.split(".")
    with pytest.raises(Unauthorized):  # another signature over the same claims: not the remembered token
        await verifier.verify(f"{head}.{payload}.{signature[:-4]}AAAA")
    keys[:] = [new]  # identity rotated and withdrew the old key
    await verifier.verify(token(new, sid=str(uuid.uuid4())))  # unknown kid: the key set is loaded again
    with pytest.raises(Unauthorized):
        await verifier.verify(signed_by_old)
