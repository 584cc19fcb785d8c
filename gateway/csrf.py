"""CSRF for cookie-authenticated writes: a token derived from the session.

Every page carries ``csrf_token_for(session)``, an HMAC keyed by the session's secret: only
someone who holds the session (or a page rendered for it) knows it, so a cookie planted by a
sibling site cannot be matched by a header of the attacker's choosing, and nothing needs storing.
A write that comes with the session cookie (whatever else it carries: a browser may add cached
credentials by itself) must return it in the ``X-CSRF-Token`` header (htmx, fetch) or in a
``csrf_token`` form field (plain forms), and its Origin, when sent, must be ours.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.tokens import SESSION_COOKIE
from shared.errors import problem

CSRF_HEADER = b"x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
MAX_FORM_BYTES = 256 * 1024


def csrf_token_for(session_secret: str) -> str:
    digest = hmac.new(session_secret.encode(), b"zc-csrf-v1", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, public_url: str) -> None:
        self.app = app
        parts = urlsplit(public_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        # The same parser as Starlette's request.cookies, which the proxy reads the session from: a
        # stricter one could miss the session in a mangled header and wave a forged write through.
        cookies = cookie_parser(headers.get(b"cookie", b"").decode("latin-1"))
        if SESSION_COOKIE not in cookies:
            await self.app(scope, receive, send)  # not cookie-authenticated: nothing to forge
            return
        origin = headers.get(b"origin", b"").decode("latin-1")
        if origin and origin != "null" and origin != self.origin:
            await self._refuse(scope, receive, send)
            return
        expected = csrf_token_for(cookies[SESSION_COOKIE])
        given = headers.get(CSRF_HEADER, b"").decode("latin-1")
        if given and hmac.compare_digest(given.encode(), expected.encode()):
            await self.app(scope, receive, send)
            return
        if headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded"):
            body = await _read_body(receive, MAX_FORM_BYTES)
            if body is not None:
                given = (parse_qs(body.decode("utf-8", "replace")).get("csrf_token") or [""])[0]
                if hmac.compare_digest(given.encode(), expected.encode()):
                    await self.app(scope, _replay(body), send)
                    return
        await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(403, "csrf_failed", "页面已过期", "页面已过期或来源不明，请刷新页面后重试")
        await response(scope, receive, send)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
