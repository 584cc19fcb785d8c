"""The gateway over real HTTP: routing, size caps, rate limits, request ids, CSRF."""
from __future__ import annotations

import json

import httpx
import pytest

from shared.testing.browser import HttpBrowser
from shared.testing.processes import Processes, free_port


def test_request_id_is_carried_and_echoed(stack):
    response = httpx.get(f"{stack.gateway}/api/identity/me", headers={"x-request-id": "trace-abc-123"})
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "trace-abc-123"
    body = response.json()
    assert body["request_id"] == "trace-abc-123" and body["detail"] == "请先登录"
    assert response.headers["content-type"] == "application/problem+json"


def test_each_hop_says_how_long_it_took(stack):
    """Server-Timing: the service's own time, and the gateway's around it (benchmarks read them)."""
    response = httpx.get(f"{stack.gateway}/api/identity/me")
    timings = dict(t.split(";dur=") for t in response.headers.get_list("server-timing"))
    assert set(timings) == {"identity", "gateway"}
    assert 0 <= float(timings["identity"]) <= float(timings["gateway"])


def test_unknown_service_is_a_problem_404(stack):
    response = httpx.get(f"{stack.gateway}/api/nosuch/thing")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_bodies_over_the_cap_are_refused_declared_or_streamed(stack):
    big = b"x" * (12 * 1024 * 1024 + 1)
    declared = httpx.post(f"{stack.gateway}/api/identity/registration", content=big,
                          headers={"content-type": "application/json"}, timeout=30)
    assert declared.status_code == 413 and "MB" in declared.json()["detail"]

    def chunks():  # no Content-Length: the cap is enforced while streaming
        for _ in range(13):
            yield b"y" * (1024 * 1024)

    streamed = httpx.post(f"{stack.gateway}/api/identity/registration", content=chunks(),
                          headers={"content-type": "application/json"}, timeout=30)
    assert streamed.status_code == 413
    # Page routes read forms themselves: the same cap holds there, streamed or declared.
    browser, _ = stack.person_browser()
    page = browser.post(f"{stack.gateway}/me/edit", timeout=30, headers={"x-csrf-token": browser.csrf(stack.gateway)},
                        files={"mobile": ("big.bin", b"z" * (12 * 1024 * 1024 + 1), "application/octet-stream")})
    assert page.status_code == 413 and "MB" in page.json()["detail"]
    browser.close()


def test_cookie_writes_need_the_csrf_token_but_bearer_calls_do_not(stack):
    b = HttpBrowser()
    try:
        b.login(stack.gateway, stack.new_person())
        no_token = b.post(f"{stack.gateway}/api/identity/registration", json={"mobile": "13800000003", "address": "福州"})
        assert no_token.status_code == 403 and no_token.json()["code"] == "csrf_failed"
        wrong = b.post(f"{stack.gateway}/api/identity/registration", json={"mobile": "13800000003", "address": "福州"},
                       headers={"x-csrf-token": "not-the-token"})
        assert wrong.status_code == 403
        assert b.get(f"{stack.gateway}/api/identity/me").json()["kind"] == "pending"  # nothing happened
    finally:
        b.close()
    # A mangled cookie header (a cookie planted by a sibling site, say) still carries the session
    # as the proxy reads it, so it must not slip past the check either.
    session = b.cookies(stack.gateway)["zc_session"]
    mangled = httpx.post(f"{stack.gateway}/api/identity/registration", json={"mobile": "13800000003", "address": "福州"},
                         headers={"cookie": f'zc_x=a"b; zc_session={session}'})
    assert mangled.status_code == 403 and mangled.json()["code"] == "csrf_failed"
    bearer = httpx.post(f"{stack.gateway}/api/identity/registration", json={},
                        headers={"authorization": "Bearer not-a-token"})
    assert bearer.status_code == 401  # reached identity, which refused the token itself


def test_html_pages_need_login(stack):
    for path in ("/home", "/register", "/unit/home"):
        response = httpx.get(stack.gateway + path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
    assert "前往闽政通" in httpx.get(stack.gateway + "/login").text


def test_readiness(stack):
    assert httpx.get(f"{stack.gateway}/readyz").json()["status"] == "ok"
    ready = httpx.get(f"{stack.identity}/readyz").json()
    assert ready == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def _gateway_with_limits(stack, log_dir, per_client: str, per_address: str, services: dict | None = None):
    """A second gateway in front of the same identity, with settings of the test's own."""
    procs = Processes(log_dir)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    procs.start("gateway-strict", "gateway", url, {
        "ZC_ENVIRONMENT": "test", "ZC_INTERNAL_KEY": stack.internal_key, "GATEWAY_PORT": str(port),
        "GATEWAY_PUBLIC_URL": url, "GATEWAY_SERVICES": json.dumps(services or {"identity": stack.identity}),
        "GATEWAY_RATE_LIMIT": per_client, "GATEWAY_RATE_LIMIT_PER_ADDRESS": per_address, "GATEWAY_METRICS_PORT": "0"})
    return procs, url


def test_a_page_whose_service_is_down_says_so_in_the_page(stack, tmp_path):
    browser, _ = stack.person_browser()  # cookies are per host, so the second gateway sees them too
    services = {"identity": stack.identity, "units": f"http://127.0.0.1:{free_port()}"}  # nobody listens
    procs, url = _gateway_with_limits(stack, tmp_path, "100/second", "100/second", services)
    try:
        page = browser.get(f"{url}/me/unit", headers={"accept": "text/html"})
        assert page.status_code == 503 and "服务暂时不可用" in page.text
        assert page.headers["content-type"].startswith("text/html")
        api = browser.get(f"{url}/api/units/bindings/mine")
        assert api.status_code == 503 and api.json()["code"] == "service_unavailable"
    finally:
        procs.stop_all()
        browser.close()


@pytest.fixture(scope="module")
def strict_gateway(stack, tmp_path_factory):
    procs, url = _gateway_with_limits(stack, tmp_path_factory.mktemp("strict"), "5/minute", "1000/minute")
    yield url
    procs.stop_all()


def test_rate_limit_answers_429_in_chinese_with_retry_after(strict_gateway):
    statuses = [httpx.get(f"{strict_gateway}/login").status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    limited = httpx.get(f"{strict_gateway}/api/identity/me")
    assert limited.status_code == 429
    assert "访问过于频繁" in limited.json()["detail"] and int(limited.headers["retry-after"]) >= 1
    assert httpx.get(f"{strict_gateway}/healthz").status_code == 200  # probes are never limited


def test_verification_has_a_stricter_limit_per_client(stack, tmp_path):
    """证书查验 (the API and its pages) allows 20 a minute by default: guessing numbers stays slow."""
    from shared.certificate_numbers import new_number

    procs, url = _gateway_with_limits(stack, tmp_path, "1000/minute", "1000/minute")
    try:
        statuses = [httpx.get(f"{url}/api/applications/verify/{new_number(2026)}").status_code for _ in range(21)]
        assert 429 not in statuses[:20] and statuses[20] == 429, statuses
        assert httpx.get(f"{url}/verify/{new_number(2026)}").status_code == 429  # the page shares the budget
        # The rest of the site, and a certificate's QR image (it asks nobody), are not held back.
        assert httpx.get(f"{url}/login").status_code == 200
        qr = httpx.get(f"{url}/verify/{new_number(2026)}/qr.svg")
        assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    finally:
        procs.stop_all()


def _raw_get(base: str, path: str, headers: dict[str, str]) -> int:
    """A request exactly as written: HTTP clients would tidy the dot segments away."""
    import socket
    from urllib.parse import urlsplit

    host, port = urlsplit(base).hostname, urlsplit(base).port
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall("\r\n".join(lines).encode())
        status_line = sock.makefile("rb").readline().decode()
    return int(status_line.split()[1])


@pytest.mark.parametrize("path", [
    "/api/identity/../../internal/persons/lookup?id_number=350102198503120317",
    "/api/identity/%2e%2e/%2E%2E/internal/persons/lookup?id_number=350102198503120317",
    "/api/identity/..%2f..%2finternal/persons/lookup?id_number=350102198503120317",
    "/api/identity//internal/persons/lookup?id_number=350102198503120317",
    "/api/identity/.%2e/.%2e/internal/sessions/token",
])
def test_dot_segments_never_reach_internal_routes(stack, path):
    # Even a caller who somehow holds the internal key gets nothing through the gateway.
    assert _raw_get(stack.gateway, path, {"X-Service-Key": stack.internal_key}) == 404
