"""Every field a request can carry has a Chinese name, so that a validation message never shows
an English code (``entry_id：编号格式不正确``). Walks each app's OpenAPI — path, query and header
parameters, request-body properties at any depth — so a new route or field is covered the day
it is added. Each app is built in a process of its own: labels one service registers must not
cover for another's."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.topology import SERVICES

ROOT = Path(__file__).resolve().parents[2]
PROXY = {"/api/{service}/{path}", "/auth/{path}"}  # the gateway's pass-through: the services name their own fields

_PROBE = """
import json, sys, warnings
warnings.simplefilter("ignore")
from importlib import import_module
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from shared.errors import FIELD_LABELS
app = import_module(sys.argv[1]).create_app()
def api_routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router
            yield from api_routes(route.original_router.routes)
routes = list(api_routes(app.routes))
for route in routes:  # the gateway's pages are left out of its schema; their fields count too
    route.include_in_schema = True
spec = get_openapi(title=app.title, version=app.version, routes=routes)
print(json.dumps({"spec": spec, "labels": FIELD_LABELS}))
"""


def fields(spec: dict) -> set[tuple[str, str]]:
    """(route, dotted field) for every parameter and body property."""
    components = spec.get("components", {}).get("schemas", {})
    found: set[tuple[str, str]] = set()

    def walk(schema: dict, path: tuple[str, ...], route: str, seen: frozenset[str]) -> None:
        if ref := schema.get("$ref"):
            name = ref.rsplit("/", 1)[-1]
            if name not in seen:
                walk(components[name], path, route, seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                walk(sub, path, route, seen)
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                walk(schema[key], path, route, seen)
        for prop, sub in schema.get("properties", {}).items():
            found.add((route, ".".join(path + (prop,))))
            walk(sub, path + (prop,), route, seen)

    for route, operations in spec["paths"].items():
        if route in PROXY:
            continue
        for method, operation in operations.items():
            where = f"{method.upper()} {route}"
            found |= {(where, p["name"]) for p in operation.get("parameters", []) if p["in"] != "cookie"}
            for media in operation.get("requestBody", {}).get("content", {}).values():
                walk(media.get("schema", {}), (), where, frozenset())
    return found


@pytest.mark.parametrize("module", [f"services.{s.name}.app" for s in SERVICES] + ["gateway.app"])
def test_every_field_of_every_route_has_a_chinese_label(module):
    env = {**os.environ, "ZC_ENVIRONMENT": "development", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", _PROBE, module], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    labels, spec = probe["labels"], probe["spec"]
    assert spec["paths"], module
    missing = sorted(f"{route}: {field}" for route, field in fields(spec)
                     if not re.search(r"[\u4e00-\u9fff]", labels.get(field) or labels.get(field.rsplit(".", 1)[-1], "")))
    assert not missing, ("fields without a Chinese label — register them with shared.errors.register_labels "
                         "in the service's schemas.py:\n" + "\n".join(missing))


def test_a_json_syntax_error_says_where_without_an_english_label():
    from shared.errors import _field_error

    error = _field_error({"type": "json_invalid", "loc": ("body", 8), "msg": "JSON decode error",
                          "ctx": {"error": "Expecting value"}})
    assert error == {"field": "body", "label": "请求内容", "message": "不是有效的 JSON（第 8 个字符附近）"}


def test_nested_fields_take_their_own_label_else_the_nearest_enclosing_one():
    from shared.errors import label_of, register_labels

    register_labels({"zz_outer": "外层", "zz_outer.zz_id": "外层编号"})
    assert label_of(("zz_outer", 0, "zz_id")) == "外层编号"
    assert label_of(("zz_outer", 2, "zz_unknown")) == "外层"
    assert label_of(("zz_unknown",)) == "请求内容"
