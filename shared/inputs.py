"""Text PostgreSQL cannot store is refused at the door, for every route at once.

A ``text`` column takes no U+0000, and a lone UTF-16 surrogate (``"\\ud800"`` in JSON) cannot
even be encoded for the database: either would otherwise surface deep in a handler as a 500.
The middleware looks at the path, the query and JSON or form bodies before any route runs and
answers 422 naming the field in Chinese (problem+json; a short page for a browser's form)."""
from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import HTMLResponse, Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import label_of, problem

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "不能包含空字符（\\0）等无法保存的特殊字符"
_CHECKED_BODIES = ("application/json", "application/x-www-form-urlencoded")


def _strings(value: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every key and string in a JSON document, with where it is (list indexes left out)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,), key
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, path)


def _templates(routes: list, prefix: str = "") -> Iterator[str]:
    """Every route's path template, through included routers (FastAPI keeps them apart)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _templates(route.original_router.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif isinstance(getattr(route, "path", None), str):
            yield prefix + route.path


def _path_field(scope: Scope) -> tuple[str, ...]:
    """The path parameter that holds the character, if a route's template fits; else ()."""
    for template in _templates(getattr(getattr(scope.get("app"), "router", None), "routes", [])):
        regex, _, _ = compile_path(template)
        if match := regex.match(scope["path"]):
            for name, value in match.groupdict().items():
                if UNSTORABLE.search(value):
                    return (name,)
    return ()


class UnstorableTextMiddleware:
    """``passed_through``: path prefixes another app checks (the gateway's proxied /api/…)."""

    def __init__(self, app: ASGIApp, passed_through: tuple[str, ...] = ()) -> None:
        self.app = app
        self.passed_through = passed_through

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.passed_through):
            await self.app(scope, receive, send)
            return
        if UNSTORABLE.search(scope["path"]):
            await self._refuse(scope, _path_field(scope) or ("请求地址",))(scope, receive, send)
            return
        for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True):
            if UNSTORABLE.search(key) or UNSTORABLE.search(value):
                await self._refuse(scope, (key,))(scope, receive, send)
                return
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        # FastAPI reads a body without a Content-Type as JSON too.
        if content_type not in _CHECKED_BODIES and not content_type.endswith("+json") and content_type:
            await self.app(scope, receive, send)
            return
        # JSON and form bodies are small (the gateway caps them); uploads stream past untouched.
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if (field := _body_field(body, content_type)) is not None:
            await self._refuse(scope, field)(scope, receive, send)
            return
        await self.app(scope, _replay([body], None, receive), send)

    @staticmethod
    def _refuse(scope: Scope, field: tuple[str, ...]) -> Response:
        field = tuple(UNSTORABLE.sub("", p) for p in field)  # a key may carry the character itself
        label = "请求地址" if field == ("请求地址",) else label_of(field)
        detail = f"{label}：{MESSAGE}"
        accept = dict(scope["headers"]).get(b"accept", b"")
        if b"text/html" in accept and not scope["path"].startswith("/api/"):  # a person's browser
            return HTMLResponse(_PAGE.format(detail=html.escape(detail)), status_code=422)
        return problem(422, "validation_failed", "填写内容有误", detail,
                       errors=[{"field": ".".join(field), "label": label, "message": MESSAGE}])


def _body_field(body: bytes, content_type: str) -> tuple[str, ...] | None:
    if content_type == "application/x-www-form-urlencoded":  # the gateway's forms
        for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
            if UNSTORABLE.search(key) or UNSTORABLE.search(value):
                return (key,)
        return None
    if not re.search(rb"\\u[dD][89a-fA-F]|\\u0000", body):  # nothing to find: skip the parse
        return None
    try:
        document = json.loads(body)
    except ValueError:  # malformed JSON is the route's to report, with where it broke
        return None
    for path, text in _strings(document, ()):
        if UNSTORABLE.search(text):
            return path or ("请求内容",)
    return None


def _replay(chunks: list[bytes], first: Message | None, receive: Receive) -> Receive:
    """``receive`` again from the start, once the body was read for the check."""
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}] \
        if first is None else [first]

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>填写内容有误</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;color:#1f2933">
<h1 style="color:#123b6b">填写内容有误</h1><p>{detail}</p>
<p>请返回上一页修改后重新提交。</p><p><a href="/">返回首页</a></p></body></html>"""
