"""Property-based: schemathesis generates requests from every service's OpenAPI (valid ones, ones
that break the schema, and valid ones with a character that is hard to store or show planted in
a text value) and sends them through the gateway as an applicant, a unit account and a plan
administrator. No request may end in a server error. Bounded so that CI stays fast; a failure
prints the request to replay."""
from __future__ import annotations

import os
from collections import Counter

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from deploy.topology import SERVICES

EXAMPLES = int(os.environ.get("ZC_FUZZ_EXAMPLES", "8"))  # per operation, actor and kind of request
SKIPPED = {("POST", "/auth/logout")}  # would end the actor's session for the operations after it
ACTORS = ("applicant", "unit_a", "admin")
# Random text rarely hits these, and they are what breaks storage, encodings and displays.
ODD = ("\x00", "\ud800", "\ufffe", "\u202e", "\U0010ffff", "\x7f", "\x1b[0m", "%00", "\\", "'\"")


def operations(stack):
    for service in SERVICES:
        spec = httpx.get(f"{stack.urls.services[service.name]}/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(spec)
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path.startswith(("/api/", "/auth/")) and (operation.method.upper(), operation.path) not in SKIPPED:
                yield operation


def planted(args):
    """The case with an odd character added to one of its text values (a lone surrogate only where
    it can travel: escaped in JSON)."""
    case, odd, pick = args
    places = [(case.query, k) for k, v in (case.query or {}).items() if isinstance(v, str)]
    places += [(case.path_parameters, k) for k, v in (case.path_parameters or {}).items() if isinstance(v, str)]
    in_body = [(case.body, k) for k, v in case.body.items() if isinstance(v, str)] if isinstance(case.body, dict) else []
    if places or in_body:
        where, key = (places + in_body)[pick % len(places + in_body)]
        escaped = (where, key) in in_body and "json" in (case.media_type or "")
        where[key] = where[key] + (odd if escaped or odd != "\ud800" else "\x00")
    return case


def test_no_generated_request_meets_a_server_error(stack, cast):
    failures: list[str] = []
    answered: Counter[tuple[str, int]] = Counter()  # (actor, status class): the run reached the handlers

    def fuzz(operation, strategy, actor: str) -> None:
        browser = cast.everyone()[actor]

        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def probe(case) -> None:
            response = case.call(base_url=stack.gateway, cookies=browser.cookies(stack.gateway),
                                 headers={"x-csrf-token": browser.csrf(stack.gateway)},
                                 allow_redirects=False, timeout=15)
            answered[actor, response.status_code // 100] += 1
            if response.status_code >= 500 and len(failures) < 30:
                failures.append(f"{response.status_code} as {actor}: {case.as_curl_command()}\n"
                                f"  → {response.text[:200]}")

        try:
            probe()
        except Unsatisfiable:  # nothing to break in an operation without parameters or body
            pass

    for number, operation in enumerate(operations(stack)):
        for actor in ACTORS:
            fuzz(operation, operation.as_strategy(generation_mode=GenerationMode.POSITIVE), actor)
        # Requests that break the schema, or carry odd text, as one actor in turn.
        actor = ACTORS[number % len(ACTORS)]
        fuzz(operation, operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), actor)
        fuzz(operation, st.tuples(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), st.sampled_from(ODD),
                                  st.integers(0, 50)).map(planted), actor)
    assert not failures, "server errors:\n" + "\n".join(failures)
    for actor in ACTORS:  # logged in all along: each got answers from handlers, not only 401s
        assert answered[actor, 2] >= 20 and answered[actor, 4] >= 20, dict(answered)
