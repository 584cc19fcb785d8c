"""The one way every service is put together: logging, request ids, problem+json errors,
health and readiness, the token verifier, and the outbox relay and consumers in its lifespan."""
from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

import aio_pika
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import tracing
from shared.auth import TokenVerifier, http_jwks_loader
from shared.db import Database
from shared.errors import UNAVAILABLE_DETAIL, UNAVAILABLE_TITLE, database_unreachable, install_error_handlers, problem
from shared.events.consumer import Consumer, prune_inbox, queue_status
from shared.events.outbox import OutboxRelay
from shared.inputs import UnstorableTextMiddleware
from shared.logging import (
    REQUEST_ID_HEADER,
    configure_logging,
    new_request_id,
    request_id_var,
)
from shared.metrics import instrument, serve_metrics, watch_outbox, watch_queues
from shared.revocations import Revocations, http_revocations_loader
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)
access_log = logging.getLogger("access")

ReadyCheck = Callable[[], Awaitable[None]]
SLOW_MS = 500  # a service's answer slower than this is logged at INFO
METRICS_INTERVAL = 15.0  # seconds between two measurements of the outbox backlog and the queues


class RequestIdMiddleware:
    """Takes the caller's X-Request-ID (or makes one), logs the request, echoes the id back.

    Pure ASGI so that streamed bodies pass through untouched. ``name`` labels the time spent until
    the response started in a ``Server-Timing`` header (``applications;dur=12.3``): a benchmark
    through the gateway reads each hop's own time from it.

    ``log_every``: the gateway logs every request (the edge's access log, with the request id the
    services' lines share). A service logs at INFO only what deserves a look — a refusal, an
    error, a slow answer — and the rest at DEBUG: a line per request in every hop costs a few per
    cent of each process on deadline day and repeats the gateway's."""

    def __init__(self, app: ASGIApp, name: str = "app", *, log_every: bool = False) -> None:
        self.app = app
        self.timing = name.encode()
        self.log_every = log_every

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        rid = headers.get(REQUEST_ID_HEADER.lower().encode(), b"").decode("latin-1")[:64] or new_request_id()
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                message.setdefault("headers", [])
                took = f";dur={(time.perf_counter() - started) * 1000:.1f}".encode()
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), rid.encode()),
                                      (b"server-timing", self.timing + took)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Logged here, with the request id; the person gets a problem they can quote.
            if unreachable := database_unreachable(exc):  # an outage, not a bug: one line, no trace
                log.warning("database unreachable on %s %s: %r", scope["method"], scope["path"], exc)
            else:
                log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if response_started:
                raise
            status, code, title, detail = (
                (503, "service_unavailable", UNAVAILABLE_TITLE, UNAVAILABLE_DETAIL) if unreachable else
                (500, "internal_error", "系统错误", "系统繁忙，请稍后再试；如持续出现请联系管理员并提供请求编号"))
            retry = {"Retry-After": "10"} if unreachable else None
            if b"text/html" in headers.get(b"accept", b""):  # a person's browser, not an API client
                page = _ERROR_PAGE.format(title=title, detail=detail, rid=html.escape(rid))
                response: Response = HTMLResponse(page, status_code=status, headers=retry)
            else:
                response = problem(status, code, title, detail, headers=retry)
            await response(scope, receive, send_with_id)
        finally:
            took_ms = (time.perf_counter() - started) * 1000
            level = logging.INFO if self.log_every or status >= 400 or took_ms > SLOW_MS else logging.DEBUG
            if scope["path"] not in ("/healthz", "/readyz") and access_log.isEnabledFor(level):
                access_log.log(level, "%s %s %s %.1fms", scope["method"], scope["path"], status, took_ms)
            request_id_var.reset(token)


_ERROR_PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{title}</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;color:#1f2933">
<h1 style="color:#123b6b">{title}</h1><p>{detail}</p><p style="color:#7b8794">请求编号：{rid}</p>
<p><a href="/">返回首页</a></p></body></html>"""


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    routers: Sequence[APIRouter],
    db: Database | None = None,
    verifier: TokenVerifier | None = None,
    consumers: Callable[[Database, ServiceSettings], list[Consumer]] | None = None,
    ready_checks: Sequence[ReadyCheck] = (),
    on_startup: Callable[[FastAPI], Awaitable[None]] | None = None,
    on_shutdown: Callable[[FastAPI], Awaitable[None]] | None = None,
    background: Callable[[Database, asyncio.Event], list[Awaitable[None]]] | None = None,
) -> FastAPI:
    """``background``: a service's own loops (clean-ups), run with the relay and consumers —
    in the API process when ``run_workers``, else by ``run_workers_forever(extra=…)``."""
    configure_logging(settings.service_name, settings.platform.log_level, settings.platform.log_json)
    tracing.setup(settings.service_name)
    db = db or Database(settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
    tracing.instrument_engine(db.engine)
    verifier = verifier or TokenVerifier(
        http_jwks_loader(f"{settings.platform.identity_url}/.well-known/jwks.json"),
        settings.platform.jwt_issuer, settings.platform.jwt_audience,
        revocations=Revocations(http_revocations_loader(settings.platform.identity_url, settings.platform)),
    )

    running = consumers(db, settings) if consumers else []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        tasks: list[asyncio.Task] = []
        if on_startup:
            await on_startup(app)
        if settings.run_workers:
            tasks = start_workers(db, settings, running, stop)
            tasks += [asyncio.create_task(loop) for loop in (background(db, stop) if background else [])]
        if verifier.revocations is not None:  # every API process keeps its own list
            tasks.append(asyncio.create_task(verifier.revocations.run(stop, settings.platform, settings.service_name)))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            if on_shutdown:
                await on_shutdown(app)
            await db.dispose()

    app = FastAPI(title=title, lifespan=lifespan, docs_url="/docs", openapi_url="/openapi.json")
    app.state.settings = settings
    app.state.db = db
    app.state.verifier = verifier
    app.add_middleware(UnstorableTextMiddleware)
    app.add_middleware(RequestIdMiddleware, name=settings.service_name)
    install_error_handlers(app)
    instrument(app, settings.service_name, expose=True)  # /metrics: services' ports are not public
    tracing.instrument_app(app)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        async def database() -> None:
            async with db.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))

        async def broker() -> None:
            connection = await aio_pika.connect(settings.platform.amqp_url, timeout=3)
            await connection.close()

        for name, check in [("database", database), ("broker", broker),
                            *((c.__name__, c) for c in ready_checks)]:
            try:
                await asyncio.wait_for(check(), timeout=5)
                checks[name] = "ok"
            except Exception as exc:  # readiness reports, it does not raise
                checks[name] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)

    @app.get("/readyz/events", include_in_schema=False)
    async def events_status() -> JSONResponse:
        # Per queue: depth, retrying, dead letters, and the consumer's lag when it runs in this process.
        try:
            queues = await queue_status(settings.platform.amqp_url, running, running_here=settings.run_workers)
        except Exception as exc:  # the broker does not answer: say so, as /readyz does
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ok", "queues": queues})

    for router in routers:
        app.include_router(router)
    return app


def start_workers(db: Database, settings: ServiceSettings, consumers: Sequence[Consumer],
                  stop: asyncio.Event) -> list[asyncio.Task]:
    relay = OutboxRelay(db.sessionmaker, settings.platform.amqp_url, settings.platform.events_exchange,
                        service=settings.service_name)
    workers = [relay.run(stop), *(c.run(stop) for c in consumers),
               periodically(lambda: watch_outbox(db.sessionmaker, settings.service_name), stop,
                            every_seconds=METRICS_INTERVAL, name="outbox metrics")]
    if durable := [c for c in consumers if c.sessionmaker is not None]:
        workers.append(periodically(lambda: watch_queues(settings.platform.amqp_url, durable), stop,
                                    every_seconds=METRICS_INTERVAL, name="queue metrics"))
    if consumers:  # handled event ids are kept two weeks, far longer than any redelivery
        workers.append(periodically(lambda: prune_inbox(db.sessionmaker, older_than=dt.timedelta(days=14)), stop,
                                    every_seconds=3600, name="inbox pruning"))
    return [asyncio.create_task(w) for w in workers]


async def periodically(job: Callable[[], Awaitable[object]], stop: asyncio.Event, *, every_seconds: float,
                       name: str) -> None:
    """A janitor's loop: run ``job`` now and then until ``stop``; a failure waits for the next round."""
    while not stop.is_set():
        try:
            await job()
        except Exception:
            log.warning("%s failed; trying again in %.0fs", name, every_seconds, exc_info=True)
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
        except TimeoutError:
            pass


async def run_workers_forever(db: Database, settings: ServiceSettings,
                              consumers: Callable[[Database, ServiceSettings], list[Consumer]] | None,
                              extra: Callable[[Database, asyncio.Event], list[Awaitable[None]]] | None = None) -> None:
    """Entry of ``python -m services.<name>.worker``: the relay and consumers (and a service's own
    ``extra`` background loops, the same ``background`` the API process would run) without the API,
    until SIGTERM or SIGINT."""
    import signal

    configure_logging(f"{settings.service_name}-worker", settings.platform.log_level, settings.platform.log_json)
    tracing.setup(f"{settings.service_name}-worker")
    tracing.instrument_engine(db.engine)
    serve_metrics(settings.host, settings.worker_metrics_port, f"{settings.service_name}-worker")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await asyncio.gather(*start_workers(db, settings, consumers(db, settings) if consumers else [], stop),
                         *(extra(db, stop) if extra else []))
    await db.dispose()
