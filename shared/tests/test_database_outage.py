"""Every service, as a real process, loses its database (a TCP proxy in front of PostgreSQL is cut):
requests get 503 ``service_unavailable`` with a Chinese message, never 500, and succeed again once
the database is back."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import make_url

from deploy.topology import SERVICES
from shared.testing.processes import free_port
from shared.testing.tcpproxy import TcpProxy

# A read of each service that needs the caller's token and the database.
READS = {"identity": "/api/identity/me", "units": "/api/units/bindings/mine", "library": "/api/library/entries",
         "plans": "/api/plans/assignments/mine", "applications": "/api/applications/applications",
         "documents": "/api/documents/files"}


@pytest.fixture(scope="module")
def token(stack) -> str:
    browser, _ = stack.person_browser("断库测试人")
    response = httpx.post(f"{stack.identity}/internal/sessions/token", headers={"x-service-key": stack.internal_key},
                          json={"session_token": browser.cookies(stack.gateway)["zc_session"]})
    browser.close()
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_a_lost_database_answers_503_not_500(stack, token, service):
    assert set(READS) == {s.name for s in SERVICES}, "every service needs a read here"
    database = make_url(stack.urls.databases[service])
    url = f"http://127.0.0.1:{free_port()}"
    prefix = service.upper()
    with TcpProxy(database.host or "127.0.0.1", database.port or 5432) as proxy:
        proxied = database.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        # A second instance of the stack's service on the same database, through the proxy; without
        # consumers, which would share the stack's queues.
        stack.procs.start(f"{service}-outage", f"services.{service}", url, {
            **stack.procs.get(service).env, f"{prefix}_DATABASE_URL": proxied, f"{prefix}_PORT": url.rsplit(":", 1)[1],
            f"{prefix}_RUN_WORKERS": "false", f"{prefix}_SEED_DEMO_DATA": "false"})
        try:
            read = f"{url}{READS[service]}"
            headers = {"authorization": f"Bearer {token}"}
            assert httpx.get(read, headers=headers, timeout=30).status_code < 500

            proxy.cut()
            for accept in ("application/json", "text/html"):
                response = httpx.get(read, headers={**headers, "accept": accept}, timeout=30)
                assert response.status_code == 503, response.text
                assert "数据库" in response.text or "暂时不可用" in response.text
                if accept == "application/json":
                    problem = response.json()
                    assert problem["code"] == "service_unavailable", problem
                    assert problem["detail"].startswith("服务暂时不可用"), problem
            assert httpx.get(f"{url}/readyz", timeout=30).status_code == 503

            proxy.restore()
            assert httpx.get(read, headers=headers, timeout=30).status_code < 500
        finally:
            stack.procs.stop(f"{service}-outage")
