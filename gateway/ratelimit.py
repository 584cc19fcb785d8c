"""Per-client rate limits (the `limits` library, in memory per gateway process). A sliding window
of two counters per client, not a moving window: that keeps a timestamp per request and its
memory storage expires them with a thread-pool call per client, a cost on every busy second.

A client is its session when identity knows it (the gateway holds a fresh token for it), else
its address: a session cookie nobody issued counts as no session at all, so inventing them does
not escape the limit (a real session's first request, before its token is cached, counts
against its address too). Every address also has a larger limit of its own, whatever the
sessions (the larger limit leaves room for a whole hospital behind one address). 证书查验 has a
stricter limit per client on top (each request there is a guess at someone's 证书编号), and so do
the public 公示 pages. Over a
limit: 429 with Retry-After and a Chinese explanation."""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from limits import parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.tokens import SESSION_COOKIE
from shared.errors import problem

EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz")


def verification(path: str) -> bool:
    """证书查验, the page and the API (not a certificate's QR image: it asks nobody anything), and the
    public 公示 pages and API (lists of names anyone may read: not to be harvested)."""
    return (path.startswith(("/api/applications/verify/", "/verify/")) and not path.endswith("/qr.svg")) \
        or path == "/notices" or path.startswith(("/notices/", "/api/applications/public/"))


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: str, address_limits: str, known_session: Callable[[str], bool],
                 verify_limits: str = "") -> None:
        self.app = app
        self.known_session = known_session
        self.items = parse_many(limits)
        self.address_items = parse_many(address_limits)
        self.verify_items = parse_many(verify_limits) if verify_limits else []
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = "a:" + (client[0] if client else "unknown")
        client_key = self._client_key(scope, address)
        checks = [(item, client_key) for item in self.items]
        checks += [(item, "all" + address) for item in self.address_items]
        if verification(scope["path"]):
            checks += [(item, "verify" + client_key) for item in self.verify_items]
        for item, key in checks:
            if not await self.limiter.hit(item, key):
                stats = await self.limiter.get_window_stats(item, key)
                retry = max(1, math.ceil(stats.reset_time - time.time()))
                response = problem(429, "rate_limited", "访问过于频繁", f"访问过于频繁，请 {retry} 秒后再试",
                                   headers={"Retry-After": str(retry)})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _client_key(self, scope: Scope, address: str) -> str:
        session = cookie_parser(dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")).get(SESSION_COOKIE)
        if session and self.known_session(session):
            return "s:" + hashlib.sha256(session.encode()).hexdigest()[:32]
        return address
