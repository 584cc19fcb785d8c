"""Security headers on every answer of the gateway (pages, the API it proxies, static files).

Pages get a strict Content-Security-Policy: scripts, styles, images and requests from this
origin only, no inline code of any kind (the templates keep theirs in /static; htmx is told not
to inject its indicator style nor to evaluate attributes), no framing by anyone. Other answers
(JSON, files) may be framed by our own pages only (the viewer shows PDFs in an iframe). A header
a service set itself is left as it is."""
from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")
COMMON = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                page = headers.get("content-type", "").startswith("text/html")
                wanted = {**COMMON, "X-Frame-Options": "DENY" if page else "SAMEORIGIN",
                          "Content-Security-Policy": PAGE_CSP if page else "frame-ancestors 'self'"}
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
