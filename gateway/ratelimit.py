"""Per-client rate limits (the `limits` library, moving window, in memory per gateway process).

A client is its session when it has one, else its address. Over the limit: 429 with
Retry-After and a Chinese explanation."""
from __future__ import annotations

import hashlib
import math
import time
from http.cookies import SimpleCookie

from limits import parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.tokens import SESSION_COOKIE
from shared.errors import problem

EXEMPT_PREFIXES = ("/static/", "/healthz", "/readyz")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: str) -> None:
        self.app = app
        self.items = parse_many(limits)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        key = _client_key(scope)
        for item in self.items:
            if not await self.limiter.hit(item, key):
                stats = await self.limiter.get_window_stats(item, key)
                retry = max(1, math.ceil(stats.reset_time - time.time()))
                response = problem(429, "rate_limited", "访问过于频繁", f"访问过于频繁，请 {retry} 秒后再试",
                                   headers={"Retry-After": str(retry)})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _client_key(scope: Scope) -> str:
    cookie = dict(scope["headers"]).get(b"cookie", b"").decode("latin-1")
    jar = SimpleCookie(cookie)
    if SESSION_COOKIE in jar:
        return "s:" + hashlib.sha256(jar[SESSION_COOKIE].value.encode()).hexdigest()[:32]
    client = scope.get("client")
    return "a:" + (client[0] if client else "unknown")
