"""Prometheus metrics of the running platform: each service's /metrics on its own port (route
templates, never raw ids; the event metrics of its relay and consumers), the gateway's on its
private port, and none of them reachable through the gateway's public port."""
from __future__ import annotations

import uuid

import httpx
import pytest

from deploy.topology import SERVICES
from shared.testing.fixtures import eventually


def scrape(url: str) -> str:
    response = httpx.get(f"{url}/metrics", timeout=5)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return response.text


def test_a_service_counts_requests_by_route_template_and_status(stack):
    plans = stack.urls.services["plans"]
    plan_id = uuid.uuid4()
    answer = httpx.get(f"{stack.gateway}/api/plans/plans/{plan_id}", timeout=5)
    text = scrape(plans)
    line = next((x for x in text.splitlines() if x.startswith("http_requests_total{")
                 and 'handler="/api/plans/plans/{plan_id}"' in x and f'status="{answer.status_code}"' in x), None)
    assert line and 'service="plans"' in line and float(line.rsplit(" ", 1)[1]) >= 1
    assert str(plan_id) not in text  # one series per route, not per id
    assert ('http_request_duration_seconds_bucket{handler="/api/plans/plans/{plan_id}",le="0.025",method="GET",'
            'service="plans"}') in text
    assert "/healthz" not in text and 'handler="/metrics"' not in text  # probes and scrapes are not traffic


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_every_service_reports_its_outbox_and_its_queues(stack, service):
    def measured() -> str:  # the first measurement runs as the service starts
        text = scrape(stack.urls.services[service])
        return text if "zc_outbox_backlog{" in text and "zc_queue_depth{" in text or service == "library" else ""
    text = eventually(measured, timeout=20)
    assert f'zc_outbox_backlog{{service="{service}"}}' in text
    assert f'zc_outbox_oldest_age_seconds{{service="{service}"}}' in text
    assert f'zc_outbox_published_total{{service="{service}"}}' in text
    consumed = [line for line in text.splitlines() if line.startswith("zc_queue_depth{")]
    if service in ("identity", "units", "plans", "applications", "documents"):  # those that consume events
        assert consumed and all(f'queue="{service}.' in line for line in consumed), consumed
        assert any(line.startswith(f'zc_dead_letters{{queue="{service}.') for line in text.splitlines())


def test_events_handled_are_counted_with_their_lag(stack):
    # Registering a person publishes identity.person.registered, which plans (and others) consume.
    stack.person_browser()
    def handled() -> float:
        lines = [x for x in scrape(stack.urls.services["plans"]).splitlines()
                 if x.startswith('zc_events_handled_total{queue="plans.persons"}')]
        return float(lines[0].rsplit(" ", 1)[1]) if lines else 0.0
    assert eventually(lambda: handled() >= 1, timeout=20)
    assert 'zc_event_lag_seconds_count{queue="plans.persons"}' in scrape(stack.urls.services["plans"])


@pytest.mark.parametrize("path", ["/metrics", "/api/identity/metrics", "/api/documents/metrics",
                                  "/api/identity/../../metrics", "/api/identity/%2e%2e/%2e%2e/metrics"])
def test_no_metrics_through_the_public_port(stack, path):
    answer = httpx.get(f"{stack.gateway}{path}", headers={"accept": "application/json"}, timeout=5)
    assert answer.status_code == 404 and "http_requests_total" not in answer.text


def test_the_gateway_serves_its_own_on_its_private_port(stack):
    httpx.get(f"{stack.gateway}/healthz", timeout=5)
    httpx.get(f"{stack.gateway}/api/identity/nothing-here", timeout=5)
    text = scrape(stack.gateway_metrics)
    assert 'handler="/api/{service}/{path:path}"' in text and 'service="gateway"' in text
    assert "nothing-here" not in text
    assert 'zc_events_handled_total{queue="gateway.access"}' in text  # its listener
