"""Prometheus metrics of every process (see README, "Observability").

- An API process (a service) serves ``/metrics`` on its own port: HTTP requests by route template
  (never the raw path, so ids do not multiply the series) and status, latency histograms, and —
  where the outbox relay and the consumers run in that process — the event metrics below. The
  gateway never routes a service's ``/metrics`` (it forwards ``/api/<svc>/…`` paths only).
- The gateway's public port serves no metrics: its own are on a separate port
  (``GATEWAY_METRICS_PORT``), which no Ingress or published port exposes.
- A worker process (``python -m services.<svc>.worker``) has no API: it serves the same registry
  on ``<SVC>_WORKER_METRICS_PORT``.

The event metrics are measured by the process that runs the relay and the consumers, now and then
(``watch_outbox``, ``watch_queues``), not at scrape time: a scrape never waits for the database or
the broker. Several replicas report the same backlog and queue depths: dashboards take ``max``."""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest, start_http_server
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from shared.events.consumer import Consumer

log = logging.getLogger(__name__)

# Paths that are not traffic: probes and the scrape itself.
UNCOUNTED = ["/healthz", "/readyz", "/readyz/events", "/metrics"]

OUTBOX_BACKLOG = Gauge("zc_outbox_backlog", "Events recorded in the outbox and not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("zc_outbox_oldest_age_seconds", "Age of the oldest event not yet published (0: none)",
                          ["service"])
OUTBOX_PUBLISHED = Counter("zc_outbox_published", "Events the outbox relay published (broker confirmed)", ["service"])
QUEUE_DEPTH = Gauge("zc_queue_depth", "Messages waiting in a consumer's queue", ["queue"])
QUEUE_RETRYING = Gauge("zc_queue_retrying", "Messages of a consumer's queue waiting for a retry", ["queue"])
DEAD_LETTERS = Gauge("zc_dead_letters", "Messages in a consumer's dead-letter queue", ["queue"])
EVENTS_HANDLED = Counter("zc_events_handled", "Events a consumer handled (acked)", ["queue"])
EVENT_FAILURES = Counter("zc_event_failures", "Handler failures (an attempt used up)", ["queue"])
EVENT_LAG = Histogram("zc_event_lag_seconds", "From an event's occurrence to its consumer's commit", ["queue"],
                      buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600))

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests by route template, method and status",
                        ["handler", "method", "status", "service"])
HTTP_LATENCY = Histogram("http_request_duration_seconds", "Time from a request to the end of its answer",
                         ["handler", "method", "service"], buckets=LATENCY_BUCKETS)


class RequestMetrics:
    """Counts and times each request by its route template (``scope["route"]``, which the router
    leaves for us; "none" when no route matched), never by raw path. Pure ASGI and label lookups
    only: prometheus-fastapi-instrumentator matched every request against the routes once more and
    built a Request and a Response object per request, a few per cent of each process's CPU."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self._templates: dict[object, str] | None = None

    def _template(self, scope: Scope) -> str:
        """FastAPI leaves no ``route`` for a plain Starlette route (the gateway's proxy): its endpoint
        names it."""
        if self._templates is None and "app" in scope:
            self._templates = {r.endpoint: r.path for r in scope["app"].routes if hasattr(r, "endpoint")}
        return (self._templates or {}).get(scope.get("endpoint"), "none")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNCOUNTED:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            handler = getattr(scope.get("route"), "path", None) or self._template(scope)
            HTTP_REQUESTS.labels(handler, scope["method"], str(status), self.service).inc()
            HTTP_LATENCY.labels(handler, scope["method"], self.service).observe(time.perf_counter() - started)


def instrument(app: FastAPI, service: str, *, expose: bool) -> None:
    """Count ``app``'s requests (labelled ``service``); ``expose``: serve ``/metrics`` on the app itself."""
    app.add_middleware(RequestMetrics, service=service)
    if expose:
        app.add_api_route("/metrics", _scrape, include_in_schema=False)


async def _scrape() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def serve_metrics(host: str, port: int, name: str) -> None:
    """The metrics of a process without a (private) API of its own, on ``port`` (0: none). A port
    already taken is logged, not fatal: the process still does its work, and Prometheus sees the
    target down."""
    if not port:
        return
    try:
        start_http_server(port, addr=host)
        log.info("%s serves its metrics on %s:%d/metrics", name, host, port)
    except OSError as exc:
        log.error("%s cannot serve its metrics on %s:%d: %s", name, host, port, exc)


_outbox = sa.table("outbox", sa.column("created_at", sa.DateTime(timezone=True)),
                   sa.column("sent_at", sa.DateTime(timezone=True)))


async def watch_outbox(sessionmaker: async_sessionmaker[AsyncSession], service: str) -> None:
    """One measurement of the outbox backlog (the partial index ``ix_outbox_unsent`` answers it)."""
    async with sessionmaker() as session:
        count, oldest = (await session.execute(
            sa.select(sa.func.count(), sa.func.min(_outbox.c.created_at)).where(_outbox.c.sent_at.is_(None)))).one()
    OUTBOX_BACKLOG.labels(service).set(count)
    OUTBOX_OLDEST_AGE.labels(service).set(
        max((dt.datetime.now(dt.UTC) - oldest).total_seconds(), 0.0) if oldest else 0.0)


async def watch_queues(amqp_url: str, consumers: Sequence[Consumer]) -> None:
    """One measurement of the consumers' queues at the broker: waiting, retrying, dead."""
    from shared.events.consumer import queue_status

    for queue, counts in (await queue_status(amqp_url, list(consumers), running_here=False)).items():
        QUEUE_DEPTH.labels(queue).set(counts["depth"] or 0)
        QUEUE_RETRYING.labels(queue).set(counts["retrying"] or 0)
        DEAD_LETTERS.labels(queue).set(counts["dead"] or 0)
