"""Traces: one request through the real gateway to a service made by the app factory, and the
event that request recorded, handled by a consumer: one trace, the consumer's span a child of the
request that recorded the event (its context travelled in the envelope). Spans go to an in-memory
exporter; nothing is set up unless tracing is configured."""
from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Request
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from shared import tracing
from shared.app import create_service_app
from shared.auth import TokenVerifier
from shared.events import record_event
from shared.settings import PlatformSettings, ServiceSettings
from shared.testing.processes import free_port
from shared.tests.eventbus import ThingHappened, has, make_consumer, until


def test_without_an_endpoint_nothing_is_set_up(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    if tracing.enabled():
        pytest.skip("tracing was set up earlier in this process")
    assert tracing.setup("nothing") is False and not tracing.enabled()
    assert tracing.current_context_carrier() is None  # events carry no trace context


@pytest.fixture
def spans() -> AsyncIterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    assert tracing.setup("trace-test", exporter=exporter)
    yield exporter
    tracing.stop()  # the rest of the session untraced: no wrapped clients, no context in events


async def serve(app, port: int) -> tuple[uvicorn.Server, asyncio.Task]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "the server did not start"
        await asyncio.sleep(0.05)
    return server, task


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span)
    return chain


async def test_one_trace_from_the_gateway_through_the_service_to_the_events_consumer(spans, db, amqp_url, names,
                                                                                     running):
    platform = PlatformSettings(amqp_url=amqp_url, events_exchange=names["exchange"])
    router = APIRouter(prefix="/api/traced")

    @router.get("/things")
    async def make_thing(request: Request) -> dict:
        async with request.app.state.db.sessionmaker() as session, session.begin():
            env = await record_event(session, "traced", uuid.uuid4(), ThingHappened(thing_id=uuid.uuid4(), label="t"))
        return {"event": str(env.id)}

    service_port = free_port()
    settings = ServiceSettings(service_name="traced", port=service_port, database_url=str(db.engine.url),
                               run_workers=True, platform=platform)
    service = create_service_app(settings=settings, title="traced", routers=[router], db=db,
                                 verifier=TokenVerifier(lambda: None, "x", "y"))
    gateway_port = free_port()
    gateway = create_gateway(GatewaySettings(port=gateway_port, public_url=f"http://127.0.0.1:{gateway_port}",
                                             services={"traced": f"http://127.0.0.1:{service_port}",
                                                       "identity": f"http://127.0.0.1:{free_port()}"},
                                             platform=platform, cookie_secure=False))
    consumer = await running(make_consumer(db, amqp_url, names))
    servers = [await serve(service, service_port), await serve(gateway, gateway_port)]
    try:
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{gateway_port}/api/traced/things")
        assert answer.status_code == 200, answer.text
        await until(lambda: has(db, ["t"]))
        await until(lambda: asyncio.sleep(0, any(s.kind == SpanKind.CONSUMER for s in spans.get_finished_spans())))
    finally:
        for server, task in servers:
            server.should_exit = True
            await task

    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}
    servers_spans = [s for s in finished if s.kind == SpanKind.SERVER and s.attributes.get("http.route")]
    gateway_span = next(s for s in servers_spans if s.attributes["http.route"] == "/api/{service}/{path:path}")
    service_span = next(s for s in servers_spans if s.attributes["http.route"] == "/api/traced/things")
    call = next(s for s in finished if s.kind == SpanKind.CLIENT and str(service_port) in
                str(s.attributes.get("url.full") or s.attributes.get("http.url")))
    consumed = next(s for s in finished if s.kind == SpanKind.CONSUMER)
    # gateway → its call upstream → the service: one trace, each the parent of the next.
    assert gateway_span in ancestors(call, by_id)
    assert service_span.parent.span_id == call.context.span_id
    assert {s.context.trace_id for s in (gateway_span, call, service_span, consumed)} == {gateway_span.context.trace_id}
    # The consumer's span hangs under the service's request that recorded the event: its parent came in the event.
    assert consumed.name == f"{consumer.queue} process"
    assert service_span in ancestors(consumed, by_id)
    assert consumed.attributes["zc.event.type"] == "test.thing.happened"
    # SQL statements of the service are spans of the same trace.
    assert any(s.kind == SpanKind.CLIENT and service_span in ancestors(s, by_id) and "INSERT" in s.name.upper()
               for s in finished)
