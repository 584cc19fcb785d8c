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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from fastapi import FastAPI
from prometheus_client import Counter, Gauge, Histogram, start_http_server
from prometheus_fastapi_instrumentator import Instrumentator, metrics
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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

_recorders: dict[str, Callable[[metrics.Info], None] | None] = {}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


def instrument(app: FastAPI, service: str, *, expose: bool) -> None:
    """Count ``app``'s requests (labelled ``service``); ``expose``: serve ``/metrics`` on the app itself."""
    instrumentator = Instrumentator(should_group_status_codes=False, excluded_handlers=UNCOUNTED)
    if service not in _recorders:
        # The per-route histogram (labels service, handler, method) gets the buckets the dashboard's
        # percentiles need; the library's high-resolution one has no labels to tell services apart.
        # Made once per process: the metrics can be registered once, and an app made again (tests) reuses them.
        _recorders[service] = metrics.default(custom_labels={"service": service}, latency_lowr_buckets=LATENCY_BUCKETS)
    instrumentator.add(_recorders[service])
    instrumentator.instrument(app)
    if expose:
        instrumentator.expose(app, include_in_schema=False)


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
