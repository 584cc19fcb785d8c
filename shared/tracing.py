"""OpenTelemetry traces, on only when an OTLP endpoint is configured (the standard
``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; the other standard
``OTEL_*`` variables apply too). Otherwise nothing is set up: the API's tracer is a no-op, no
instrumentation wraps anything, nothing is exported.

When on: a span per request received (FastAPI), per HTTP call made (httpx: the gateway's proxy and
the services' internal clients, which carry the W3C ``traceparent`` along), per SQL statement
(SQLAlchemy), and per event handled. An event carries the trace context of the request that
recorded it in its envelope (``Envelope.trace``, next to ``request_id``, and in the AMQP headers),
so the consumer's span continues that request's trace, however late the relay publishes it."""
from __future__ import annotations

import logging
import os
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry import context, propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
tracer = trace.get_tracer("zc")  # a proxy: a no-op until a provider is set

_provider: TracerProvider | None = None
_traced_engines: set[int] = set()
_UNTRACED_URLS = "healthz,readyz,metrics"


def endpoint_configured() -> bool:
    return bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def setup(service_name: str, exporter: SpanExporter | None = None) -> bool:
    """Once per process: the tracer provider, its exporter and the global instrumentations (httpx).
    ``exporter`` (tests) replaces the OTLP one and exports each span as it ends. Returns whether
    tracing is on."""
    global _provider
    if _provider is not None:
        return True
    if exporter is None and not endpoint_configured():
        return False
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource

    # OTEL_SERVICE_NAME, when set, names the process (Resource.create reads it; an attribute given here would win).
    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service_name}
    provider = TracerProvider(resource=Resource.create(attributes))
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _provider = provider
    log.info("traces of %s are exported by OTLP", service_name)
    return True


def traced(transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
    """``transport`` with a client span per call and the trace context in its headers, when tracing
    is on (the global httpx instrumentation patches httpx's own transport only)."""
    if _provider is None:
        return transport
    from opentelemetry.instrumentation.httpx import AsyncOpenTelemetryTransport

    return AsyncOpenTelemetryTransport(transport, tracer_provider=_provider)


def enabled() -> bool:
    return _provider is not None


def instrument_app(app: FastAPI) -> None:
    if _provider is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider, excluded_urls=_UNTRACED_URLS)


def instrument_engine(engine: AsyncEngine) -> None:
    """Spans for the SQL statements of ``engine`` (once per engine). The instrumentation's engine
    tracer is used directly: its instrumentor declares SQLAlchemy < 2.1 and would refuse, and it
    instruments one engine only."""
    if _provider is None or id(engine.sync_engine) in _traced_engines:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    usage = get_meter("zc.sqlalchemy").create_up_down_counter("db.client.connections.usage", unit="connections")
    EngineTracer(_provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage)
    _traced_engines.add(id(engine.sync_engine))


def stop() -> None:
    """Undo ``setup`` (tests): no span from here on, no context in events."""
    global _provider
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    if _provider is not None:
        HTTPXClientInstrumentor().uninstrument()
        EngineTracer.remove_all_event_listeners()
        _provider.shutdown()
    _provider = None
    _traced_engines.clear()


def current_context_carrier() -> dict[str, str] | None:
    """The current trace context in W3C form (``traceparent``, ``tracestate``), or None outside a trace."""
    if _provider is None:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier or None


def consumer_span(name: str, carrier: dict[str, Any] | None, attributes: dict[str, Any]):
    """A span for handling one event, child of the span that recorded it (from ``carrier``)."""
    parent = propagate.extract(carrier) if carrier else context.Context()
    return tracer.start_as_current_span(name, context=parent, kind=trace.SpanKind.CONSUMER, attributes=attributes)
