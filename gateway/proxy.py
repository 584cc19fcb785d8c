"""Streaming reverse proxy to the services: bodies pass through chunk by chunk (uploads too),
with a size cap, timeouts, the request id, and the caller's access token."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from urllib.parse import quote, unquote

import httpx
from fastapi import Request
from starlette.background import BackgroundTask
from starlette.responses import Response, StreamingResponse

from gateway.tokens import SESSION_COOKIE, TokenBroker
from shared.errors import problem
from shared.logging import REQUEST_ID_HEADER, current_request_id

log = logging.getLogger(__name__)

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "trailers", "transfer-encoding", "upgrade", "host", "content-length",
              "x-service-key"}  # the internal key is the services' own; a client never speaks with it


def _plain_path(request: Request) -> bool:
    """No dot segments, empty segments or backslashes, raw or decoded: `/api/x/../../internal/…`
    must never reach a service's internal routes after the upstream URL is normalised."""
    raw = request.scope.get("raw_path", b"").decode("latin-1")
    for path in (raw, request.url.path, unquote(raw)):
        segments = path.split("/")[1:]
        if "\\" in path or any(seg in ("", ".", "..") for seg in segments[:-1]) or segments[-1] in (".", ".."):
            return False
    return True
SESSION_CHANGED = "x-session-changed"
REPLAYABLE_BODY = 256 * 1024
BUFFERED_ANSWER = 256 * 1024  # answers up to this size are read whole; larger ones (files) stream


class BodyTooLarge(Exception):
    pass


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLarge
        yield chunk


def too_large(limit: int) -> Response:
    return problem(413, "payload_too_large", "内容过大", f"上传内容超过上限（{limit // (1024 * 1024)} MB），请压缩后重试")


async def forward(request: Request, client: httpx.AsyncClient, base_url: str, *, broker: TokenBroker,
                  max_body: int, login_route: bool = False) -> Response:
    """``login_route``: identity's /auth/* pages, which read their own cookies and need no token."""
    if not _plain_path(request):
        return problem(404, "not_found", "未找到", "请求的接口不存在")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_body:
        return too_large(max_body)
    headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP
               and (login_route or k.lower() != "cookie") and k.lower() != REQUEST_ID_HEADER.lower()]
    headers.append((REQUEST_ID_HEADER, current_request_id() or ""))
    if request.client:
        headers.append(("X-Forwarded-For", request.client.host))
    session_secret = request.cookies.get(SESSION_COOKIE)
    token = None
    if session_secret and not login_route and "authorization" not in request.headers:
        if found := await broker.token_for(session_secret):
            token = found[0]
            headers.append(("Authorization", f"Bearer {token}"))
    has_body = request.method not in ("GET", "HEAD", "OPTIONS", "DELETE")
    # A small body (forms, JSON) is read whole, so that it can be sent again with a new token;
    # uploads stream through.
    replayable = not has_body or (declared is not None and declared.isdigit() and int(declared) <= REPLAYABLE_BODY)
    content = (await request.body() if replayable else _capped(request.stream(), max_body)) if has_body else None
    upstream = client.build_request(
        request.method, base_url + quote(request.url.path, safe="/:@!$&'()*+,;=~"), params=request.query_params.multi_items(), headers=headers,
        content=content,
    )
    try:
        response = await client.send(upstream, stream=True)
        if response.status_code == 401 and token and replayable:
            # The cached token was refused (revoked: the service heard of an access change before the
            # gateway did): once more with a new one. A streamed upload cannot be sent twice; its 401
            # drops the token below.
            broker.forget(session_secret)
            if (found := await broker.token_for(session_secret)) and found[0] != token:
                await response.aclose()
                upstream.headers["Authorization"] = f"Bearer {found[0]}"
                response = await client.send(upstream, stream=True)
    except BodyTooLarge:
        return too_large(max_body)
    except httpx.TimeoutException:
        log.warning("upstream timeout: %s %s", request.method, upstream.url)
        return problem(504, "upstream_timeout", "服务响应超时", "服务响应超时，请稍后再试")
    except httpx.TransportError:
        log.warning("upstream unreachable: %s %s", request.method, upstream.url)
        return problem(503, "service_unavailable", "服务暂不可用", "服务暂时不可用，请稍后再试")
    # A refused token (revoked after the gateway cached it, an event it missed): the next request gets a new one.
    if session_secret and (response.headers.get(SESSION_CHANGED) or response.status_code == 401):
        broker.forget(session_secret)
    out_headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in HOP_BY_HOP and k.lower() not in (SESSION_CHANGED, REQUEST_ID_HEADER.lower())]
    raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out_headers]
    size = response.headers.get("content-length", "")
    if request.method != "HEAD" and size.isdigit() and int(size) <= BUFFERED_ANSWER:
        # Most answers are small JSON: read whole and sent in one piece, without the task group a
        # streamed response runs to watch for the client leaving (a tenth of the gateway's CPU).
        try:
            content = b"".join([chunk async for chunk in response.aiter_raw()])  # as sent (encoded or not)
        except httpx.TransportError:
            log.warning("upstream answer cut short: %s %s", request.method, upstream.url)
            return problem(503, "service_unavailable", "服务暂不可用", "服务暂时不可用，请稍后再试")
        finally:
            await response.aclose()
        answer = Response(content, status_code=response.status_code)
        answer.raw_headers = [*raw_headers, (b"content-length", str(len(content)).encode())]
        return answer
    streamed = StreamingResponse(response.aiter_raw(), status_code=response.status_code,
                                 background=BackgroundTask(response.aclose))
    streamed.raw_headers = raw_headers
    return streamed
