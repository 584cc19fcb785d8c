"""A cap on request bodies that the gateway reads itself (page forms, plan attachments): the
proxy streams /api bodies under the same cap, and nothing may make a page route buffer more."""
from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.proxy import too_large


class BodyCapMiddleware:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await too_large(self.limit)(scope, receive, send)
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLargeError
            return message

        try:
            await self.app(scope, counting, send)
        except BodyTooLargeError:
            await too_large(self.limit)(scope, receive, send)


class BodyTooLargeError(Exception):
    pass
