"""Property-based: schemathesis generates requests from every service's OpenAPI (valid ones and
ones that break the schema) and sends them through the gateway as an applicant, a unit account
and a plan administrator. No request may end in a server error. Bounded so that CI stays fast;
a failure prints the request to replay."""
from __future__ import annotations

import os

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode

from deploy.topology import SERVICES

EXAMPLES = int(os.environ.get("ZC_FUZZ_EXAMPLES", "6"))  # per operation, actor and mode
SKIPPED = {("POST", "/auth/logout")}  # would end the actor's session for the operations after it
ACTORS = ("applicant", "unit_a", "admin")


def operations(stack):
    for service in SERVICES:
        spec = httpx.get(f"{stack.urls.services[service.name]}/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(spec)
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path.startswith(("/api/", "/auth/")) and (operation.method.upper(), operation.path) not in SKIPPED:
                yield operation


def test_no_generated_request_meets_a_server_error(stack, cast):
    failures: list[str] = []
    browsers = cast.everyone()

    for operation in operations(stack):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for actor in ACTORS:
                browser = browsers[actor]

                @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                          phases=[Phase.generate], suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode))
                def probe(case, browser=browser, actor=actor) -> None:
                    response = case.call(base_url=stack.gateway, cookies=browser.cookies(stack.gateway),
                                         headers={"x-csrf-token": browser.csrf(stack.gateway)},
                                         allow_redirects=False, timeout=15)
                    if response.status_code >= 500 and len(failures) < 30:
                        failures.append(f"{response.status_code} as {actor}: {case.as_curl_command()}\n"
                                        f"  → {response.text[:200]}")

                probe()
    assert not failures, "server errors:\n" + "\n".join(failures)
