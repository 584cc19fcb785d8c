"""Session cookie → access token. The cookie is an opaque secret that identity knows; the
gateway trades it for a short-lived signed token and caches that until shortly before expiry."""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import httpx

from shared.auth import Principal, TokenVerifier
from shared.events import Envelope

SESSION_COOKIE = "zc_session"


@dataclass
class _Cached:
    token: str
    principal: Principal
    until: float


class TokenBroker:
    def __init__(self, identity: httpx.AsyncClient, verifier: TokenVerifier, *, max_entries: int = 200_000) -> None:
        self.identity = identity
        self.verifier = verifier
        self.max_entries = max_entries
        self._cache: dict[str, _Cached] = {}
        self._by_subject: dict[str, set[str]] = {}  # a person may be logged in in several browsers

    @staticmethod
    def _key(session_secret: str) -> str:
        return hashlib.sha256(session_secret.encode()).hexdigest()

    async def token_for(self, session_secret: str) -> tuple[str, Principal] | None:
        """The access token and who it names, or None when the session is gone."""
        key = self._key(session_secret)
        hit = self._cache.get(key)
        if hit and hit.until > time.monotonic():
            return hit.token, hit.principal
        response = await self.identity.post("/internal/sessions/token", json={"session_token": session_secret})
        if response.status_code in (401, 422):
            self._cache.pop(key, None)
            return None
        response.raise_for_status()
        body = response.json()
        principal = await self.verifier.verify(body["access_token"])
        if len(self._cache) >= self.max_entries:
            now = time.monotonic()
            self._cache = {k: v for k, v in self._cache.items() if v.until > now}
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._by_subject = {}
            for k, v in self._cache.items():
                self._by_subject.setdefault(v.principal.subject, set()).add(k)
        self._by_subject.setdefault(principal.subject, set()).add(key)
        # Refresh 30 s early so that a token never expires between here and the service.
        self._cache[key] = _Cached(body["access_token"], principal, time.monotonic() + max(body["expires_in"] - 30, 1))
        return body["access_token"], principal

    def knows(self, session_secret: str) -> bool:
        """Whether identity vouched for this session lately (its token is cached and fresh)."""
        hit = self._cache.get(self._key(session_secret))
        return hit is not None and hit.until > time.monotonic()

    def forget(self, session_secret: str) -> None:
        self._cache.pop(self._key(session_secret), None)

    def forget_subject(self, subject: str) -> None:
        """Every cached token of this person or account (identity said what they carry changed)."""
        for key in self._by_subject.pop(subject, set()):
            self._cache.pop(key, None)

    async def on_access_changed(self, _: object, envelope: Envelope) -> None:
        self.forget_subject(envelope.subject)
