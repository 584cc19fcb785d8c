"""HTTP calls between services: the internal key and the current request id go along."""
from __future__ import annotations

from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from shared import tracing
from shared.logging import REQUEST_ID_HEADER, current_request_id
from shared.settings import PlatformSettings


class Transport(AiohttpTransport):
    """httpx's API over aiohttp's connection pool and parser: a fraction of httpcore's CPU per call
    (docs/benchmarks.md, deadline day). httpx-aiohttp reports every aiohttp connection error as
    ``ConnectTimeout``; this puts back what httpx's own transport raises, so that a refused or dropped
    connection is a ``TransportError`` (503), not a timeout (504), and a request body's own error
    (the gateway's size cap on a streamed upload) reaches the caller."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.ConnectTimeout as exc:
            cause = exc.__cause__
            if cause is None or isinstance(cause, aiohttp.ServerTimeoutError):
                raise
            if isinstance(cause.__cause__, Exception) and not isinstance(cause.__cause__, OSError):
                raise cause.__cause__ from None
            error = httpx.ConnectError if isinstance(cause, aiohttp.ClientConnectorError) else httpx.ReadError
            raise error(str(cause), request=request) from cause


def transport(**kwargs: Any) -> httpx.AsyncBaseTransport:
    """The transport of every client between the platform's processes (traced when tracing is on)."""
    return tracing.traced(Transport(**kwargs))


class _KeepNothing(DefaultCookiePolicy):
    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return False


def no_cookies() -> CookieJar:
    """A cookie jar that keeps nothing. A client shared by every request must not: httpx keeps the
    cookies of each response (identity's 登录 sets zc_session) and sends them with later requests of
    anyone — the gateway strips the caller's own Cookie header, and the jar's would take its place."""
    return CookieJar(policy=_KeepNothing())  # a jar, not httpx.Cookies: the client would copy that into a plain jar


async def _add_request_id(request: httpx.Request) -> None:
    if rid := current_request_id():
        request.headers.setdefault(REQUEST_ID_HEADER, rid)


def internal_client(base_url: str, platform: PlatformSettings, *, timeout: float = 5.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        transport=transport(),
        cookies=no_cookies(),
        headers={"X-Service-Key": platform.internal_key.get_secret_value()},
        event_hooks={"request": [_add_request_id]},
    )


def local_path(path: str) -> bool:
    """A path of this site only (never ``//host`` or a scheme): where a login may send a person back."""
    return path.startswith("/") and not path.startswith(("//", "/\\")) and "\\" not in path and len(path) < 300
