"""The gateway's app factory."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Route

from gateway.bodycap import BodyCapMiddleware
from gateway.csrf import CsrfMiddleware
from gateway.headers import SecurityHeadersMiddleware
from gateway.pages import ROUTERS
from gateway.pages.common import (
    PageRefused,
    RedirectTo,
    Unavailable,
    Visitor,
    error_page,
    unavailable_page,
    visitor,
    wants_page,
)
from gateway.proxy import forward
from gateway.ratelimit import RateLimitMiddleware
from gateway.settings import GatewaySettings, get_settings
from gateway.tokens import SESSION_COOKIE, TokenBroker
from shared import tracing
from shared.app import RequestIdMiddleware
from shared.auth import TokenVerifier, http_jwks_loader
from shared.errors import install_error_handlers, problem
from shared.events.consumer import Consumer
from shared.http import internal_client, no_cookies, transport
from shared.inputs import UnstorableTextMiddleware
from shared.logging import configure_logging
from shared.metrics import instrument

log = logging.getLogger(__name__)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.service_name, settings.platform.log_level, settings.platform.log_json)
    tracing.setup(settings.service_name)
    identity_url = settings.services["identity"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=32)
        async with httpx.AsyncClient(timeout=settings.upstream_timeout_seconds, follow_redirects=False,
                                     transport=transport(limits=limits), cookies=no_cookies()) as http, \
                internal_client(identity_url, settings.platform) as identity:
            verifier = TokenVerifier(http_jwks_loader(f"{identity_url}/.well-known/jwks.json"),
                                     settings.platform.jwt_issuer, settings.platform.jwt_audience)
            app.state.http = http
            app.state.broker = broker = TokenBroker(identity, verifier)
            # identity says when a person's access changed (approved into a unit, named 经办人…):
            # their cached tokens go at once instead of living on for minutes.
            listener = Consumer(queue="gateway.access", routing_keys=["identity.access.changed"], sessionmaker=None,
                                handler=broker.on_access_changed, amqp_url=settings.platform.amqp_url,
                                exchange=settings.platform.events_exchange)
            stop = asyncio.Event()
            listening = asyncio.create_task(listener.run(stop))
            try:
                yield
            finally:
                stop.set()
                await listening

    app = FastAPI(title="gateway — 福建省职称申报评审管理平台", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    install_error_handlers(app)
    app.add_exception_handler(RedirectTo, lambda request, exc: RedirectResponse(exc.location, status_code=303))

    @app.exception_handler(PageRefused)
    async def page_refused(request: Request, exc: PageRefused) -> Response:
        return error_page(request, exc.who or await visitor(request), exc.status, exc.title, exc.message)
    problem_for_http_error = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # A person who follows a wrong address gets a page with the way back; API clients keep
        # their problem details.
        if exc.status_code not in (404, 405) or not wants_page(request):
            return await problem_for_http_error(request, exc)
        try:
            who = await visitor(request)
        except httpx.HTTPError:
            who = Visitor(request, None, None)
        return error_page(request, who, 404, "页面不存在",
                          "您访问的页面不存在或已被移除，请检查地址是否正确，或从下面的链接返回。")

    @app.exception_handler(httpx.TransportError)
    async def service_down(request: Request, exc: httpx.TransportError) -> Response:
        # A page whose service is down or slow: say so in the page, not in a stack trace.
        log.warning("a page's service did not answer: %s %s: %r", request.method, request.url.path, exc)
        return error_page(request, Visitor(request, None, None), 503, "服务暂时不可用",
                          "相关服务暂时不可用，请稍后再试；您已填写的内容尚未提交。")

    @app.exception_handler(Unavailable)
    async def part_unavailable(request: Request, exc: Unavailable) -> Response:
        # A page whose data could not be read: it names what is unavailable, it shows nothing false.
        try:
            who = await visitor(request)  # for the navigation bar; a cached token, usually
        except Exception:
            who = Visitor(request, None, None)
        return unavailable_page(request, who, exc)

    # Outermost first: security headers, request id, rate limit, CSRF, the body cap, then text the pages
    # cannot store (the services check what is proxied to them, naming their own fields).
    app.add_middleware(UnstorableTextMiddleware, passed_through=("/api/", "/auth/"))
    app.add_middleware(BodyCapMiddleware, limit=settings.max_body_bytes)
    app.add_middleware(CsrfMiddleware, public_url=settings.public_url)
    # The broker arrives with the lifespan; until then no session counts as known.
    app.add_middleware(RateLimitMiddleware, limits=settings.rate_limit, address_limits=settings.rate_limit_per_address,
                       known_session=lambda s: hasattr(app.state, "broker") and app.state.broker.knows(s),
                       verify_limits=settings.verify_rate_limit)
    app.add_middleware(RequestIdMiddleware, name="gateway", log_every=True)
    app.add_middleware(SecurityHeadersMiddleware)
    # Metrics are served on their own port (gateway/__main__.py), never on this public app.
    instrument(app, settings.service_name, expose=False)
    tracing.instrument_app(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "gateway"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        try:
            ok = (await request.app.state.http.get(f"{identity_url}/healthz", timeout=3)).status_code == 200
        except httpx.HTTPError:
            ok = False
        return JSONResponse({"status": "ok" if ok else "unavailable"}, status_code=200 if ok else 503)

    @app.api_route("/auth/{path:path}", methods=["GET", "POST"], include_in_schema=False)
    async def auth(path: str, request: Request) -> Response:
        # Login and logout are identity's; its cookies (OIDC state, session) pass through here.
        response = await forward(request, request.app.state.http, identity_url, broker=request.app.state.broker,
                                 max_body=64 * 1024, login_route=True)
        if path == "logout" and (secret := request.cookies.get(SESSION_COOKIE)):
            request.app.state.broker.forget(secret)
        return response

    async def api(request: Request) -> Response:
        base = settings.services.get(request.path_params["service"])
        if base is None:
            return problem(404, "not_found", "未找到", "请求的接口不存在")
        return await forward(request, request.app.state.http, base, broker=request.app.state.broker,
                             max_body=settings.max_body_bytes)

    # A plain Starlette route, not a FastAPI one: the proxy has no parameters to validate or
    # dependencies to solve, and FastAPI's request handling costs CPU on every call.
    app.router.routes.append(Route("/api/{service}/{path:path}", api, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]))

    for router in ROUTERS:
        app.include_router(router)
    return app
